/**
 * The plain tree every loader stage works on: JSON-like values, where maps and
 * lists carry their source origin under a symbol key.
 *
 * The origin symbol is an own *enumerable* symbol property, so `{ ...map }`
 * keeps it, while `Object.keys`, `JSON.stringify` and `for…in` ignore it.
 * Scalars cannot carry metadata: their position is stored in the parent's
 * origin (`keys[k].value` for a map entry, `items[i]` for a list item).
 */

export type Scalar = string | number | boolean | null;
export type Node = Scalar | TreeMap | TreeList;
export interface TreeMap {
  [key: string]: Node;
}
export type TreeList = Node[];

/** A place in a source file; line and col are 1-based. */
export interface Pos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** YAML tags that change how the merge stage treats a value. */
export type MergeTag = 'reset' | 'override';

export interface Origin {
  /** Where the map or list itself starts. */
  readonly pos: Pos;
  /** For maps: where each key and its value are. */
  readonly keys?: Readonly<Record<string, { readonly key: Pos; readonly value: Pos }>>;
  /** For lists: where each item is. */
  readonly items?: readonly Pos[];
  /** `!reset` / `!override` tags on map entries (by key) or on the node itself. */
  readonly tags?: Readonly<Record<string, MergeTag>>;
  readonly tag?: MergeTag;
}

export const ORIGIN: unique symbol = Symbol('tscompose.origin');

type WithOrigin = { [ORIGIN]?: Origin };

export function isMap(n: unknown): n is TreeMap {
  return typeof n === 'object' && n !== null && !Array.isArray(n);
}

export function isList(n: unknown): n is TreeList {
  return Array.isArray(n);
}

export function originOf(n: unknown): Origin | undefined {
  if (typeof n !== 'object' || n === null) return undefined;
  return (n as WithOrigin)[ORIGIN];
}

/** Attaches an origin to a map or list (in place) and returns it. */
export function withOrigin<T extends TreeMap | TreeList>(n: T, origin: Origin | undefined): T {
  // A plain assignment makes the same own enumerable, writable, configurable property, faster.
  if (origin) (n as WithOrigin)[ORIGIN] = origin;
  return n;
}

/** Copies the origin of `from` onto `to`. */
export function sameOrigin<T extends TreeMap | TreeList>(to: T, from: unknown): T {
  return withOrigin(to, originOf(from));
}

/**
 * `{ ...map }`, origin included. A large map (a model's services) is copied key by
 * key: V8 makes a spread copy of one a fast-mode object with as many fields, which
 * is very slow to write into.
 */
export function copyMap(map: TreeMap): TreeMap {
  const keys = Object.keys(map);
  if (keys.length <= SPREAD_LIMIT) return { ...map };
  const out: TreeMap = {};
  for (let i = 0; i < keys.length; i++) out[keys[i]] = map[keys[i]];
  return sameOrigin(out, map);
}

const SPREAD_LIMIT = 32;

/** Where a map's key (or its value) sits in the source. */
export function keyPos(map: unknown, key: string, which: 'key' | 'value' = 'value'): Pos | undefined {
  return originOf(map)?.keys?.[key]?.[which] ?? originOf(map)?.pos;
}

/** Where a list's item sits in the source. */
export function itemPos(list: unknown, index: number): Pos | undefined {
  return originOf(list)?.items?.[index] ?? originOf(list)?.pos;
}

export type PathSegment = string | number;
export type TreePath = readonly PathSegment[];

/** `['services','web','ports',1]` → `services.web.ports[1]`. */
export function formatPath(path: TreePath): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/**
 * The best-known source position of the value at `path`: the deepest
 * container along the path that knows where its child is.
 * `which: 'key'` points at the key of the last segment instead of its value.
 */
export function locate(root: Node, path: TreePath, which: 'key' | 'value' = 'value'): Pos | undefined {
  let best: Pos | undefined = originOf(root)?.pos;
  let node: Node | undefined = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node) && typeof seg === 'string') {
      best = keyPos(node, seg, last ? which : 'value') ?? best;
      node = node[seg];
    } else if (isList(node) && typeof seg === 'number') {
      best = itemPos(node, seg) ?? best;
      node = node[seg];
    } else {
      break;
    }
    if (node === undefined) break;
  }
  return best;
}

/** The value at `path`, or undefined. */
export function getIn(root: Node | undefined, path: TreePath): Node | undefined {
  let node: Node | undefined = root;
  for (const seg of path) {
    if (isMap(node) && typeof seg === 'string') node = node[seg];
    else if (isList(node) && typeof seg === 'number') node = node[seg];
    else return undefined;
  }
  return node;
}

/** A deep copy that keeps origins. */
export function cloneTree<T extends Node>(n: T): T {
  if (isList(n)) return sameOrigin(n.map(cloneTree), n) as T;
  if (isMap(n)) {
    const out: TreeMap = {};
    for (const k of Object.keys(n)) out[k] = cloneTree(n[k]);
    return sameOrigin(out, n) as T;
  }
  return n;
}

/** A copy of `n` without origins: for output and deep comparison. */
export function stripOrigins<T extends Node>(n: T): T {
  if (isList(n)) return n.map(stripOrigins) as T;
  if (isMap(n)) {
    const out: TreeMap = {};
    for (const k of Object.keys(n)) out[k] = stripOrigins(n[k]);
    return out as T;
  }
  return n;
}
