/**
 * The conformance-corpus acceptance test of the loader and `config` (issue 2,
 * "Done when"): every compose file of ../shared/conformance/awesome-compose,
 * every file of ../shared/conformance/docker-compose-e2e that Docker Compose
 * accepts, and the 139 compose-go attribute inputs load, and `config` prints
 * them; what Docker Compose rejects is rejected with an error naming the file.
 *
 * Which file is loaded how (files, working directory, environment, env files,
 * profiles) and what Docker Compose does with it is in corpus-expectations.ts,
 * each verdict with its reason. Every YAML file of the corpora is either
 * loaded by a case or listed there as not a compose file — no silent skips.
 *
 * In process: `new Compose({ cwd, env, warn }).config(...)` with a clean
 * environment per case (HOME a fresh empty directory, nothing inherited — no
 * COMPOSE_* from the outside). Then the built CLI (`npx tsc -p .` first) once
 * per awesome-compose project and once on a rejected file.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Compose, type ProjectOptions } from '../../src/compose/api';
import { ComposeError, formatDiagnostic, type Diagnostic } from '../../src/compose/errors';
import {
  ATTRIBUTE_CASE_COUNT,
  attributeRowCount,
  corpusCases,
  notComposeFiles,
  type Corpus,
  type CorpusCase,
} from './corpus-expectations';
import { CONFORMANCE } from '../shared';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli/main.js');
const CORPUS_DIRS: Readonly<Record<Corpus, string>> = {
  'awesome-compose': 'awesome-compose',
  'docker-compose-e2e': 'docker-compose-e2e',
  'loader-attribute-cases': 'compose-go/extracted/loader-attribute-cases',
};

const abs = (rel: string): string => path.join(CONFORMANCE, rel);
const fill = <T>(v: T): T =>
  (typeof v === 'string'
    ? v.split('{corpus}').join(CONFORMANCE)
    : Array.isArray(v)
      ? v.map(fill)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]))
        : v) as T;

let scratch: string;
let home: string;

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-corpus-'));
  home = path.join(scratch, 'home');
  fs.mkdirSync(home);
});

afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------

interface Prepared {
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly options: ProjectOptions;
  /** Absolute paths of the files the case names (-f and reads). */
  readonly named: readonly string[];
}

