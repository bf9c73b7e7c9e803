/**
 * Stage: the project environment used for interpolation, with where each
 * value came from (for `config --explain-env`).
 *
 * Docker Compose's rules:
 * - the shell (OS environment) wins over env files;
 * - env files are read in order, a later file overriding an earlier one;
 * - interpolation inside an env file sees the shell first, then the keys set
 *   earlier in the same file, then the earlier files;
 * - a missing required file (given with --env-file or COMPOSE_ENV_FILES) is
 *   an error naming it; the default `.env` is optional.
 */
import { NotFoundError, ValidationError, type Diagnostic } from '../errors';
import { parseDotEnvEntries } from './dotenv';

export type EnvOrigin = { kind: 'shell' } | { kind: 'env-file'; file: string; line: number };

/** One place that defines a variable. */
export interface EnvDefinition {
  readonly value: string;
  readonly origin: EnvOrigin;
}

/** Why a variable has the value it has: the winner, what it beat, and the rule. */
export interface EnvExplanation {
  readonly name: string;
  readonly value: string;
  readonly origin: EnvOrigin;
  /** Definitions that lost, most important first. */
  readonly overridden: readonly EnvDefinition[];
  /** The precedence rule that decided, in words. */
  readonly rule: string;
}

export interface ProjectEnvironment {
  get(name: string): string | undefined;
  has(name: string): boolean;
  origin(name: string): EnvOrigin | undefined;
  /** Every defined name, in no particular order. */
  names(): string[];
  /** Why `name` has its value; undefined when it is not set. */
  explain(name: string): EnvExplanation | undefined;
  /** The env files that were read, in order (missing optional ones are left out). */
  readonly files: readonly string[];
  /** A plain copy: name → value. */
  toRecord(): Record<string, string>;
}

export interface EnvironmentInput {
  readonly shell: Readonly<Record<string, string | undefined>>;
  readonly envFiles: ReadonlyArray<{ readonly path: string; readonly required: boolean }>;
  /** File contents; undefined when the file does not exist. */
  readonly readFile: (path: string) => string | undefined;
}

export function loadProjectEnvironment(opts: EnvironmentInput): ProjectEnvironment {
  const shell = new Map<string, string>();
  for (const [k, v] of Object.entries(opts.shell)) if (v !== undefined) shell.set(k, v);

  /** name → definitions from env files, earliest first. */
  const fromFiles = new Map<string, EnvDefinition[]>();
  const fileValue = (name: string): string | undefined => {
    const defs = fromFiles.get(name);
    return defs ? defs[defs.length - 1].value : undefined;
  };
  const read: string[] = [];
  const problems: Diagnostic[] = [];

  for (const { path, required } of opts.envFiles) {
    const text = opts.readFile(path);
    if (text === undefined) {
      if (required) throw new NotFoundError(`env file ${path} not found`);
      continue;
    }
    read.push(path);
    let entries;
    try {
      entries = parseDotEnvEntries(text, path, fileValue, { priority: (n) => shell.get(n) });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      problems.push(...e.diagnostics);
      continue;
    }
    for (const entry of entries) {
      const defs = fromFiles.get(entry.key) ?? [];
      defs.push({ value: entry.value, origin: { kind: 'env-file', file: path, line: entry.line } });
      fromFiles.set(entry.key, defs);
    }
  }
  if (problems.length > 0) throw new ValidationError(problems);

  const get = (name: string): string | undefined => shell.get(name) ?? fileValue(name);
  const origin = (name: string): EnvOrigin | undefined => {
    if (shell.has(name)) return { kind: 'shell' };
    const defs = fromFiles.get(name);
    return defs ? defs[defs.length - 1].origin : undefined;
  };

  return {
    get,
    has: (name) => shell.has(name) || fromFiles.has(name),
    origin,
    names: () => [...new Set([...shell.keys(), ...fromFiles.keys()])],
    files: read,
    toRecord: () => {
      const out: Record<string, string> = {};
      for (const [k, defs] of fromFiles) out[k] = defs[defs.length - 1].value;
      for (const [k, v] of shell) out[k] = v;
      return out;
    },
    explain(name) {
      const value = get(name);
      const here = origin(name);
      if (value === undefined || here === undefined) return undefined;
      const fileDefs = [...(fromFiles.get(name) ?? [])].reverse();
      const overridden = shell.has(name) ? fileDefs : fileDefs.slice(1);
      return { name, value, origin: here, overridden, rule: ruleFor(here, overridden) };
    },
  };
}

function ruleFor(winner: EnvOrigin, overridden: readonly EnvDefinition[]): string {
  if (winner.kind === 'shell') {
    return overridden.length > 0 ? 'the shell environment overrides env files' : 'set in the shell environment';
  }
  if (overridden.length === 0) return 'set in an env file';
  const sameFile = overridden.every((d) => d.origin.kind === 'env-file' && d.origin.file === winner.file);
  return sameFile ? 'the last definition in an env file wins' : 'a later env file overrides an earlier one';
}

/** `COMPOSE_ENV_FILES`: a comma-separated list of env files. */
export function parseComposeEnvFiles(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
