/**
 * The parse stage's fast path: reads YAML with js-yaml and builds the plain
 * tree, origins included, from its `listener` events — the very tree the
 * `yaml` package path gives (same positions, same scalar values under the core
 * schema with YAML 1.1 octals, same anchors, aliases, merge keys and merge tags).
 *
 * js-yaml calls the listener when it opens a node (at the offset where it
 * starts looking for it) and when it closes one (with the node's kind, raw
 * result, tag and anchor). Children close before their parent, so stacks of
 * closed nodes give each collection its children in order. A node's first
 * character is found by skipping white space, comments, `&anchor` and `!tag`.
 *
 * Each node is built when it closes. That is what the parse stage's walker
 * (parse.ts) does in document order, as long as no anchor is defined twice, no
 * alias points into the node that holds it and no anchor sits inside a `!reset`
 * value; an alias gives a copy of what its anchor built.
 *
 * Anything this reader does not reproduce exactly returns `undefined`, and the
 * caller reads the file with the `yaml` package instead: syntax errors, keys
 * that are not scalars or are anchored/aliased/tagged, tags other than
 * `!reset`/`!override`, directives, empty sequence entries, `?` keys without a
 * value, pairs in flow sequences, keys equal once resolved (`1` and `01`),
 * lone CR line breaks, merge keys that do not merge mappings, documents that
 * expand to very many nodes — all rare in Compose files.
 */
import type { Schema } from 'js-yaml';
import { cloneTree, originOf, withOrigin, type MergeTag, type Node, type Pos, type TreeList, type TreeMap } from './tree';
import { plainScalar } from './yaml-source-node';

/** The tags the merge stage reads; every other explicit tag is left to the `yaml` package. */
const MERGE_TAGS = ['!reset', '!override'];

/**
 * No implicit types: every plain scalar arrives as its text (tag `?`) and is
 * resolved by `plainScalar`, exactly as the `yaml` package does. No merge type
 * either: `<<` is applied here.
 */
let schema: Schema | undefined;

/** js-yaml and the schema above, loaded when first needed (most files never need them: see yaml-block-reader.ts). */
function jsYaml(): { load: typeof import('js-yaml').load; schema: Schema } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { FAILSAFE_SCHEMA, load, Type } = require('js-yaml') as typeof import('js-yaml');
  schema ??= FAILSAFE_SCHEMA.extend(
    MERGE_TAGS.flatMap((tag) => (['scalar', 'sequence', 'mapping'] as const).map((kind) => new Type(tag, { kind }))),
  );
  return { load, schema };
}

/** As many nodes as the parse stage builds before it calls the document an alias bomb. */
const MAX_NODES = 1_000_000;

/** The fields of js-yaml's loader state the listener reads. */
interface LoaderState {
  readonly position: number;
  readonly kind: 'scalar' | 'sequence' | 'mapping' | null;
  result: unknown;
  readonly tag: string | null;
  readonly anchor: string | null;
  readonly version: string | null;
  readonly tagMap: Record<string, string>;
}

/** What js-yaml's collections are replaced with once read (never written to). */
const SEQUENCE: readonly unknown[] = Object.freeze([]);
const MAPPING: Readonly<Record<string, unknown>> = Object.freeze({});

/** Thrown inside the listener to give up; caught below. */
class GiveUp extends Error {}
const giveUp = new GiveUp('not reproducible on the fast path');

/** How a closed node was written. */
const enum Kind {
  Scalar,
  Empty,
  Alias,
  Seq,
  Map,
}

export interface FastRead {
  /** The document's value (`null` for an empty document). */
  readonly value: Node;
  /** Offset of its first character in the source, -1 when empty. */
  readonly start: number;
}

/**
 * The tree of `source` (positions from `posAt`, which takes offsets into
 * `source`), or `undefined` when the `yaml` package must read it.
 */
