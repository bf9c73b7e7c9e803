/**
 * Stage: `include`. Each entry names one compose file, or several merged
 * together (short syntax `- path.yml`; long syntax `path` (string or list),
 * `project_directory`, `env_file` (string or list)). All paths are relative
 * to the directory of the including file. The caller loads each entry as a
 * model of its own (its own project directory and env files, the whole
 * pipeline, include cycles detected there); its services, networks, volumes,
 * configs, secrets and models are then copied into the including model. A
 * resource defined both here and in an included file is an error unless both
 * definitions are identical (Compose's rule). The result has no `include`.
 */
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { diagnostic, DiagnosticSink, ValidationError } from '../errors';
import { isList, isMap, itemPos, keyPos, originOf, stripOrigins, withOrigin, type Node, type Pos, type TreeMap } from './tree';

export interface IncludeRequest {
  /** Absolute paths of the files to load and merge, in order. */
  readonly paths: string[];
  /** Absolute: the included model's project directory (relative paths in it resolve against it). */
  readonly projectDirectory: string;
  /** Absolute paths of env files for its interpolation; empty = `.env` in its project directory. */
  readonly envFiles: string[];
  /** Where the entry is written, and its key path (`include[0]`), for errors about it. */
  readonly at?: Pos;
  readonly keyPath?: string;
}

export interface IncludeContext {
  /** The including file. */
  readonly file: string;
  /** Loads one include entry through the whole pipeline; throws ValidationError on problems. */
  readonly load: (req: IncludeRequest) => TreeMap;
}

/** The top-level sections an included model contributes. */
const RESOURCE_SECTIONS = ['services', 'networks', 'volumes', 'configs', 'secrets', 'models'] as const;

export function resolveIncludes(tree: TreeMap, ctx: IncludeContext): TreeMap {
  if (!('include' in tree)) return tree;
  const sink = new DiagnosticSink();
  const entries = tree.include;
  const out: TreeMap = { ...tree };
  delete out.include;
  if (entries === null) return out;
  const list = isList(entries) ? entries : [entries];
  const baseDir = path.dirname(ctx.file);

  list.forEach((entry, i) => {
    const at = isList(entries) ? itemPos(entries, i) : keyPos(tree, 'include');
    const req = includeRequest(entry, baseDir);
    if (typeof req === 'string') {
      sink.add(diagnostic(at, ['include', i], req));
      return;
    }
    let included: TreeMap;
    try {
      included = ctx.load({ ...req, at, keyPath: isList(entries) ? `include[${i}]` : 'include' });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      sink.addAll(e.diagnostics);
      return;
    }
    for (const section of RESOURCE_SECTIONS) {
      const theirs = included[section];
      if (!isMap(theirs)) continue;
      const ours = out[section];
      out[section] = addResources(isMap(ours) ? ours : undefined, theirs, section, { baseDir, file: ctx.file, sink });
    }
  });
  sink.throwIfAny();
  return out;
}

/** The request for one entry, or the reason it is not a valid entry. */
function includeRequest(entry: Node, baseDir: string): IncludeRequest | string {
  const abs = (p: string): string => (path.isAbsolute(p) ? p : path.join(baseDir, p));
  const strings = (v: Node | undefined): string[] | undefined => {
    if (v === undefined || v === null) return [];
    if (typeof v === 'string') return [v];
    if (isList(v) && v.every((s) => typeof s === 'string')) return v as string[];
    return undefined;
  };
  let written: string[] | undefined;
  let projectDir: string | undefined;
  let envFiles: string[] | undefined = [];
  if (typeof entry === 'string') {
    written = [entry];
  } else if (isMap(entry)) {
    written = strings(entry.path);
    if (typeof entry.project_directory === 'string' && entry.project_directory !== '') projectDir = entry.project_directory;
    envFiles = strings(entry.env_file);
  } else {
    return 'an include entry is a file path or a mapping with `path`';
  }
  if (written === undefined || written.length === 0 || written.some((p) => p === '')) return 'include needs a `path`: a file, or a list of files merged together';
  if (envFiles === undefined) return '`env_file` must be a path or a list of paths';
  const remote = written.find((p) => /^[a-z][a-z0-9+.-]*:\/\//i.test(p) || p.startsWith('git@'));
  if (remote) return `remote include ${JSON.stringify(remote)} is not supported: only local files can be included`;
  const paths = written.map(abs);
  return {
    paths,
    projectDirectory: projectDir !== undefined ? abs(projectDir) : path.dirname(paths[0]),
    envFiles: envFiles.map(abs),
  };
}

interface Conflicts {
  readonly baseDir: string;
  readonly file: string;
  readonly sink: DiagnosticSink;
}

/** `ours` plus the resources of `theirs`; a name defined differently in both is reported. */
function addResources(ours: TreeMap | undefined, theirs: TreeMap, section: string, c: Conflicts): TreeMap {
  const out: TreeMap = {};
  const keys: Record<string, { key: Pos; value: Pos }> = {};
  const source = ours ?? {};
  for (const k of Object.keys(source)) {
    out[k] = source[k];
    const p = originOf(source)?.keys?.[k];
    if (p) keys[k] = p;
  }
  for (const name of Object.keys(theirs)) {
    if (name in source) {
      if (isDeepStrictEqual(stripOrigins(source[name]), stripOrigins(theirs[name]))) continue;
      const here = keyPos(source, name, 'key');
      const there = keyPos(theirs, name, 'key');
      const shown = (f: string | undefined, fallback: string): string => (f === undefined ? fallback : f === c.file ? path.basename(f) : display(f, c.baseDir));
      c.sink.add(
        diagnostic(
          here,
          [section, name],
          `defined both in ${shown(here?.file, path.basename(c.file))} and in included file ${shown(there?.file, 'an included file')} (to change an included resource, list an override file in the include's path)`,
        ),
      );
      continue;
    }
    out[name] = theirs[name];
    const p = originOf(theirs)?.keys?.[name];
    if (p) keys[name] = p;
  }
  const pos = originOf(ours)?.pos ?? originOf(theirs)?.pos;
  return withOrigin(out, pos ? { pos, keys } : undefined);
}

function display(file: string, baseDir: string): string {
  if (!path.isAbsolute(file)) return file;
  const rel = path.relative(baseDir, file);
  return rel.startsWith('..') ? file : rel;
}
