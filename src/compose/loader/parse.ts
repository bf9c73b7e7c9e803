/**
 * Stage: parse YAML into the plain tree, keeping where every key and value
 * came from. Anchors, aliases and merge keys (`<<`) are resolved here;
 * `!reset` and `!override` are recorded in the origin for the merge stage;
 * duplicate keys and syntax errors are reported with their position.
 *
 * Three readers give the same tree: a reader of plain block YAML, fastest, for
 * the YAML most Compose files are made of (yaml-block-reader.ts); js-yaml, fast,
 * for the rest of the YAML Compose files are made of (yaml-fast-reader.ts builds
 * the tree from its events); and the `yaml` package for everything else —
 * errors included, whose messages and positions come from it — through a syntax
 * tree (yaml-source-node.ts) and the walker below. Each gives up on what it
 * does not read exactly as the next one would.
 */
import type { LineCounter, Node as YamlNode, ScalarTag } from 'yaml';
import { diagnostic, type Diagnostic, ValidationError } from '../errors';
import { originOf, withOrigin, type MergeTag, type Node, type Pos, type Scalar, type TreeMap, type TreeList } from './tree';
import { lineStarts } from './line-starts';
import { explainYamlErrors } from './yaml-errors';
import { readBlockYaml } from './yaml-block-reader';
import { readFast } from './yaml-fast-reader';
import type { MapNode, SeqNode, SourceNode } from './yaml-source-node';

/** Aliases can expand exponentially ("billion laughs"); stop well before that hurts. */
const MAX_NODES = 1_000_000;

/**
 * Docker Compose's YAML reader takes a plain `0440` as the octal number 288
 * (YAML 1.1), which matters for file modes; YAML 1.2 alone would read 440.
 */
const legacyOctal: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  default: true,
  test: /^0[0-7]+$/,
  resolve: (text: string) => parseInt(text, 8),
  identify: () => false,
};

/** The `yaml` package, loaded only when the fast path gives up (it takes a while to load). */
let yamlPackage: typeof import('yaml') | undefined;
function yaml(): typeof import('yaml') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  yamlPackage ??= require('yaml') as typeof import('yaml');
  return yamlPackage;
}

export interface ParsedFile {
  readonly file: string;
  /** The document's top-level map; `{}` for an empty file. */
  readonly tree: TreeMap;
}

export function parseYaml(source: string, file: string): ParsedFile {
  const posAt = positions(lineStarts(source), file);
  const fast = readBlockYaml(source, posAt) ?? readFast(source, posAt);
  if (fast === undefined) return parseWithYamlPackage(source, file);
  return { file, tree: documentMap(fast.value, fast.start, posAt) };
}

/**
 * The same stage reading with the `yaml` package only: what the fast path
 * must agree with, position for position (for tests and comparisons).
 */
export function parseWithYamlPackage(source: string, file: string): ParsedFile {
  // The `yaml` package's line counter leaves out line breaks it reads while recovering
  // from some errors: positions on this path come from it.
  const lineCounter = new (yaml().LineCounter)();
  const posAt = positions(lineCounter.lineStarts, file);
  const root = readWithYamlPackage(source, lineCounter, posAt);
  const walker = new Walker(posAt, file);
  const tree = walker.toTree(root);
  walker.throwIfAny();
  return { file, tree: documentMap(tree, root && root.start >= 0 ? root.start : -1, posAt) };
}

/** The document's value as the top-level map: `{}` when empty; an error when not a map. */
function documentMap(value: Node, start: number, posAt: (offset: number) => Pos): TreeMap {
  if (value === null) return withOrigin({}, { pos: posAt(0) });
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError([diagnostic(posAt(Math.max(start, 0)), '', 'a compose file must be a mapping of top-level keys (services, networks, volumes, …)')]);
  }
  return value;
}

/**
 * `{file, line, col}` of an offset, given where lines start (filled in later by the
 * yaml package's line counter on that path): the line is the last one starting at
 * or before the offset, as the line counter finds it. Offsets mostly come in
 * order, so the line of the previous one is tried first.
 */
function positions(lines: ArrayLike<number>, file: string): (offset: number) => Pos {
  let line = 0;
  return (offset) => {
    if (!(lines[line] <= offset && (line + 1 === lines.length || offset < lines[line + 1]))) {
      let low = 0;
      let high = lines.length;
      while (low < high) {
        const mid = (low + high) >> 1;
        if (lines[mid] <= offset) low = mid + 1;
        else high = mid;
      }
      line = low - 1;
    }
    return { file, line: line + 1, col: offset - lines[line] + 1 };
  };
}


/** The slow path: the `yaml` package reads the file, reporting syntax errors and duplicate keys. */
function readWithYamlPackage(source: string, lineCounter: LineCounter, posAt: (offset: number) => Pos): SourceNode | null {
  const doc = yaml().parseDocument(source, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    strict: false,
    customTags: (tags) => [legacyOctal, ...(tags as ScalarTag[])],
  });
  if (doc.errors.length > 0) throw new ValidationError(explainYamlErrors(source, doc, doc.errors, posAt));
  return fromYaml(doc.contents as YamlNode | null);
}