export function readFast(source: string, posAt: (offset: number) => Pos): FastRead | undefined {
  if (source.indexOf('\0') !== -1) return undefined;
  // A tab where the `yaml` package sees indentation (js-yaml may skip it as separation).
  if (source.indexOf('\t') !== -1 && /^ *\t/m.test(source)) return undefined;
  const cr = source.indexOf('\r');
  if (cr !== -1 && /\r(?!\n)/.test(source.slice(cr))) return undefined;
  // js-yaml drops a byte order mark; offsets are kept relative to the source as given.
  const shift = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  const reader = new Reader(shift === 1 ? source.slice(1) : source, shift, posAt);
  const yaml = jsYaml();
  try {
    yaml.load(reader.text, { schema: yaml.schema, listener: reader.listener, json: false });
  } catch {
    return undefined;
  }
  if (reader.rootKind === undefined) return { value: null, start: -1 };
  // A block collection may not start on the line of the `---` marker (js-yaml lets it).
  if ((reader.rootKind === Kind.Map || reader.rootKind === Kind.Seq) && reader.rootStart >= 0) {
    const at = reader.rootStart - shift;
    const first = reader.text.charCodeAt(at);
    if (first !== 0x5b && first !== 0x7b && reader.text.startsWith('---', reader.text.lastIndexOf('\n', at - 1) + 1)) return undefined;
  }
  return { value: reader.rootValue, start: reader.rootStart };
}

/** What an anchor stands for: its value, and how many nodes building it took. */
interface Anchored {
  readonly value: Node;
  readonly size: number;
}

