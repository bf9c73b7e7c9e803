/**
 * V8's code cache for the CLI's modules, made by `npm run build`
 * (scripts/build-code-cache.js) as the schema validator's is: a module
 * compiles from the cache instead of from its source, and finds the functions
 * the sample runs of the build needed already compiled. It is never written at
 * run time.
 *
 * Only a file the cache was made from is compiled from it: same path, size
 * and modification time, and the same Node.js. Any other file — or one whose
 * cached data V8 does not accept — compiles as Node.js compiles it.
 */
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/** Where `npm run build` leaves the cache: dist/code-cache/, beside dist/cli/. */
export const CODE_CACHE_DIR = path.join(__dirname, '..', 'code-cache');

const INDEX_FILE = 'index.json';
const DATA_FILE = 'cache.bin';

/** One module in the cache: the file it was made from, and where its data is in the data file. */
interface Entry {
  readonly size: number;
  readonly mtimeMs: number;
  readonly offset: number;
  readonly length: number;
}

interface Index {
  /** The Node.js version that made it (V8 takes data from its own version only). */
  readonly node: string;
  readonly files: Readonly<Record<string, Entry>>;
}

type Compile = (this: Module, content: string, filename: string) => unknown;

/** The parts of Node's Module that a module's own `require` is made of. */
interface ModuleInternals {
  _resolveFilename(request: string, parent: Module, isMain: boolean, options?: { paths?: string[] }): string;
  _resolveLookupPaths(request: string, parent: Module): string[] | null;
  _extensions: NodeJS.RequireExtensions;
  _cache: NodeJS.Dict<NodeJS.Module>;
}

const internals = Module as unknown as ModuleInternals;
const prototype = Module.prototype as unknown as { _compile: Compile };

/** A code cache in use. */
export interface CodeCacheUse {
  /** How many modules compiled from it so far (with data V8 took). */
  readonly modules: number;
}

/**
 * Makes the modules the cache in `dir` holds compile from it, from now on; undefined
 * when there is no cache there for this Node.js.
 */
export function useCodeCache(dir: string = CODE_CACHE_DIR): CodeCacheUse | undefined {
  // Source maps and the debugger want what Node.js does when it compiles a module itself.
  if (nodeCompilesItself()) return undefined;
  let index: Index;
  let data: Buffer;
  try {
    index = JSON.parse(fs.readFileSync(path.join(dir, INDEX_FILE), 'utf8')) as Index;
    data = fs.readFileSync(path.join(dir, DATA_FILE));
  } catch {
    return undefined;
  }
  if (index.node !== process.version || typeof index.files !== 'object' || index.files === null) return undefined;
  const files = index.files;
  const use = { modules: 0 };
  const original = prototype._compile;
  prototype._compile = function compile(content, filename) {
    const entry = Object.hasOwn(files, filename) ? files[filename] : undefined;
    if (entry === undefined || !madeFrom(filename, entry) || entry.offset + entry.length > data.length) {
      return original.call(this, content, filename);
    }
    const script = compiled(content, filename, data.subarray(entry.offset, entry.offset + entry.length));
    if (!script.cachedDataRejected) use.modules++;
    return run(script, this, filename);
  };
  return use;
}

/** Records the modules compiled from now on; `write` then saves their code cache (made when it is called) to `dir`. */
export function recordCodeCache(): { write(dir?: string): number } {
  const scripts = new Map<string, vm.Script>();
  const original = prototype._compile;
  prototype._compile = function compile(content, filename) {
    // A module that may import() dynamically needs Node's own compilation (a vm.Script has no loader for it).
    if (content.startsWith('#!') || content.includes('import(')) return original.call(this, content, filename);
    const script = compiled(content, filename, undefined);
    scripts.set(filename, script);
    return run(script, this, filename);
  };
  return {
    write(dir = CODE_CACHE_DIR) {
      const files: Record<string, Entry> = {};
      const parts: Buffer[] = [];
      let offset = 0;
      for (const [filename, script] of scripts) {
        const stat = fs.statSync(filename);
        const cached = script.createCachedData();
        files[filename] = { size: stat.size, mtimeMs: stat.mtimeMs, offset, length: cached.length };
        parts.push(cached);
        offset += cached.length;
      }
      fs.mkdirSync(dir, { recursive: true });
      writeAtomically(path.join(dir, DATA_FILE), Buffer.concat(parts));
      writeAtomically(path.join(dir, INDEX_FILE), JSON.stringify({ node: process.version, files } satisfies Index));
      return scripts.size;
    },
  };
}

function nodeCompilesItself(): boolean {
  const sourceMaps = (process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled === true;
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return sourceMaps || flags.some((f) => f.startsWith('--inspect') || f.startsWith('--enable-source-maps'));
}

function madeFrom(filename: string, entry: Entry): boolean {
  try {
    const stat = fs.statSync(filename);
    return stat.size === entry.size && stat.mtimeMs === entry.mtimeMs;
  } catch {
    return false;
  }
}

/** The module's source wrapped as Node.js wraps it, compiled (from `cachedData` when V8 takes it). */
function compiled(content: string, filename: string, cachedData: Buffer | undefined): vm.Script {
  return new vm.Script(Module.wrap(content), { filename, cachedData });
}

type Wrapper = (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => unknown;

/** Runs a compiled module as Node.js runs it: `this` its exports, and a `require` of its own. */
function run(script: vm.Script, mod: Module, filename: string): unknown {
  const wrapper = script.runInThisContext({ displayErrors: true }) as Wrapper;
  return Reflect.apply(wrapper, mod.exports, [mod.exports, requireOf(mod), mod, filename, path.dirname(filename)]);
}

/** What Node.js gives a module as `require` (lib/internal/modules/helpers.js makeRequireFunction). */
function requireOf(mod: Module): NodeJS.Require {
  const require = function require(id: string): unknown {
    return mod.require(id);
  } as NodeJS.Require;
  const resolve = function resolve(request: string, options?: { paths?: string[] }): string {
    return internals._resolveFilename(request, mod, false, options);
  } as NodeJS.RequireResolve;
  resolve.paths = (request: string) => internals._resolveLookupPaths(request, mod);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = internals._extensions;
  require.cache = internals._cache;
  return require;
}

function writeAtomically(file: string, data: string | Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}
