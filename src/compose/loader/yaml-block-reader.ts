/**
 * The parse stage's fastest path: a reader for the plain block YAML most
 * Compose files are written in, building the tree (origins included) in one
 * pass over the text — the very tree the other readers give (same positions,
 * same scalar values, anchors, aliases and merge keys).
 *
 * It reads, and only reads:
 * - printable ASCII text with `\n` line breaks, indented with spaces; blank
 *   lines and comment lines anywhere, comments after values;
 * - a document that is a block mapping starting in the first column;
 * - block mappings whose keys are plain scalars that read as strings, each
 *   once; block sequences (at their key's indentation or deeper);
 * - values on one line: plain scalars, single- and double-quoted scalars
 *   without escapes, flow sequences of such scalars, `[]`, `{}`, aliases;
 * - an anchor on a block collection (`x-common: &common`), merge keys with
 *   one alias (`<<: *common`).
 *
 * Anything else — tabs, CR, non-ASCII text, tags, block scalars, multi-line
 * scalars or flow collections, flow mappings with entries, explicit keys,
 * quoted or odd keys, directives and document markers, empty sequence
 * entries, anchors on scalars, an alias to an anchor not yet defined —
 * returns `undefined`, and the caller reads the file with the next reader
 * (yaml-fast-reader.ts), which reads more of YAML and reports its errors.
 */
import { cloneTree, originOf, withOrigin, type Node, type Pos, type TreeList, type TreeMap } from './tree';
import type { FastRead } from './yaml-fast-reader';
import { plainScalar } from './yaml-source-node';

/** As many nodes as the parse stage builds before it calls the document an alias bomb. */
const MAX_NODES = 1_000_000;

/** Thrown to give up; caught below. */
const giveUp = new Error('not read by the block reader');

/** Anything but printable ASCII and `\n`. */
const UNREAD = /[^\x20-\x7e\n]/;

/** What an anchor stands for: its value, and how many nodes it counts for. */
interface Anchored {
  readonly value: Node;
  readonly size: number;
}

const SPACE = 0x20;
const LF = 0x0a;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const COMMA = 0x2c;
const AMP = 0x26;
const STAR = 0x2a;

/**
 * The tree of `source` (positions from `posAt`, which takes offsets into
 * `source`), or `undefined` when the next reader must read it.
 */
export function readBlockYaml(source: string, posAt: (offset: number) => Pos): FastRead | undefined {
  if (UNREAD.test(source)) return undefined;
  try {
    return new BlockReader(source, posAt).document();
  } catch (e) {
    if (e === giveUp) return undefined;
    throw e;
  }
}

class BlockReader {
  private readonly length: number;
  /** Start of the next line holding content (not blank, not only a comment), or -1 at the end. */
  private line = -1;
  private readonly anchors = new Map<string, Anchored>();
  /** Nodes built so far, alias copies included (at least what the parse stage's walker counts). */
  private built = 0;

  constructor(
    private readonly text: string,
    private readonly posAt: (offset: number) => Pos,
  ) {
    this.length = text.length;
  }

  document(): FastRead {
    const first = this.contentLine(0);
    if (first < 0 || this.text.charCodeAt(first) === SPACE) throw giveUp;
    const value = this.map(first, 0);
    if (this.line !== -1 || this.built > MAX_NODES) throw giveUp;
    return { value, start: first };
  }

  /** The start of the first line from `from` (a line start) that holds content, or -1. */
  private contentLine(from: number): number {
    const text = this.text;
    const n = this.length;
    let p = from;
    while (p < n) {
      let q = p;
      while (text.charCodeAt(q) === SPACE) q++;
      const c = text.charCodeAt(q);
      if (q < n && c !== LF && c !== HASH) return p;
      // A blank or comment line: on to the next one.
      const nl = text.indexOf('\n', q);
      if (nl < 0) return -1;
      p = nl + 1;
    }
    return -1;
  }

  private indentOf(line: number): number {
    const text = this.text;
    let q = line;
    while (text.charCodeAt(q) === SPACE) q++;
    return q - line;
  }

  /** Whether a `-` at `p` is a sequence entry indicator (followed by a space or the line's end). */
  private isEntry(p: number): boolean {
    if (this.text.charCodeAt(p) !== DASH) return false;
    const c = this.text.charCodeAt(p + 1);
    return c === SPACE || c === LF || p + 1 >= this.length;
  }

