/**
 * Stage: merging one compose tree over another (override files, extends).
 * Maps are merged key by key, scalars replaced, sequences appended — except
 * where merge-rules.ts says otherwise. `!reset` on an override key removes it
 * from the result, `!override` replaces the base value without merging.
 * Origins are kept: every key of the result points at the file that set it
 * (the override's position wins). The inputs are never mutated.
 */
import { mergeRuleFor, type ItemKey, type MergeRule } from './merge-rules';
import { isList, isMap, itemPos, keyPos, originOf, withOrigin, type Node, type Origin, type Pos, type TreeList, type TreeMap } from './tree';

/** Merges `override` over `base` (two whole compose files). */
export function mergeTrees(base: TreeMap, override: TreeMap): TreeMap {
  return mergeMaps({ node: base }, { node: override }, []);
}

/**
 * `mergeTrees(withOrigin({}, undefined), tree)` (what a lone file goes through) for a
 * tree known to hold no merge tag — its files hold no `!`: the tree itself, when that
 * merge would only copy it (its origin places each of its keys, and nothing else).
 */
export function mergeUntagged(tree: TreeMap): TreeMap {
  const origin = originOf(tree);
  const placed = origin?.keys;
  const keys = Object.keys(tree);
  let copiedAsIs = origin !== undefined && origin.pos !== undefined && placed !== undefined;
  copiedAsIs &&= origin?.tags === undefined && origin?.tag === undefined && origin?.items === undefined;
  if (copiedAsIs && placed !== undefined) {
    let count = 0;
    for (const _ in placed) count++;
    // A key `{}` has too (`constructor` …) is left out by the merge.
    copiedAsIs = count === keys.length && keys.every((k) => placed[k] !== undefined && !(k in EMPTY));
  }
  return copiedAsIs ? tree : mergeTrees(withOrigin({}, undefined), tree);
}

const EMPTY: TreeMap = {};

/**
 * Merges the value `override` over `base`, both found at `path` of a compose
 * tree (e.g. `['services', 'web']` to merge two service definitions: the
 * rules of `services.*.…` then apply).
 */
export function mergeAt(base: Node, override: Node, path: readonly string[]): Node {
  return mergeValue({ node: base }, { node: override }, path);
}

/** A copy without `!reset` keys and without merge tags, origins kept. */
export function withoutMergeTags<T extends Node>(n: T): T {
  return fresh(n) as T;
}

/** A value and where it is written (needed for scalars, which carry no origin). */
interface Slot<T extends Node = Node> {
  readonly node: T;
  readonly at?: Pos;
}

function mergeValue(base: Slot, over: Slot, path: readonly string[]): Node {
  // An empty override (`key:` or `key: null`) leaves the base alone.
  if (over.node === null) return fresh(base.node);
  const rule = mergeRuleFor(path);
  if (rule) return applyRule(rule, base, over, path);
  if (isMap(base.node) && isMap(over.node)) return mergeMaps(base as Slot<TreeMap>, over as Slot<TreeMap>, path);
  if (isList(base.node) && isList(over.node)) return concat([listSlot(base), listSlot(over)], originOf(base.node)?.pos ?? base.at);
  return fresh(over.node);
}

function mergeMaps(base: Slot<TreeMap>, over: Slot<TreeMap>, path: readonly string[]): TreeMap {
  const b = base.node;
  const o = over.node;
  const tags = originOf(o)?.tags ?? {};
  const baseTags = originOf(b)?.tags ?? {};
  const out: TreeMap = {};
  const keys: Record<string, { key: Pos; value: Pos }> = {};
  const record = (map: TreeMap, k: string): void => {
    const p = originOf(map)?.keys?.[k];
    if (p) keys[k] = p;
  };
  for (const k of Object.keys(b)) {
    if (tags[k] === 'reset' || baseTags[k] === 'reset') continue;
    if (!(k in o)) {
      out[k] = fresh(b[k]);
      record(b, k);
    } else if (tags[k] === 'override') {
      out[k] = fresh(o[k]);
      record(o, k);
    } else {
      out[k] = mergeValue({ node: b[k], at: keyPos(b, k) }, { node: o[k], at: keyPos(o, k) }, [...path, k]);
      if (o[k] === null) record(b, k);
      else record(o, k);
    }
  }
  for (const k of Object.keys(o)) {
    if ((k in b && baseTags[k] !== 'reset') || tags[k] === 'reset') continue;
    out[k] = fresh(o[k]);
    record(o, k);
  }
  const pos = originOf(b)?.pos ?? base.at ?? originOf(o)?.pos ?? over.at;
  return withOrigin(out, pos ? { pos, keys } : undefined);
}

