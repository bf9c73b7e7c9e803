/**
 * Stage helper: resolving relative paths of a compose tree against a base
 * directory (bind sources, build contexts, env_file, label_file, configs,
 * secrets, extends.file, local driver device …), and `~` against the home
 * directory. Works on short and long syntax alike, so it can run before
 * normalization (extends, include) and after it; resolving twice is harmless.
 * Remote build contexts (`https://`, `git@…`, `github.com/…`, any `scheme://`)
 * are left alone. Origins are kept; the input is never mutated.
 */
import path from 'node:path';
import { isList, isMap, sameOrigin, type Node, type TreeMap } from './tree';
import { isFilePath } from './volumes-syntax';

export interface PathOptions {
  /** What `~` stands for; without it `~` is left as written. */
  readonly homeDir?: string;
}

/** Resolves one path the way every rule below does. */
type Resolve = (p: string) => string;

/** Per-attribute rules for a service, keyed by the attribute they rewrite. */
const serviceRules: Readonly<Record<string, (value: Node, resolve: Resolve) => Node>> = {
  build: (v, r) => {
    if (typeof v === 'string') return contextPath(v, r);
    if (!isMap(v)) return v;
    const out: TreeMap = { ...v };
    if (typeof v.context === 'string') out.context = contextPath(v.context, r);
    if (v.additional_contexts !== undefined) out.additional_contexts = mapValues(v.additional_contexts, (s) => contextPath(s, r));
    if (v.ssh !== undefined) out.ssh = sshPaths(v.ssh, r);
    return out;
  },
  env_file: (v, r) => fileList(v, r),
  label_file: (v, r) => fileList(v, r),
  extends: (v, r) => {
    if (!isMap(v) || typeof v.file !== 'string' || isRemote(v.file)) return v;
    return { ...v, file: r(v.file) };
  },
  volumes: (v, r) => (isList(v) ? sameOrigin(v.map((item) => volumeMount(item, r)), v) : v),
  develop: (v, r) => {
    if (!isMap(v) || !isList(v.watch)) return v;
    const watch = sameOrigin(
      v.watch.map((w) => {
        if (!isMap(w)) return w;
        if (typeof w.path === 'string') return { ...w, path: r(w.path) };
        if (isList(w.path)) return { ...w, path: sameOrigin(w.path.map((p) => (typeof p === 'string' ? r(p) : p)), w.path) };
        return w;
      }),
      v.watch,
    );
    return { ...v, watch };
  },
};

const SERVICE_RULE_KEYS = Object.keys(serviceRules);

/** Per-resource rules for the top-level sections. */
const resourceRules: Readonly<Record<string, (value: TreeMap, resolve: Resolve) => TreeMap>> = {
  configs: (c, r) => (typeof c.file === 'string' ? { ...c, file: r(c.file) } : c),
  secrets: (s, r) => (typeof s.file === 'string' ? { ...s, file: r(s.file) } : s),
  volumes: (v, r) => {
    if (v.driver !== undefined && v.driver !== null && v.driver !== 'local') return v;
    const opts = v.driver_opts;
    if (!isMap(opts) || typeof opts.device !== 'string') return v;
    const o = opts.o;
    const bind = typeof o === 'string' && o.split(',').map((s) => s.trim()).includes('bind');
    return bind ? { ...v, driver_opts: { ...opts, device: r(opts.device) } } : v;
  },
};

/** Resolves every relative path inside one service definition against `baseDir`. */
export function resolveServicePaths(service: TreeMap, baseDir: string, opts: PathOptions = {}): TreeMap {
  return servicePaths(service, resolverFor(baseDir, opts));
}

function servicePaths(service: TreeMap, resolve: Resolve): TreeMap {
  let out: TreeMap | undefined;
  for (let i = 0; i < SERVICE_RULE_KEYS.length; i++) {
    const key = SERVICE_RULE_KEYS[i];
    if (!(key in service) || service[key] === null) continue;
    out ??= { ...service };
    out[key] = serviceRules[key](service[key], resolve);
  }
  return out ?? service;
}

/** Resolves every relative path in a whole (merged) model against `baseDir`. */
export function resolveProjectPaths(tree: TreeMap, baseDir: string, opts: PathOptions = {}): TreeMap {
  const resolve = resolverFor(baseDir, opts);
  const out: TreeMap = { ...tree };
  if (isMap(tree.services)) {
    const services: TreeMap = sameOrigin({}, tree.services);
    const names = Object.keys(tree.services);
    for (let i = 0; i < names.length; i++) {
      const svc = tree.services[names[i]];
      services[names[i]] = isMap(svc) ? servicePaths(svc, resolve) : svc;
    }
    out.services = services;
  }
  for (const section of Object.keys(resourceRules)) {
    const resources = tree[section];
    if (!isMap(resources)) continue;
    const rewritten: TreeMap = sameOrigin({}, resources);
    for (const [name, res] of Object.entries(resources)) rewritten[name] = isMap(res) ? resourceRules[section](res, resolve) : res;
    out[section] = rewritten;
  }
  return out;
}