class Reader {
  /*
   * Closed nodes not yet claimed by their parent, one slot each in these stacks,
   * used up to `top` (overwritten, never shortened): the value built, js-yaml's
   * raw result, where the node starts (-1: nowhere) and where its content ends
   * (see contentEnd), how it was written, its tag and anchor, whether it is a
   * plain scalar, and how many anchors were defined inside it.
   */
  private readonly values: Node[] = [];
  private readonly raws: unknown[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly kinds: Kind[] = [];
  private readonly tags: (string | undefined)[] = [];
  private readonly anchored: boolean[] = [];
  private readonly plains: boolean[] = [];
  private readonly anchorsInside: number[] = [];
  private top = 0;
  /** Per open node: where js-yaml started looking for it, the stack top and counters then. */
  private readonly opens: number[] = [];
  private readonly marks: number[] = [];
  private readonly builtAtOpen: number[] = [];
  private readonly anchorsAtOpen: number[] = [];

  private readonly anchors = new Map<string, Anchored>();
  private anchorCount = 0;
  /** Nodes built so far, alias copies included (at least what the walker counts). */
  private built = 0;

  /** The node `close` last read. */
  private kind: Kind = Kind.Scalar;
  private start = -1;
  private contentEnd = -1;
  private tag: string | undefined;
  private anchor: string | undefined;
  private plain = false;

  rootValue: Node = null;
  rootStart = -1;
  rootKind: Kind | undefined;

  constructor(
    readonly text: string,
    private readonly shift: number,
    private readonly posAt: (offset: number) => Pos,
  ) {}

  readonly listener = (event: 'open' | 'close', state: unknown): void => {
    const s = state as LoaderState;
    if (event === 'open') {
      this.opens.push(s.position);
      this.marks.push(this.top);
      this.builtAtOpen.push(this.built);
      this.anchorsAtOpen.push(this.anchorCount);
      return;
    }
    const open = this.opens.pop() as number;
    const mark = this.marks.pop() as number;
    const builtAtOpen = this.builtAtOpen.pop() as number;
    const anchorsAtOpen = this.anchorsAtOpen.pop() as number;
    const value = this.close(s, open, mark);
    if (++this.built > MAX_NODES) throw giveUp;
    if (this.anchor !== undefined && !(this.kind === Kind.Alias)) this.define(this.anchor, value, this.built - builtAtOpen);
    this.top = mark;
    if (this.opens.length === 0) {
      if (s.version !== null || hasKeys(s.tagMap)) throw giveUp;
      this.rootValue = value;
      this.rootStart = this.start;
      this.rootKind = this.kind;
      return;
    }
    // js-yaml's own mapping or sequence is not needed any more: hand its parent a
    // stand-in, so that js-yaml does not keep a second copy of the document alive.
    if (s.result !== null && typeof s.result === 'object' && (s.kind === 'mapping' || s.kind === 'sequence')) {
      s.result = Array.isArray(s.result) ? SEQUENCE : MAPPING;
    }
    this.values[mark] = value;
    this.raws[mark] = s.result;
    this.starts[mark] = this.start;
    this.ends[mark] = this.contentEnd;
    this.kinds[mark] = this.kind;
    this.tags[mark] = this.tag;
    this.anchored[mark] = this.anchor !== undefined;
    this.plains[mark] = this.plain;
    this.anchorsInside[mark] = this.anchorCount - anchorsAtOpen;
    this.top = mark + 1;
  };

  /** Registers an anchor (in document order, as the walker would); one defined twice is left to the `yaml` package. */
  private define(name: string, value: Node, size: number): void {
    if (this.anchors.has(name)) throw giveUp;
    this.anchors.set(name, { value, size });
    this.anchorCount++;
  }

  /** Reads the node that closes; sets kind, start, contentEnd, tag, anchor and plain; returns its value. */
  private close(s: LoaderState, open: number, mark: number): Node {
    const text = this.text;
    // js-yaml reads a copy with a line break added at the end when there is none.
    const end = Math.min(s.position, text.length);
    const kind = s.kind;
    const result = s.result;
    const count = this.top - mark;

    // Properties, then the first character of the content.
    let p = open;
    let anchor: string | undefined;
    let tag: string | undefined;
    let broke = false;
    let commentLine = false;
    for (;;) {
      const c = text.charCodeAt(p);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
        if (c === 0x0a) broke = true;
        p++;
      } else if (c === 0x23 /* # */) {
        if (p === open && p > 0 && !isSpaceOrBreak(text.charCodeAt(p - 1))) throw giveUp;
        if (broke) commentLine = true;
        while (p < text.length && text.charCodeAt(p) !== 0x0a && text.charCodeAt(p) !== 0x0d) p++;
      } else if (p >= end) {
        break;
      } else if (c === 0x26 /* & */) {
        const q = nameEnd(text, p + 1);
        if (anchor !== undefined || q === p + 1) throw giveUp;
        anchor = text.slice(p + 1, q);
        p = q;
      } else if (c === 0x21 /* ! */) {
        const q = tagEnd(text, p);
        const written = text.slice(p, q);
        if (tag !== undefined || !MERGE_TAGS.includes(written)) throw giveUp;
        tag = written;
        p = q;
      } else {
        break;
      }
    }
    if ((s.anchor ?? undefined) !== anchor) throw giveUp;
    const start = p < end ? p + this.shift : -1;
    this.start = start;
    this.tag = tag;
    this.anchor = anchor;
    this.plain = false;
    this.contentEnd = -1;
    if (p < end) {
      const c = text.charCodeAt(p);
      const flow = c === 0x5b /* [ */ || c === 0x7b; /* { */
      if (flow || c === 0x22 /* " */ || c === 0x27 /* ' */) this.contentEnd = end;
      else if (c === 0x2a /* * */) this.contentEnd = nameEnd(text, p + 1);
      else if (kind === 'scalar' && c !== 0x7c /* | */ && c !== 0x3e /* > */) {
        let e = end;
        while (e > p && isSpaceOrBreak(text.charCodeAt(e - 1))) e--;
        this.contentEnd = e;
      }
      // Flow collections and quoted or plain scalars that go on over more lines: the
      // `yaml` package wants those lines indented more than the block they are in.
      if (this.contentEnd !== -1 && c !== 0x2a) {
        const nl = breakIn(text, p, this.contentEnd);
        if (nl !== -1 && !continuationIndented(text, p, nl, this.contentEnd, flow)) throw giveUp;
      }
    }

    if (kind === 'mapping') {
      if (count === 1 && this.raws[mark] === result) return this.collapse(mark, commentLine);
      if (s.tag !== (tag ?? null)) throw giveUp;
      this.kind = Kind.Map;
      return this.map(result as Record<string, unknown>, mark, count, start);
    }
    if (kind === 'sequence') {
      const list = result as unknown[];
      if (count === list.length && this.sameItems(list, mark)) {
        if (s.tag !== (tag ?? null)) throw giveUp;
        this.kind = Kind.Seq;
        return this.seq(mark, count, start, text.charCodeAt(p) !== 0x5b);
      }
      if (count === 1 && this.raws[mark] === result) return this.collapse(mark, commentLine);
      throw giveUp;
    }
    if (count === 1 && this.raws[mark] === result) return this.collapse(mark, commentLine);
    if (count !== 0) throw giveUp;
    if (kind === 'scalar') {
      if (typeof result !== 'string' || commentLine) throw giveUp;
      this.kind = Kind.Scalar;
      if (tag !== undefined) {
        if (s.tag !== tag) throw giveUp;
        // A tagged scalar is not resolved: `!override 80` is the string "80".
        return result;
      }
      if (s.tag === '?') {
        this.plain = true;
        return plainScalar(result);
      }
      if (s.tag !== null) throw giveUp;
      return result;
    }
    if (kind !== null) throw giveUp;
    if (p < end) {
      // An alias: js-yaml leaves the kind unset and hands over the anchored value.
      if (text.charCodeAt(p) !== 0x2a /* * */ || anchor !== undefined || tag !== undefined) throw giveUp;
      const q = nameEnd(text, p + 1);
      if (q === p + 1 || q > end) throw giveUp;
      // Undefined, or defined by a node still open (the alias is inside it).
      const target = this.anchors.get(text.slice(p + 1, q));
      if (target === undefined) throw giveUp;
      this.built += target.size;
      if (this.built > MAX_NODES) throw giveUp;
      this.kind = Kind.Alias;
      return cloneTree(target.value);
    }
    // No content: the `yaml` package's empty scalar, placed after the indicator,
    // the properties and the spaces that follow them. With a tag it is the empty string.
    if (result !== null || s.tag !== (tag ?? null)) throw giveUp;
    this.kind = Kind.Empty;
    this.start = this.emptyStart(open, end);
    this.plain = true;
    return tag === undefined ? null : '';
  }