function applyRule(rule: MergeRule, base: Slot, over: Slot, path: readonly string[]): Node {
  switch (rule.kind) {
    case 'replace':
      return fresh(over.node);
    case 'keyValue':
      return mergeKeyValue(base, over);
    case 'unique':
      return mergeUnique(base, over, rule.key, rule.fromMap === true);
    case 'namedMap': {
      const b = asNamedMap(base, rule.item);
      const o = asNamedMap(over, rule.item);
      return b && o ? mergeMaps(b, o, path) : fresh(over.node);
    }
    case 'logging': {
      if (!isMap(base.node) || !isMap(over.node)) return fresh(over.node);
      const bd = base.node.driver;
      const od = over.node.driver;
      const same = bd === undefined || bd === null || od === undefined || od === null || bd === od;
      return same ? mergeMaps(base as Slot<TreeMap>, over as Slot<TreeMap>, path) : fresh(over.node);
    }
    case 'build': {
      const b = asBuild(base);
      const o = asBuild(over);
      return b && o ? mergeMaps(b, o, path) : fresh(over.node);
    }
    case 'ipamConfig':
      return mergeIpamConfig(base, over, path);
  }
}

// ---------------------------------------------------------------- key=value maps

interface Entry {
  readonly key: string;
  readonly value: Node;
  readonly pos?: { key: Pos; value: Pos };
}

/** A `list_or_dict` value as ordered entries; `undefined` if it is neither. */
function keyValueEntries(slot: Slot): { entries: Entry[]; resets: Set<string> } | undefined {
  const n = slot.node;
  if (isMap(n)) {
    const origin = originOf(n);
    const tags = origin?.tags ?? {};
    const resets = new Set(Object.keys(tags).filter((k) => tags[k] === 'reset'));
    const entries = Object.keys(n)
      .filter((k) => !resets.has(k))
      .map((k) => ({ key: k, value: fresh(n[k]), pos: origin?.keys?.[k] }));
    return { entries, resets };
  }
  if (isList(n)) {
    const entries: Entry[] = [];
    n.forEach((item, i) => {
      if (item === null) return;
      const s = String(item);
      const eq = s.indexOf('=');
      const p = itemPos(n, i);
      entries.push({ key: eq < 0 ? s : s.slice(0, eq), value: eq < 0 ? null : s.slice(eq + 1), pos: p ? { key: p, value: p } : undefined });
    });
    return { entries, resets: new Set() };
  }
  return undefined;
}

function mergeKeyValue(base: Slot, over: Slot): Node {
  const b = keyValueEntries(base);
  const o = keyValueEntries(over);
  if (!b || !o) return fresh(over.node);
  const out: TreeMap = {};
  const keys: Record<string, { key: Pos; value: Pos }> = {};
  for (const e of [...b.entries, ...o.entries]) {
    out[e.key] = e.value;
    if (e.pos) keys[e.key] = e.pos;
  }
  for (const k of o.resets) {
    delete out[k];
    delete keys[k];
  }
  const pos = originOf(base.node)?.pos ?? base.at;
  return withOrigin(out, pos ? { pos, keys } : undefined);
}

// ---------------------------------------------------------------- unique sequences

interface ListSlot {
  readonly items: readonly Node[];
  readonly positions: readonly (Pos | undefined)[];
}

function listSlot(slot: Slot): ListSlot {
  const n = slot.node;
  if (isList(n)) return { items: n, positions: n.map((_, i) => itemPos(n, i)) };
  return { items: [n], positions: [slot.at] };
}

/** `{host: ip}` / `{host: [ip1, ip2]}` → `host=ip`, … (extra_hosts). */
function mapAsList(slot: Slot<TreeMap>): ListSlot {
  const n = slot.node;
  const items: Node[] = [];
  const positions: (Pos | undefined)[] = [];
  for (const k of Object.keys(n)) {
    const v = n[k];
    const values = isList(v) ? v : [v];
    for (const one of values) {
      items.push(one === null ? k : `${k}=${String(one)}`);
      positions.push(keyPos(n, k));
    }
  }
  return { items, positions };
}

function concat(parts: readonly ListSlot[], pos: Pos | undefined): TreeList {
  const items: Node[] = [];
  const positions: Pos[] = [];
  for (const p of parts) {
    p.items.forEach((item, i) => {
      items.push(fresh(item));
      const at = p.positions[i] ?? pos;
      if (at) positions.push(at);
    });
  }
  return withOrigin(items, pos ? { pos, items: positions.length === items.length ? positions : undefined } : undefined);
}

function mergeUnique(base: Slot, over: Slot, key: ItemKey, fromMap: boolean): Node {
  const toList = (s: Slot): ListSlot | undefined => {
    if (isList(s.node) || typeof s.node === 'string' || typeof s.node === 'number') return listSlot(s);
    if (fromMap && isMap(s.node)) return mapAsList(s as Slot<TreeMap>);
    return undefined;
  };
  const b = toList(base);
  const o = toList(over);
  if (!b || !o) return fresh(over.node);
  const items: Node[] = [];
  const positions: (Pos | undefined)[] = [];
  const index = new Map<string, number>();
  for (const part of [b, o]) {
    part.items.forEach((item, i) => {
      const k = key(item);
      const at = index.get(k);
      if (at === undefined) {
        index.set(k, items.length);
        items.push(item);
        positions.push(part.positions[i]);
      } else {
        items[at] = item;
        positions[at] = part.positions[i];
      }
    });
  }
  return concat([{ items, positions }], originOf(base.node)?.pos ?? base.at);
}