/** The `yaml` package's node as a SourceNode (an item that is not a node, such as a flow pair, reads as null). */
function fromYaml(node: YamlNode | null | undefined): SourceNode | null {
  if (node === null || node === undefined) return null;
  const { isAlias, isScalar, isSeq, isMap: isYamlMap } = yaml();
  const start = node.range ? node.range[0] : -1;
  if (isAlias(node)) return { kind: 'alias', start, name: node.source };
  const anchor = node.anchor || undefined;
  const tag = node.tag;
  if (isScalar(node)) return { kind: 'scalar', start, anchor, tag, value: scalarValue(node.value) as Scalar, plain: node.type === 'PLAIN' };
  if (isSeq(node)) return { kind: 'seq', start, anchor, tag, items: node.items.map((item) => fromYaml(item as YamlNode)) };
  if (isYamlMap(node)) {
    return {
      kind: 'map',
      start,
      anchor,
      tag,
      keys: node.items.map((pair) => fromYaml(pair.key as YamlNode | null)),
      values: node.items.map((pair) => fromYaml(pair.value as YamlNode | null)),
    };
  }
  return null;
}


class Walker {
  private count = 0;
  private readonly anchors = new Map<string, SourceNode>();
  /** Anchored collections being walked: an alias to one of them would expand forever. */
  private readonly open = new Set<SourceNode>();
  private readonly problems: Diagnostic[] = [];
  /** The key path of the node being walked (diagnostics format it when they are made). */
  private readonly path: (string | number)[] = [];

  constructor(
    private readonly posAt: (offset: number) => Pos,
    private readonly file: string,
  ) {}

  throwIfAny(): void {
    if (this.problems.length > 0) throw new ValidationError(this.problems);
  }

  private pos(node: SourceNode | null, fallback: Pos): Pos {
    return node !== null && node.start >= 0 ? this.posAt(node.start) : fallback;
  }

  toTree(node: SourceNode | null): Node {
    if (++this.count > MAX_NODES) {
      this.problems.push(diagnostic(this.pos(node, { file: this.file, line: 1, col: 1 }), this.path, 'the document expands to too many nodes (alias bomb?)'));
      this.throwIfAny();
    }
    if (node === null) return null;
    if (node.kind === 'alias') {
      // Walking in document order, the latest definition of an anchor is the one an alias means.
      const target = this.anchors.get(node.name);
      if (!target) {
        this.problems.push(diagnostic(this.pos(node, this.posAt(0)), this.path, `unknown alias *${node.name}`));
        return null;
      }
      if (this.open.has(target)) {
        this.problems.push(diagnostic(this.pos(node, this.posAt(0)), this.path, `alias *${node.name} refers to a node that contains it`));
        return null;
      }
      return this.toTree(target);
    }
    if (node.kind === 'scalar') {
      if (node.anchor) this.anchors.set(node.anchor, node);
      return node.value;
    }
    if (!node.anchor) return node.kind === 'map' ? this.mapToTree(node) : this.seqToTree(node);
    this.anchors.set(node.anchor, node);
    this.open.add(node);
    try {
      return node.kind === 'map' ? this.mapToTree(node) : this.seqToTree(node);
    } finally {
      this.open.delete(node);
    }
  }

  private seqToTree(node: SeqNode): TreeList {
    const items: TreeList = [];
    const positions: Pos[] = [];
    const here = this.pos(node, this.posAt(0));
    for (let i = 0; i < node.items.length; i++) {
      const item = node.items[i];
      positions.push(this.pos(item, here));
      this.path.push(i);
      items.push(this.toTree(item));
      this.path.pop();
    }
    return withOrigin(items, { pos: here, items: positions });
  }

  private mapToTree(node: MapNode): TreeMap {
    const here = this.pos(node, this.posAt(0));
    const out: TreeMap = {};
    const keys: Record<string, { key: Pos; value: Pos }> = {};
    let tags: Record<string, MergeTag> | undefined;
    let merged: TreeMap[] | undefined;
    for (let i = 0; i < node.keys.length; i++) {
      const keyNode = node.keys[i];
      const valueNode = node.values[i];
      const kPos = this.pos(keyNode, here);
      if (keyNode && keyNode.kind !== 'scalar') {
        this.problems.push(diagnostic(kPos, this.path, 'mapping keys must be plain strings'));
        continue;
      }
      const rawKey = keyNode ? keyNode.value : null;
      const key = rawKey === null ? 'null' : String(rawKey);
      this.path.push(key);
      if (key === '<<' && keyNode && keyNode.plain) {
        this.mergeSources(valueNode, kPos, (merged ??= []));
      } else {
        keys[key] = { key: kPos, value: valueNode !== null && valueNode.start >= 0 ? this.posAt(valueNode.start) : kPos };
        const tag = valueNode?.tag;
        if (tag === '!reset') {
          (tags ??= {})[key] = 'reset';
          out[key] = null;
        } else {
          if (tag === '!override') (tags ??= {})[key] = 'override';
          out[key] = this.toTree(valueNode);
        }
      }
      this.path.pop();
    }
    // Merge keys: explicit keys win; earlier merge sources win over later ones.
    if (merged) {
      for (const map of merged) {
        for (const k of Object.keys(map)) {
          if (k in out) continue;
          out[k] = map[k];
          keys[k] = originOf(map)?.keys?.[k] ?? { key: here, value: here };
        }
      }
    }
    return withOrigin(out, tags ? { pos: here, keys, tags } : { pos: here, keys });
  }

  private mergeSources(value: SourceNode | null, at: Pos, out: TreeMap[]): void {
    const sources = value !== null && value.kind === 'seq' ? value.items : [value];
    for (const src of sources) {
      const t = this.toTree(src);
      if (t === null || typeof t !== 'object' || Array.isArray(t)) {
        this.problems.push(diagnostic(this.pos(src, at), this.path, 'a merge key (<<) must refer to a mapping or a list of mappings'));
        continue;
      }
      out.push(t);
    }
  }
}

function scalarValue(v: unknown): Node {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return String(v);
}