  /**
   * One child with the same result: js-yaml read the content as the first key of a
   * would-be block mapping (`key:\n  value`), or re-read the node from its properties
   * and rolled that back (`key: &a value`). The child is the node, with the
   * properties written before it.
   */
  private collapse(mark: number, commentLine: boolean): Node {
    const kind = this.kinds[mark];
    // A comment line before a scalar on a line of its own changes where the `yaml`
    // package thinks a plain scalar may go on (its lexer's indentNext).
    if (commentLine && (kind === Kind.Scalar || kind === Kind.Empty)) throw giveUp;
    const tag = this.tag;
    const anchor = this.anchor;
    const innerTag = this.tags[mark];
    const innerAnchored = this.anchored[mark];
    this.kind = kind;
    this.contentEnd = this.ends[mark];
    this.plain = this.plains[mark];
    if (innerTag === tag && innerAnchored === (anchor !== undefined) && this.starts[mark] === this.start) {
      // The same node read twice: its anchor is defined already.
      this.anchor = undefined;
      return this.values[mark];
    }
    if (kind === Kind.Alias || (tag !== undefined && innerTag !== undefined) || (anchor !== undefined && innerAnchored)) throw giveUp;
    this.start = this.starts[mark];
    this.tag = tag ?? innerTag;
    if (kind === Kind.Scalar && tag !== undefined) {
      // A tagged scalar is not resolved: `!override 80` is the string "80".
      const raw = this.raws[mark];
      if (typeof raw !== 'string') throw giveUp;
      this.plain = false;
      return raw;
    }
    return this.values[mark];
  }

  private sameItems(list: readonly unknown[], mark: number): boolean {
    for (let i = 0; i < list.length; i++) if (this.raws[mark + i] !== list[i]) return false;
    return true;
  }