/** `~` → home, then relative → under `baseDir`; absolute (POSIX or Windows) paths are kept. */
export function resolverFor(baseDir: string, opts: PathOptions): Resolve {
  // `path.join(baseDir, p)` is `baseDir/p` when both are already normal: a directory
  // without a trailing slash, and a path of plain names (a model repeats `./config/x`).
  const simpleBase = baseDir !== '/' && path.posix.isAbsolute(baseDir) && path.normalize(baseDir) === baseDir && !baseDir.endsWith('/');
  return (p) => {
    const expanded = expandUser(p, opts.homeDir);
    if (expanded === '~' || expanded.startsWith('~/')) return expanded; // no home directory known: keep it for later
    if (expanded === '' || path.posix.isAbsolute(expanded) || isWindowsAbs(expanded)) return expanded;
    if (simpleBase) {
      const names = plainNamesFrom(expanded);
      if (names >= 0) return `${baseDir}/${names === 0 ? expanded : expanded.slice(names)}`;
    }
    return path.join(baseDir, expanded);
  };
}

/**
 * Where the plain names of a relative path start (after one leading `./`), or -1 when
 * it is not made of plain names only (`.`, `..`, empty names, a trailing slash).
 */
function plainNamesFrom(p: string): number {
  const start = p.startsWith('./') ? 2 : 0;
  if (start >= p.length) return -1;
  let name = start;
  for (let i = start; i <= p.length; i++) {
    if (i < p.length && p.charCodeAt(i) !== 0x2f /* / */) continue;
    const len = i - name;
    if (len === 0) return -1;
    if (p.charCodeAt(name) === 0x2e /* . */ && (len === 1 || (len === 2 && p.charCodeAt(name + 1) === 0x2e))) return -1;
    name = i + 1;
  }
  return start;
}

export function expandUser(p: string, homeDir: string | undefined): string {
  if (homeDir === undefined) return p;
  if (p === '~') return homeDir;
  if (p.startsWith('~/')) return path.join(homeDir, p.slice(2));
  return p;
}

function isWindowsAbs(p: string): boolean {
  return /^[a-zA-Z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

/** Build contexts that name something other than a local directory. */
function isRemote(p: string): boolean {
  return p.includes('://') || ['github.com/', 'git@'].some((prefix) => p.startsWith(prefix));
}

function contextPath(p: string, r: Resolve): string {
  return isRemote(p) ? p : r(p);
}

function fileList(v: Node, r: Resolve): Node {
  const one = (item: Node): Node => {
    if (typeof item === 'string') return r(item);
    if (isMap(item) && typeof item.path === 'string') return { ...item, path: r(item.path) };
    return item;
  };
  return isList(v) ? sameOrigin(v.map(one), v) : one(v);
}

/** `additional_contexts` as a map or as a `name=path` list. */
function mapValues(v: Node, f: (s: string) => string): Node {
  if (isMap(v)) {
    const out: TreeMap = { ...v };
    for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = f(val);
    return out;
  }
  if (isList(v)) {
    return sameOrigin(
      v.map((item) => {
        if (typeof item !== 'string') return item;
        const eq = item.indexOf('=');
        return eq < 0 ? item : `${item.slice(0, eq)}=${f(item.slice(eq + 1))}`;
      }),
      v,
    );
  }
  return v;
}

/** `ssh: [default, key=./id_rsa]` or `{key: ./id_rsa}`: the path part, when there is one. */
function sshPaths(v: Node, r: Resolve): Node {
  if (isMap(v)) return mapValues(v, r);
  if (isList(v)) return mapValues(v, r);
  if (typeof v === 'string') {
    const eq = v.indexOf('=');
    return eq < 0 ? v : `${v.slice(0, eq)}=${r(v.slice(eq + 1))}`;
  }
  return v;
}

function volumeMount(item: Node, r: Resolve): Node {
  if (isMap(item)) {
    if (item.type !== 'bind' || typeof item.source !== 'string') return item;
    return { ...item, source: r(item.source) };
  }
  if (typeof item !== 'string') return item;
  // Short syntax: only a host-path source before the first colon is a path.
  const colon = item.search(/:(?!\\)/);
  if (colon <= 0) return item;
  const source = item.slice(0, colon);
  if (!isFilePath(source) || /^[a-zA-Z]$/.test(source)) return item;
  return r(source) + item.slice(colon);
}