  /**
   * The `:` that ends a plain key starting at `k` on its line, or -1 when the
   * line holds no key there (a comment or the line's end comes first).
   */
  private keyColon(k: number): number {
    const text = this.text;
    const n = this.length;
    for (let i = k; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === LF) return -1;
      if (c === COLON) {
        const d = text.charCodeAt(i + 1);
        if (d === SPACE || d === LF || i + 1 >= n) return i;
      } else if (c === HASH && i > k && text.charCodeAt(i - 1) === SPACE) {
        return -1;
      }
    }
    return -1;
  }

  /** A block mapping whose keys start `indent` columns into their lines, the first at `line`. */
  private map(line: number, indent: number): TreeMap {
    const text = this.text;
    const posAt = this.posAt;
    const out: TreeMap = {};
    const keys: Record<string, { key: Pos; value: Pos }> = {};
    let here: Pos | undefined;
    let merged: TreeMap | undefined;
    let mergeSeen = false;
    for (;;) {
      const k = line + indent;
      const colon = this.keyColon(k);
      if (colon <= k) throw giveUp;
      const key = this.plainKey(k, colon);
      // The first key of a block mapping is where the mapping is: one Pos for both.
      const kPos = here === undefined ? (here = posAt(k)) : posAt(k);
      let p = colon + 1;
      while (text.charCodeAt(p) === SPACE) p++;
      this.built++;
      if (key === '<<') {
        if (mergeSeen) throw giveUp;
        mergeSeen = true;
        merged = this.mergeSource(p, indent);
      } else {
        if (Object.hasOwn(out, key)) throw giveUp;
        const value = this.value(p, indent, true);
        out[key] = value;
        keys[key] = { key: kPos, value: this.valuePos ?? posAt(this.valueStart) };
      }
      line = this.line;
      if (line < 0) break;
      const n = this.indentOf(line);
      if (n < indent) break;
      if (n > indent || this.isEntry(line + n)) throw giveUp;
    }
    // Merge keys: explicit keys win (`in`, as the other readers test it).
    if (merged !== undefined) {
      const from = originOf(merged)?.keys;
      for (const k of Object.keys(merged)) {
        if (k in out) continue;
        out[k] = merged[k];
        keys[k] = from?.[k] ?? { key: here as Pos, value: here as Pos };
      }
    }
    return withOrigin(out, { pos: here as Pos, keys });
  }

  /** A key written plainly from `k` to `colon`, that reads as the string it is. */
  private plainKey(k: number, colon: number): string {
    const text = this.text;
    const c = text.charCodeAt(k);
    // Indicators, quotes and flow characters may not start a plain key here.
    if (INDICATOR[c] === 1 || c === DASH || c === 0x3f /* ? */ || c === COLON) throw giveUp;
    // YAML limits implicit keys to 1024 characters.
    if (text.charCodeAt(colon - 1) === SPACE || colon - k > 1024) throw giveUp;
    for (let i = k + 1; i < colon; i++) {
      const d = text.charCodeAt(i);
      if (d === HASH || d === COLON || FLOW[d] === 1) throw giveUp;
    }
    const key = text.slice(k, colon);
    if (key === '__proto__' || plainScalar(key) !== key) throw giveUp;
    return key;
  }

  /** The alias after `<<:` at `p`: the mapping it merges in. */
  private mergeSource(p: number, indent: number): TreeMap {
    if (this.text.charCodeAt(p) !== STAR) throw giveUp;
    const value = this.alias(p);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw giveUp;
    this.endOfLine(this.nameEnd(p + 1), indent);
    return value;
  }

  /**
   * Where the value `value` last read starts (what its position is): its first
   * character; for an empty value, after the `:` and the spaces that follow it.
   */
  private valueStart = -1;

  /**
   * The Pos of `valueStart` when the value last read made one already (a collection
   * is where it starts): the same place, not made twice.
   */
  private valuePos: Pos | undefined;

  /**
   * The value after a key's `:` (`inMap`) or a sequence entry's `- `, whose
   * first character (or the line's end, or a comment) is at `p`; `indent` is
   * the mapping's or the sequence's. Leaves `line` at the next line with content.
   */
  private value(p: number, indent: number, inMap: boolean): Node {
    const text = this.text;
    const c = p < this.length ? text.charCodeAt(p) : LF;
    if (c === LF || c === HASH) return this.blockValue(p, indent, inMap, undefined);
    if (c === AMP) {
      // Anchored collections, as mapping values only.
      if (!inMap) throw giveUp;
      const end = this.nameEnd(p + 1);
      if (end === p + 1) throw giveUp;
      const name = text.slice(p + 1, end);
      let q = end;
      while (text.charCodeAt(q) === SPACE) q++;
      const d = q < this.length ? text.charCodeAt(q) : LF;
      if (d !== LF && d !== HASH) throw giveUp;
      return this.blockValue(q, indent, inMap, name);
    }
    this.valueStart = p;
    this.valuePos = undefined;
    let value: Node;
    let end: number;
    if (c === STAR) {
      value = this.alias(p);
      end = this.nameEnd(p + 1);
    } else if (c === DQUOTE || c === SQUOTE) {
      end = this.quotedEnd(p);
      value = this.quotedValue;
      this.built++;
    } else if (c === LBRACKET) {
      end = this.flowSeq(p);
      value = this.flowValue;
      this.valuePos = originOf(value)?.pos;
    } else if (c === LBRACE) {
      if (text.charCodeAt(p + 1) !== RBRACE) throw giveUp;
      end = p + 2;
      this.valuePos = this.posAt(p);
      value = withOrigin({}, { pos: this.valuePos, keys: {} });
      this.built++;
    } else {
      end = this.plainEnd(p);
      value = plainScalar(text.slice(p, end));
      this.built++;
    }
    this.endOfLine(end, indent);
    return value;
  }

  /**
   * A value on the lines after its key or entry (`p` is where its line ends, or
   * its comment starts): a block collection, or nothing. `anchor` names it.
   */
  private blockValue(p: number, indent: number, inMap: boolean, anchor: string | undefined): Node {
    const text = this.text;
    const nl = text.indexOf('\n', p);
    const next = nl < 0 ? -1 : this.contentLine(nl + 1);
    if (next >= 0) {
      const n = this.indentOf(next);
      const c = next + n;
      const seq = this.isEntry(c);
      if (n > indent || (n === indent && inMap && seq)) {
        const built = this.built;
        const value = seq ? this.seq(next, n) : this.map(next, n);
        this.valueStart = c;
        this.valuePos = originOf(value)?.pos;
        if (anchor !== undefined) this.define(anchor, value, this.built - built);
        return value;
      }
    }
    // Nothing: an empty value (null), placed after the `:` and the spaces after it.
    if (anchor !== undefined || !inMap) throw giveUp;
    this.valueStart = p;
    this.valuePos = undefined;
    this.line = next;
    this.built++;
    return null;
  }

  /** A block sequence whose `-` are `indent` columns into their lines, the first at `line`. */
  private seq(line: number, indent: number): TreeList {
    const text = this.text;
    const posAt = this.posAt;
    const here = posAt(line + indent);
    const items: TreeList = [];
    const positions: Pos[] = [];
    for (;;) {
      let p = line + indent + 1;
      while (text.charCodeAt(p) === SPACE) p++;
      const c = p < this.length ? text.charCodeAt(p) : LF;
      // Empty entries, entries on the next line, nested sequences: the next reader's.
      if (c === LF || c === HASH || this.isEntry(p)) throw giveUp;
      let item: Node;
      let at: Pos | undefined;
      if (INDICATOR[c] !== 1 && c !== 0x3f && c !== COLON && this.keyColon(p) > p) {
        // A mapping in the entry: its keys are where its first one is.
        this.built++;
        item = this.map(line, p - line);
        at = originOf(item)?.pos;
      } else {
        item = this.value(p, indent, false);
        at = this.valuePos;
      }
      items.push(item);
      positions.push(at ?? posAt(p));
      line = this.line;
      if (line < 0) break;
      const n = this.indentOf(line);
      if (n < indent) break;
      if (n > indent) throw giveUp;
      // At the sequence's indentation without a `-`: the next key of the mapping around it.
      if (!this.isEntry(line + n)) break;
    }
    this.built++;
    return withOrigin(items, { pos: here, items: positions });
  }

  /** After a value that ends at `end`: only spaces and a comment on its line, and no more-indented line next. */
  private endOfLine(end: number, indent: number): void {
    const text = this.text;
    let q = end;
    while (text.charCodeAt(q) === SPACE) q++;
    if (q < this.length) {
      const c = text.charCodeAt(q);
      if (c === HASH) {
        if (q === end) throw giveUp;
      } else if (c !== LF) {
        throw giveUp;
      }
    }
    const nl = text.indexOf('\n', q);
    const next = nl < 0 ? -1 : this.contentLine(nl + 1);
    // A more-indented line would go on with the value (or be an error): the next reader's.
    if (next >= 0 && this.indentOf(next) > indent) throw giveUp;
    this.line = next;
  }

  /** End of an anchor or alias name (as the other readers read it: up to white space or a flow indicator). */
  private nameEnd(p: number): number {
    const text = this.text;
    for (;;) {
      const c = text.charCodeAt(p);
      if (p >= this.length || c === SPACE || c === LF || FLOW[c] === 1) return p;
      p++;
    }
  }

  /** A copy of what the alias at `p` stands for. */
  private alias(p: number): Node {
    const end = this.nameEnd(p + 1);
    if (end === p + 1) throw giveUp;
    const target = this.anchors.get(this.text.slice(p + 1, end));
    if (target === undefined) throw giveUp;
    this.built += target.size + 1;
    if (this.built > MAX_NODES) throw giveUp;
    return cloneTree(target.value);
  }

  private define(name: string, value: Node, size: number): void {
    if (this.anchors.has(name)) throw giveUp;
    this.anchors.set(name, { value, size });
  }

  /** End of a plain scalar starting at `p` on one line (before a comment, spaces trimmed). */
  private plainEnd(p: number): number {
    const text = this.text;
    const c = text.charCodeAt(p);
    if (INDICATOR[c] === 1 || ((c === 0x3f || c === COLON || c === DASH) && this.isSpaceAfter(p))) throw giveUp;
    let i = p;
    let end = p;
    for (; i < this.length; i++) {
      const d = text.charCodeAt(i);
      if (d === LF) break;
      if (d === SPACE) continue;
      if (d === HASH && text.charCodeAt(i - 1) === SPACE) break;
      // `: ` inside a value, or one ending it, is an error (or a key): the next reader's.
      if (d === COLON && this.isSpaceAfter(i)) throw giveUp;
      end = i + 1;
    }
    return end;
  }

  private isSpaceAfter(i: number): boolean {
    const c = this.text.charCodeAt(i + 1);
    return i + 1 >= this.length || c === SPACE || c === LF;
  }

  /** The value of the quoted scalar `quotedEnd` last read. */
  private quotedValue = '';

  /** A quoted scalar on one line starting at `p` (no escapes but `''`); returns the index after it. */
  private quotedEnd(p: number): number {
    const text = this.text;
    const quote = text.charCodeAt(p);
    let value = '';
    let from = p + 1;
    for (let i = p + 1; i < this.length; i++) {
      const c = text.charCodeAt(i);
      if (c === LF || (c === 0x5c /* \ */ && quote === DQUOTE)) throw giveUp;
      if (c !== quote) continue;
      if (quote === SQUOTE && text.charCodeAt(i + 1) === SQUOTE) {
        value += text.slice(from, i + 1);
        from = i + 2;
        i++;
        continue;
      }
      this.quotedValue = value + text.slice(from, i);
      return i + 1;
    }
    throw giveUp;
  }

  /** The value of the flow sequence `flowSeq` last read. */
  private flowValue: TreeList = [];

  /** A flow sequence of scalars on one line starting at `p`; returns the index after it. */
  private flowSeq(p: number): number {
    const text = this.text;
    const items: TreeList = [];
    const positions: Pos[] = [];
    let i = p + 1;
    while (text.charCodeAt(i) === SPACE) i++;
    if (text.charCodeAt(i) !== RBRACKET) {
      for (;;) {
        const c = text.charCodeAt(i);
        const start = i;
        if (c === DQUOTE || c === SQUOTE) {
          i = this.quotedEnd(i);
          items.push(this.quotedValue);
        } else {
          // A plain scalar: none of the characters that mean something in flow or block context.
          if (INDICATOR[c] === 1 || c === DASH || c === 0x3f || c === COLON || c === SPACE) throw giveUp;
          let end = i;
          for (; i < this.length; i++) {
            const d = text.charCodeAt(i);
            if (d === COMMA || d === RBRACKET) break;
            if (d === LF || d === HASH || d === COLON || d === DQUOTE || d === SQUOTE || FLOW[d] === 1) throw giveUp;
            if (d !== SPACE) end = i + 1;
          }
          items.push(plainScalar(text.slice(start, end)));
        }
        positions.push(this.posAt(start));
        this.built++;
        while (text.charCodeAt(i) === SPACE) i++;
        const d = text.charCodeAt(i);
        if (d === RBRACKET) break;
        if (d !== COMMA) throw giveUp;
        i++;
        while (text.charCodeAt(i) === SPACE) i++;
      }
    }
    this.built++;
    this.flowValue = withOrigin(items, { pos: this.posAt(p), items: positions });
    return i + 1;
  }
}

/** Characters that may not start a plain scalar (YAML's indicators, quotes and flow characters), `-`, `?` and `:` aside. */
const INDICATOR = new Uint8Array(128);
for (const c of ',[]{}#&*!|>\'"%@`') INDICATOR[c.charCodeAt(0)] = 1;

/** Flow indicators. */
const FLOW = new Uint8Array(128);
for (const c of ',[]{}') FLOW[c.charCodeAt(0)] = 1;