  private seq(mark: number, count: number, start: number, block: boolean): TreeList {
    const here = this.posAt(start);
    const items: TreeList = new Array<Node>(count);
    const positions: Pos[] = new Array<Pos>(count);
    for (let i = 0; i < count; i++) {
      if (block) this.endsLine(mark + i);
      items[i] = this.values[mark + i];
      const at = this.starts[mark + i];
      positions[i] = at >= 0 ? this.posAt(at) : here;
    }
    return withOrigin(items, { pos: here, items: positions });
  }

  private map(result: Record<string, unknown>, mark: number, count: number, start: number): TreeMap {
    if (count % 2 !== 0) throw giveUp;
    const block = this.text.charCodeAt(start - this.shift) !== 0x7b;
    const here = this.posAt(start);
    const out: TreeMap = {};
    const keys: Record<string, { key: Pos; value: Pos }> = {};
    let tags: Record<string, MergeTag> | undefined;
    let merged: TreeMap[] | undefined;
    let resolved: unknown[] | undefined;
    for (let i = mark; i < mark + count; i += 2) {
      const rawKey = this.raws[i];
      if (this.kinds[i] !== Kind.Scalar || this.anchored[i] || this.tags[i] !== undefined || typeof rawKey !== 'string') throw giveUp;
      if (result[rawKey] !== this.raws[i + 1]) throw giveUp;
      if (block) this.endsLine(i + 1);
      const keyValue = this.values[i];
      // Keys js-yaml tells apart but the `yaml` package finds equal (`1` and `01`,
      // `true` and `True`): the `yaml` package reports the duplicate.
      if (typeof keyValue !== 'string') {
        if (resolved === undefined) resolved = [];
        if (keyValue === keyValue && resolved.includes(keyValue)) throw giveUp;
        resolved.push(keyValue);
      }
      const key = keyValue === null ? 'null' : String(keyValue);
      // The first key of a block mapping is where the mapping is: one Pos for both.
      const kPos = this.starts[i] === start ? here : this.posAt(this.starts[i]);
      const value = this.values[i + 1];
      if (key === '<<' && this.plains[i]) {
        // Merge sources: a mapping, or a sequence written here of mappings.
        const sources = this.kinds[i + 1] === Kind.Seq ? (value as TreeList) : [value];
        for (const src of sources) {
          if (src === null || typeof src !== 'object' || Array.isArray(src)) throw giveUp;
          (merged ??= []).push(src);
        }
        continue;
      }
      const at = this.starts[i + 1];
      keys[key] = { key: kPos, value: at >= 0 ? this.posAt(at) : kPos };
      const tag = this.tags[i + 1];
      if (tag === '!reset') {
        // The walker never reads a `!reset` value: an anchor in it would mean nothing.
        if (this.anchorsInside[i + 1] > 0) throw giveUp;
        (tags ??= {})[key] = 'reset';
        out[key] = null;
      } else {
        if (tag === '!override') (tags ??= {})[key] = 'override';
        out[key] = value;
      }
    }
    if (!sizeIs(result, count / 2)) throw giveUp;
    // Merge keys: explicit keys win; earlier merge sources win over later ones.
    if (merged) {
      for (const src of merged) {
        for (const k of Object.keys(src)) {
          if (k in out) continue;
          out[k] = src[k];
          keys[k] = originOf(src)?.keys?.[k] ?? { key: here, value: here };
        }
      }
    }
    return withOrigin(out, tags ? { pos: here, keys, tags } : { pos: here, keys });
  }

  /**
   * A value of a block collection that goes on over more lines must end its last
   * line (js-yaml reads on after a multi-line flow collection or quoted scalar).
   */
  private endsLine(i: number): void {
    const end = this.ends[i];
    if (end === -1 || this.kinds[i] === Kind.Alias) return;
    const text = this.text;
    if (breakIn(text, this.starts[i] - this.shift, end) === -1) return;
    let p = end;
    while (text.charCodeAt(p) === 0x20 || text.charCodeAt(p) === 0x09) p++;
    const c = text.charCodeAt(p);
    if (p >= text.length || c === 0x0a || c === 0x0d || (c === 0x23 && p > end)) return;
    throw giveUp;
  }

