/**
 * The malformed-file corpus: every file under test/malformed/ is wrong in one
 * way (its first line says how), and `tscompose -f <file> config` must say so
 * clearly — exit code 1, nothing on stdout, no stack trace, and on one stderr
 * line the file where the problem really is (an included or extended file
 * when it is there) with the line, the key path and the reason that
 * test/malformed/expected.json gives.
 *
 * Runs the built CLI (`npx tsc -p .` first) with a clean environment (no
 * COMPOSE_* variables, no variables the corpus templates use) from an empty
 * temporary directory.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli/main.js');
const CORPUS = path.join(ROOT, 'test/malformed');

interface Expectation {
  /** Where the problem is, relative to test/malformed (default: the corpus file itself). */
  readonly file?: string;
  readonly line: number;
  /** A substring of the reported key path. */
  readonly keyPath: string;
  /** A case-insensitive regular expression the reason must match. */
  readonly reason: string;
}

const expected = (JSON.parse(fs.readFileSync(path.join(CORPUS, 'expected.json'), 'utf8')) as { files: Record<string, Expectation> }).files;
const corpusFiles = fs
  .readdirSync(CORPUS)
  .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
  .sort();

interface Outcome {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: string;
}

function runConfig(file: string, cwd: string): Promise<Outcome> {
  // Only what node needs; HOME points at the empty working directory.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, '-f', path.join(CORPUS, file), 'config'], { cwd, env, timeout: 30_000 }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ status, stdout: String(stdout), stderr: String(stderr), error: err && typeof err.code !== 'number' ? err.message : undefined });
    });
  });
}

/** Runs `f` over `items`, `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

/** `file:line:col  key.path  reason` (the key path may be absent): the path and the reason. */
function fieldsAfter(line: string, where: string): { path: string; reason: string } {
  const rest = line.slice(line.indexOf(where) + where.length).replace(/^\d+/, '').trim();
  const fields = rest.split(/ {2,}/);
  return fields.length >= 2 ? { path: fields[0], reason: fields.slice(1).join('  ') } : { path: '', reason: rest };
}

/** Every way the outcome falls short of the expectation; empty when it is right. */
function problemsWith(file: string, exp: Expectation, out: Outcome): string[] {
  const problems: string[] = [];
  const stderr = stripAnsi(out.stderr);
  if (out.error) problems.push(`could not run: ${out.error}`);
  if (out.status !== 1) problems.push(`exit code ${String(out.status)}, expected 1`);
  if (out.stdout !== '') problems.push(`stdout is not empty: ${JSON.stringify(out.stdout.slice(0, 200))}`);
  if (/^ {4}at /m.test(stderr)) problems.push('stderr contains a stack trace');
  const where = `malformed/${exp.file ?? file}:${exp.line}:`;
  const reason = new RegExp(exp.reason, 'i');
  const atPlace = stderr
    .split('\n')
    .filter((l) => l.includes(where))
    .map((l) => fieldsAfter(l, where));
  if (atPlace.length === 0) problems.push(`no error at ${where}`);
  else if (!atPlace.some((d) => d.path.includes(exp.keyPath) && reason.test(d.reason))) {
    problems.push(`the error at ${where} lacks key path ${JSON.stringify(exp.keyPath)} or reason /${exp.reason}/i`);
  }
  if (problems.length > 0) problems.push(`stderr was:\n${stderr.trimEnd()}`);
  return problems;
}

describe('malformed corpus', () => {
  it('has at least 70 files, each with a header comment and an expectation, and nothing else expected', () => {
    expect(corpusFiles.length).toBeGreaterThanOrEqual(70);
    expect(Object.keys(expected).sort()).toEqual(corpusFiles);
    const noHeader = corpusFiles.filter((f) => !fs.readFileSync(path.join(CORPUS, f), 'utf8').startsWith('# '));
    expect(noHeader).toEqual([]);
    for (const [f, e] of Object.entries(expected)) {
      const target = path.join(CORPUS, e.file ?? f);
      expect(fs.existsSync(target)).toBe(true);
      const lineCount = fs.readFileSync(target, 'utf8').split('\n').length;
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.line).toBeLessThanOrEqual(lineCount);
      expect(() => new RegExp(e.reason, 'i')).not.toThrow();
    }
  });

  it('checks outcomes strictly (a right outcome passes, wrong ones do not)', () => {
    const exp: Expectation = { line: 3, keyPath: 'services.web.imgae', reason: 'did you mean "image"' };
    const good = { status: 1, stdout: '', stderr: `error: /x/malformed/f.yaml:3:5  services.web.imgae  unknown key — did you mean "image"?\n` };
    expect(problemsWith('f.yaml', exp, good)).toEqual([]);
    expect(problemsWith('f.yaml', exp, { ...good, status: 0 })).not.toEqual([]);
    expect(problemsWith('f.yaml', exp, { ...good, stdout: 'services: {}\n' })).not.toEqual([]);
    expect(problemsWith('f.yaml', exp, { ...good, stderr: good.stderr + '    at Object.<anonymous> (x.js:1:1)\n' })).not.toEqual([]);
    expect(problemsWith('f.yaml', exp, { ...good, stderr: good.stderr.replace(':3:5', ':4:5') })).not.toEqual([]);
    expect(problemsWith('f.yaml', exp, { ...good, stderr: good.stderr.replace('imgae', 'image') })).not.toEqual([]);
    expect(problemsWith('f.yaml', exp, { ...good, stderr: good.stderr.replace('did you mean', 'maybe') })).not.toEqual([]);
    expect(problemsWith('g.yaml', exp, good)).not.toEqual([]);
    // The key path must be the reported path, not just a word of the reason.
    const inReason: Expectation = { line: 3, keyPath: 'services', reason: 'duplicate key' };
    expect(problemsWith('f.yaml', inReason, { ...good, stderr: 'error: /x/malformed/f.yaml:3:1  duplicate key "services"\n' })).not.toEqual([]);
    expect(problemsWith('f.yaml', inReason, { ...good, stderr: 'error: /x/malformed/f.yaml:3:1  services  duplicate key "services"\n' })).toEqual([]);
    // A YAML syntax error has no key path; an empty expected path accepts that.
    const syntax: Expectation = { line: 3, keyPath: '', reason: 'invalid YAML' };
    expect(problemsWith('f.yaml', syntax, { ...good, stderr: 'error: /x/malformed/f.yaml:3:1  invalid YAML: bad\n' })).toEqual([]);
  });

  describe('tscompose config on each file', () => {
    let outcomes = new Map<string, Outcome>();
    let workDir = '';

    beforeAll(async () => {
      if (!fs.existsSync(CLI)) return; // each test then says what is missing
      workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-malformed-'));
      const results = await pool(corpusFiles, Math.max(2, Math.min(8, os.cpus().length)), (f) => runConfig(f, workDir));
      outcomes = new Map(corpusFiles.map((f, i) => [f, results[i]]));
    }, 300_000);

    afterAll(() => {
      if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    });

    it.each(corpusFiles)('%s', (file) => {
      expect(fs.existsSync(CLI) ? '' : `${CLI} is missing: build with "npx tsc -p ."`).toBe('');
      const exp = expected[file];
      const out = outcomes.get(file);
      expect(out).toBeDefined();
      expect(problemsWith(file, exp, out as Outcome)).toEqual([]);
    });
  });
});
