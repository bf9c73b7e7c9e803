/**
 * The CLI's code cache: recorded modules compile from the cache written for them,
 * changed ones from their source, and a module gets the `require` Node.js gives it.
 *
 * Jest replaces Node's module loader inside tests, so each step runs in a Node.js
 * process of its own, on code-cache.ts transpiled as tsc would.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

let dir: string;
let codeCache: string;
let cacheDir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-code-cache-'));
  codeCache = path.join(dir, 'code-cache.js');
  const source = fs.readFileSync(path.resolve(__dirname, '../../../src/cli/code-cache.ts'), 'utf8');
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  fs.writeFileSync(codeCache, js);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

let project: string;

beforeEach(() => {
  project = fs.mkdtempSync(path.join(dir, 'project-'));
  cacheDir = path.join(project, 'cache');
  fs.writeFileSync(path.join(project, 'a.js'), 'exports.twice = (n) => n * 2;\n');
  fs.writeFileSync(
    path.join(project, 'b.js'),
    [
      "const a = require('./a');",
      'exports.four = a.twice(2);',
      "exports.resolved = require.resolve('./a');",
      "exports.cached = Object.keys(require.cache).some((f) => f.endsWith('a.js'));",
      'exports.main = require.main === process.mainModule;',
      'exports.self = this === module.exports;',
      'exports.where = [__filename, __dirname];',
      '',
    ].join('\n'),
  );
});

/** Runs `body` (JavaScript, with `cc` the code-cache module and `b` the path of b.js) in a new Node.js; returns what it prints, parsed. */
function inNode(body: string, nodeArgs: readonly string[] = []): Record<string, unknown> {
  const driver = path.join(project, `driver-${Math.random().toString(36).slice(2)}.js`);
  fs.writeFileSync(driver, `const cc = require(${JSON.stringify(codeCache)});\nconst b = ${JSON.stringify(path.join(project, 'b.js'))};\n${body}\n`);
  const r = spawnSync(process.execPath, [...nodeArgs, driver], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  if (r.status !== 0) throw new Error(`node ${driver} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const record = (): Record<string, unknown> =>
  inNode(`const rec = cc.recordCodeCache(); require(b); console.log(JSON.stringify({ modules: rec.write(${JSON.stringify(cacheDir)}) }));`);

const use = (nodeArgs: readonly string[] = []): Record<string, unknown> =>
  inNode(`const use = cc.useCodeCache(${JSON.stringify(cacheDir)}); const m = require(b); console.log(JSON.stringify({ ...m, used: use === undefined ? null : use.modules }));`, nodeArgs);

describe('code cache', () => {
  it('compiles the modules it recorded from the cache it wrote', () => {
    expect(record()).toEqual({ modules: 2 });
    expect(use()).toMatchObject({ four: 4, used: 2 });
  });

  it('gives a module what Node.js gives it: require, require.resolve, require.cache, require.main, this, __filename', () => {
    record();
    const m = use();
    expect(m).toMatchObject({ resolved: path.join(project, 'a.js'), cached: true, main: true, self: true });
    expect(m.where).toEqual([path.join(project, 'b.js'), project]);
    expect(m.used).toBe(2);
  });

  it('compiles a module changed since from its source', () => {
    record();
    // Same length, other behaviour: only the file's modification time tells.
    fs.writeFileSync(path.join(project, 'a.js'), 'exports.twice = (n) => n * 3;\n');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(project, 'a.js'), later, later);
    expect(use()).toMatchObject({ four: 6, used: 1 });
  });

  it('is not used without a cache, or with one another Node.js made', () => {
    expect(use()).toMatchObject({ four: 4, used: null });
    record();
    const index = path.join(cacheDir, 'index.json');
    fs.writeFileSync(index, JSON.stringify({ ...JSON.parse(fs.readFileSync(index, 'utf8')), node: 'v0.0.0' }));
    expect(use()).toMatchObject({ four: 4, used: null });
  });

  it('leaves compiling to Node.js when source maps are on', () => {
    record();
    expect(use(['--enable-source-maps'])).toMatchObject({ four: 4, used: null });
  });

  it('still loads a module whose cached data V8 does not take', () => {
    record();
    const data = path.join(cacheDir, 'cache.bin');
    fs.writeFileSync(data, Buffer.alloc(fs.statSync(data).size, 7));
    expect(use()).toMatchObject({ four: 4, used: 0 });
  });
});