  /**
   * Where the `yaml` package puts an empty value: after the `:` and any
   * properties that follow it, and after the spaces right after those.
   */
  private emptyStart(open: number, end: number): number {
    const text = this.text;
    let b = open;
    while (b > 0 && isSpaceOrBreak(text.charCodeAt(b - 1))) b--;
    if (this.opens.length > 0 && text.charCodeAt(b - 1) !== 0x3a /* : */) throw giveUp;
    let last = b;
    let p = b;
    for (;;) {
      const c = text.charCodeAt(p);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) p++;
      else if (c === 0x23) {
        while (p < text.length && text.charCodeAt(p) !== 0x0a && text.charCodeAt(p) !== 0x0d) p++;
      } else if (p < end && c === 0x26) last = p = nameEnd(text, p + 1);
      else if (p < end && c === 0x21) last = p = tagEnd(text, p);
      else break;
    }
    while (text.charCodeAt(last) === 0x20 || text.charCodeAt(last) === 0x09) last++;
    return last + this.shift;
  }
}

/**
 * Whether the lines after the first of the node at `[start, end)` are indented as the
 * `yaml` package requires (its lexer's `indentNext`): more than the line's block
 * indicators, or than its indentation when the node is the first thing on its line;
 * blank lines, and the closing bracket of a flow collection one column less, pass.
 * Errs on the side of failing: a node that fails is read by the `yaml` package.
 */
function continuationIndented(text: string, start: number, firstBreak: number, end: number, flow: boolean): boolean {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let p = lineStart;
  while (text.charCodeAt(p) === 0x20) p++;
  let need = p - lineStart;
  let indicators = false;
  for (;;) {
    const c = text.charCodeAt(p);
    if (p >= start || !(c === 0x2d || c === 0x3f || c === 0x3a) || !isSpaceOrBreak(text.charCodeAt(p + 1))) break;
    need = p - lineStart + 1;
    indicators = true;
    p++;
    while (text.charCodeAt(p) === 0x20 || text.charCodeAt(p) === 0x09) p++;
  }
  if (p < start) need = p - lineStart + 1;
  else if (!indicators && isSpaceOrBreak(text.charCodeAt(start + 1))) return false;
  for (let nl = firstBreak; nl !== -1 && nl < end; nl = text.indexOf('\n', nl + 1)) {
    let q = nl + 1;
    while (text.charCodeAt(q) === 0x20) q++;
    const c = text.charCodeAt(q);
    const indent = q - nl - 1;
    if (indent >= need || c === 0x0a || c === 0x0d || q >= text.length) continue;
    if (flow && indent === need - 1 && q === end - 1 && (c === 0x5d || c === 0x7d)) continue;
    return false;
  }
  return true;
}

/** The first line feed in `text[from, to)`, or -1. */
function breakIn(text: string, from: number, to: number): number {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 0x0a) return i;
  return -1;
}

function isSpaceOrBreak(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** End of an anchor or alias name: up to white space or a flow indicator (as js-yaml reads it). */
function nameEnd(text: string, p: number): number {
  for (;;) {
    const c = text.charCodeAt(p);
    if (Number.isNaN(c) || c === 0 || isSpaceOrBreak(c) || c === 0x2c || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d) return p;
    p++;
  }
}

/** End of a tag: up to white space (as js-yaml reads it). */
function tagEnd(text: string, p: number): number {
  for (;;) {
    const c = text.charCodeAt(p);
    if (Number.isNaN(c) || c === 0 || isSpaceOrBreak(c)) return p;
    p++;
  }
}

function hasKeys(o: Record<string, unknown>): boolean {
  for (const _ in o) return true;
  return false;
}

function sizeIs(o: Record<string, unknown>, n: number): boolean {
  let k = 0;
  for (const _ in o) k++;
  return k === n;
}