// ---------------------------------------------------------------- named maps, build, ipam

function asNamedMap(slot: Slot, item: () => Node): Slot<TreeMap> | undefined {
  const n = slot.node;
  if (isMap(n)) return slot as Slot<TreeMap>;
  if (!isList(n)) return undefined;
  const out: TreeMap = {};
  const keys: Record<string, { key: Pos; value: Pos }> = {};
  n.forEach((name, i) => {
    if (name === null || typeof name === 'object') return;
    out[String(name)] = item();
    const p = itemPos(n, i);
    if (p) keys[String(name)] = { key: p, value: p };
  });
  const pos = originOf(n)?.pos ?? slot.at;
  return { node: withOrigin(out, pos ? { pos, keys } : undefined), at: slot.at };
}

function asBuild(slot: Slot): Slot<TreeMap> | undefined {
  const n = slot.node;
  if (isMap(n)) return slot as Slot<TreeMap>;
  if (typeof n !== 'string') return undefined;
  const at = slot.at;
  return { node: withOrigin({ context: n }, at ? { pos: at, keys: { context: { key: at, value: at } } } : undefined), at };
}

function mergeIpamConfig(base: Slot, over: Slot, path: readonly string[]): Node {
  if (!isList(base.node) || !isList(over.node)) return fresh(over.node);
  const items: Node[] = [];
  const positions: (Pos | undefined)[] = [];
  const bySubnet = new Map<string, number>();
  const add = (list: TreeList, i: number): void => {
    const item = list[i];
    const subnet = isMap(item) && typeof item.subnet === 'string' ? item.subnet : undefined;
    const at = subnet === undefined ? undefined : bySubnet.get(subnet);
    if (at !== undefined && isMap(items[at]) && isMap(item)) {
      items[at] = mergeMaps({ node: items[at] as TreeMap }, { node: item }, path);
      positions[at] = itemPos(list, i);
      return;
    }
    if (subnet !== undefined) bySubnet.set(subnet, items.length);
    items.push(item);
    positions.push(itemPos(list, i));
  };
  base.node.forEach((_, i) => add(base.node as TreeList, i));
  over.node.forEach((_, i) => add(over.node as TreeList, i));
  return concat([{ items, positions }], originOf(base.node)?.pos ?? base.at);
}

// ---------------------------------------------------------------- copies

function untagged(o: Origin | undefined, drop: ReadonlySet<string>): Origin | undefined {
  if (!o) return undefined;
  const keys = o.keys ? Object.fromEntries(Object.entries(o.keys).filter(([k]) => !drop.has(k))) : undefined;
  return { pos: o.pos, ...(keys ? { keys } : {}), ...(o.items ? { items: o.items } : {}) };
}

const NOTHING: ReadonlySet<string> = new Set();

/**
 * The value minus `!reset` keys and merge tags, origins kept. Parts without any
 * tag are returned as they are (stages never mutate a tree, so sharing is safe):
 * only what holds a tag is copied.
 */
function fresh(n: Node): Node {
  if (isList(n)) {
    let out: TreeList | undefined;
    for (let i = 0; i < n.length; i++) {
      const v = fresh(n[i]);
      if (out === undefined && v !== n[i]) out = n.slice(0, i);
      if (out !== undefined) out.push(v);
    }
    const origin = originOf(n);
    if (out === undefined && !hasTags(origin)) return n;
    return withOrigin(out ?? n.slice(), untagged(origin, NOTHING));
  }
  if (isMap(n)) {
    const origin = originOf(n);
    const tags = origin?.tags;
    const drop = tags ? new Set(Object.keys(tags).filter((k) => tags[k] === 'reset')) : NOTHING;
    const keys = Object.keys(n);
    let out: TreeMap | undefined;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const v = drop.has(k) ? undefined : fresh(n[k]);
      if (out === undefined && v !== n[k]) {
        out = {};
        for (let j = 0; j < i; j++) out[keys[j]] = n[keys[j]];
      }
      if (out !== undefined && v !== undefined) out[k] = v;
    }
    if (out === undefined && !hasTags(origin)) return n;
    if (out === undefined) {
      out = {};
      for (const k of keys) out[k] = n[k];
    }
    return withOrigin(out, untagged(origin, drop));
  }
  return n;
}

function hasTags(o: Origin | undefined): boolean {
  return o !== undefined && (o.tags !== undefined || o.tag !== undefined);
}