function prepare(c: CorpusCase): Prepared {
  const files = c.files.map(abs);
  const envFiles = (c.envFiles ?? []).map(abs);
  if (c.envFileText !== undefined) {
    const file = path.join(fs.mkdtempSync(path.join(scratch, 'env-')), '.env');
    fs.writeFileSync(file, c.envFileText);
    envFiles.push(file);
  }
  const options: ProjectOptions = {
    files: files.length > 0 ? files : undefined,
    projectDirectory: c.projectDirectory ? abs(c.projectDirectory) : undefined,
    projectName: c.projectName,
    envFiles: envFiles.length > 0 ? envFiles : undefined,
    profiles: c.profiles,
    services: c.services,
    interpolate: c.interpolate,
    normalize: c.normalize,
  };
  const cwd = c.cwd ? abs(c.cwd) : path.dirname(files[0]);
  return { cwd, env: { HOME: home, ...c.env }, options, named: [...files, ...(c.reads ?? []).map(abs)] };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function at(doc: Json, dotted: string): Json | undefined {
  let node: Json | undefined = doc;
  for (const key of dotted.split('.')) {
    if (Array.isArray(node) && /^\d+$/.test(key)) node = node[Number(key)];
    else if (node !== null && typeof node === 'object' && !Array.isArray(node)) node = node[key];
    else return undefined;
  }
  return node;
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

/**
 * Docker Compose's JSON rendering differs from its YAML rendering in a few documented ways
 * (compose-go's Go types: JSON tags without omitempty, extensions kept only at the top level;
 * see legacy-full-example/expected-config.json.tmpl and src/compose/canonical.ts): it adds
 * `command: null`, `entrypoint: null`, `ipam: {}` and `deploy.resources: {}`, and drops `x-*`
 * keys below the top level. With those set aside, both renderings must be the same model.
 */
function sameModelView(doc: Json, depth = 0): Json {
  if (Array.isArray(doc)) return doc.map((d) => sameModelView(d, depth + 1));
  if (doc === null || typeof doc !== 'object') return doc;
  const isEmptyMap = (v: Json): boolean => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(doc)) {
    if (depth > 0 && k.startsWith('x-')) continue;
    if ((k === 'command' || k === 'entrypoint') && v === null) continue;
    if ((k === 'ipam' || k === 'resources') && isEmptyMap(v)) continue;
    out[k] = sameModelView(v, depth + 1);
  }
  return out;
}

const describeError = (e: unknown): string =>
  e === undefined ? 'loaded without error' : e instanceof Error ? `${e.name}: ${e.message}` : `threw ${String(e)}`;

/** Case id → behaved as Docker Compose does; filled as cases pass, summarised at the end. */
const outcomes = new Map<string, boolean>();

afterAll(() => {
  const rows = (Object.keys(CORPUS_DIRS) as Corpus[]).map((corpus) => {
    const cases = corpusCases.filter((c) => c.corpus === corpus);
    const accepted = cases.filter((c) => c.expect === 'accept');
    const rejected = cases.filter((c) => c.expect === 'reject');
    const ok = (cs: readonly CorpusCase[]): number => cs.filter((c) => outcomes.get(c.id) === true).length;
    return `  ${corpus.padEnd(24)} accepted ${ok(accepted)}/${accepted.length}   rejected as Docker Compose does ${ok(rejected)}/${rejected.length}`;
  });
  const failed = corpusCases.filter((c) => outcomes.get(c.id) !== true).map((c) => `    ${c.id} (expected: ${c.expect})`);
  console.log(
    ['conformance corpora (loader + config):', ...rows, ...(failed.length > 0 ? ['  not as Docker Compose:', ...failed] : [])].join('\n'),
  );
});

// ---------------------------------------------------------------------------------------------

describe('the expectations cover the corpora', () => {
  function yamlFiles(dir: string): string[] {
    const out: string[] = [];
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) out.push(...yamlFiles(p));
      else if (/\.ya?ml$/.test(e.name)) out.push(path.relative(CONFORMANCE, p));
    }
    return out.sort();
  }

  test('every YAML file is loaded by a case or is not a compose file', () => {
    const named = new Set(corpusCases.flatMap((c) => [...c.files, ...(c.reads ?? [])]));
    const all = Object.values(CORPUS_DIRS).flatMap((d) => yamlFiles(abs(d)));
    expect(all.length).toBeGreaterThan(ATTRIBUTE_CASE_COUNT);
    const unaccounted = all.filter((f) => !named.has(f) && !notComposeFiles.some((n) => f.startsWith(n.prefix)));
    expect(unaccounted).toEqual([]);
  });

  test('every file a case names exists', () => {
    const named = [
      ...new Set(
        corpusCases.flatMap((c) => [...c.files, ...(c.reads ?? []), ...(c.envFiles ?? []), ...(c.cwd ? [c.cwd] : []), ...(c.projectDirectory ? [c.projectDirectory] : [])]),
      ),
    ];
    expect(named.filter((f) => !fs.existsSync(abs(f)))).toEqual([]);
  });

  test(`the ${ATTRIBUTE_CASE_COUNT} attribute inputs each have one row`, () => {
    expect(attributeRowCount).toBe(ATTRIBUTE_CASE_COUNT);
    const files = new Set(corpusCases.filter((c) => c.corpus === 'loader-attribute-cases').flatMap((c) => c.files));
    expect(files.size).toBe(ATTRIBUTE_CASE_COUNT);
  });

  test('case ids are unique, every rejection says what the error must name', () => {
    const ids = corpusCases.map((c) => c.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(corpusCases.filter((c) => c.expect === 'reject' && !c.error).map((c) => c.id)).toEqual([]);
    expect(corpusCases.filter((c) => c.reason.trim() === '').map((c) => c.id)).toEqual([]);
  });
});

for (const corpus of Object.keys(CORPUS_DIRS) as Corpus[]) {
  describe(`${corpus}: in process`, () => {
    const cases = corpusCases.filter((c) => c.corpus === corpus);

    test.each(cases.filter((c) => c.expect === 'accept').map((c) => [c.id, c] as const))('%s loads and config prints it', (_id, c) => {
      const p = prepare(c);
      const warnings: Diagnostic[] = [];
      const compose = new Compose({ cwd: p.cwd, env: p.env, warn: (d) => warnings.push(d) });

      let loaded: ReturnType<Compose['load']> | undefined;
      const loadError = thrown(() => {
        loaded = compose.load(p.options);
      });
      expect(describeError(loadError)).toBe('loaded without error');
      if (!loaded) return;

      const yamlOut = compose.config(p.options, { format: 'yaml' }).output;
      const jsonOut = compose.config(p.options, { format: 'json' }).output;
      const fromYaml = parseYaml(yamlOut) as Json;
      const fromJson = JSON.parse(jsonOut) as Json;
      expect(fromYaml).not.toBeNull();
      expect(typeof fromYaml).toBe('object');
      // The two formats render the same model.
      expect(sameModelView(fromJson)).toEqual(sameModelView(fromYaml));
      expect(at(fromYaml, 'name')).toBe(loaded.name.name);
      const services = loaded.project.serviceNames();
      if (services.length > 0) {
        const rendered = at(fromYaml, 'services');
        expect(rendered !== null && typeof rendered === 'object' && !Array.isArray(rendered) ? Object.keys(rendered).sort() : rendered).toEqual(services);
      }
      for (const check of c.checks ?? []) {
        expect({ [check.path]: at(fromYaml, check.path) }).toEqual({ [check.path]: fill(check.equals) });
      }
      if (c.exactYaml !== undefined) expect(yamlOut).toBe(fill(c.exactYaml));
      // Warnings are diagnostics a person can read: a reason, and a place when there is one.
      for (const w of warnings) expect(formatDiagnostic(w)).toMatch(/\S/);
      outcomes.set(c.id, true);
    });

    const rejected = cases.filter((c) => c.expect === 'reject');
    if (rejected.length > 0) {
      test.each(rejected.map((c) => [c.id, c] as const))('%s is rejected, naming the file', (_id, c) => {
        const p = prepare(c);
        const compose = new Compose({ cwd: p.cwd, env: p.env, warn: () => undefined });
        const error = thrown(() => compose.config(p.options, { format: 'yaml' }));
        expect(describeError(error)).not.toBe('loaded without error');
        expect(error).toBeInstanceOf(ComposeError);
        const message = error instanceof Error ? error.message : '';
        expect({ namesOneOf: p.named, message: p.named.some((f) => message.includes(f)) ? 'names the file' : message }).toEqual({
          namesOneOf: p.named,
          message: 'names the file',
        });
        if (c.error) expect(message).toMatch(c.error);
        outcomes.set(c.id, true);
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(args: readonly string[], cwd: string): Promise<Run> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, NO_COLOR: '1' };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env, timeout: 30_000 }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ status, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** The newest modification time under `dir`. */
function newest(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

describe('the built CLI', () => {
  beforeAll(() => {
    // Fail loudly rather than test a stale build: scripts/test.sh builds first (scripts/setup.sh).
    const built = fs.existsSync(CLI) ? fs.statSync(CLI).mtimeMs : 0;
    const sources = Math.max(newest(path.join(ROOT, 'src')), newest(path.join(ROOT, 'schemas')));
    expect(built === 0 ? `${CLI} is missing: build with "npx tsc -p ."` : built < sources ? `${CLI} is older than src/: rebuild with "npx tsc -p ."` : 'built').toBe('built');
  });

  const awesome = corpusCases.filter((c) => c.corpus === 'awesome-compose');
  test.each(awesome.map((c) => [c.id, c] as const))('tscompose -f %s config exits 0 and prints the model', async (_id, c) => {
    const file = abs((c.reads ?? [])[0]);
    const run = await runCli(['-f', file, 'config'], path.dirname(file));
    expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout.trim()).not.toBe('');
    const doc = parseYaml(run.stdout) as Json;
    expect(Object.keys((at(doc, 'services') ?? {}) as object).length).toBeGreaterThan(0);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    // The CLI prints what the API renders.
    const inProcess = new Compose({ cwd: path.dirname(file), env: { HOME: home }, warn: () => undefined }).config({ files: [file] }, { format: 'yaml' });
    expect(run.stdout).toBe(inProcess.output);
  }, 30_000);

  test('a rejected file: exit code 1, the file named on stderr, nothing on stdout, no stack trace', async () => {
    const file = abs('docker-compose-e2e/e2e/fixtures/wrong-composefile/compose.yaml');
    const run = await runCli(['-f', file, 'config'], scratch);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(file);
    expect(run.stderr).toContain('services.simple.wrongField');
    expect(run.stderr).not.toMatch(/^\s+at /m);
  }, 30_000);
});
