/**
 * Stage: parse YAML into the plain tree, keeping where every key and value
 * came from. Anchors, aliases and merge keys (`<<`) are resolved here;
 * `!reset` and `!override` are recorded in the origin for the merge stage;
 * duplicate keys and syntax errors are reported with their position.
 */
import { type ScalarTag, isAlias, isMap as isYamlMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { diagnostic, type Diagnostic, ValidationError } from '../errors';
import { originOf, withOrigin, type MergeTag, type Node, type Pos, type TreeMap, type TreeList } from './tree';

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

export interface ParsedFile {
  readonly file: string;
  /** The document's top-level map; `{}` for an empty file. */
  readonly tree: TreeMap;
}

export function parseYaml(source: string, file: string): ParsedFile {
  const lines = new LineCounter();
  const doc = parseDocument(source, {
    lineCounter: lines,
    uniqueKeys: true,
    prettyErrors: false,
    strict: false,
    customTags: (tags) => [legacyOctal, ...(tags as ScalarTag[])],
  });
  const posAt = (offset: number): Pos => {
    const { line, col } = lines.linePos(offset);
    return { file, line, col };
  };
  const problems: Diagnostic[] = doc.errors.map((e) => {
    const pos = posAt(e.pos[0]);
    return diagnostic(pos, '', yamlReason(e.code, e.message, keyTextAt(source, e.pos[0])));
  });
  if (problems.length > 0) throw new ValidationError(problems);

  const walker = new Walker(posAt, file);
  const tree = walker.toTree(doc.contents as YamlNode | null, [], 0);
  walker.throwIfAny();
  if (tree === null) return { file, tree: withOrigin({}, { pos: posAt(0) }) };
  if (typeof tree !== 'object' || Array.isArray(tree)) {
    throw new ValidationError([diagnostic(posAt((doc.contents as YamlNode | null)?.range?.[0] ?? 0), '', 'a compose file must be a mapping of top-level keys (services, networks, volumes, …)')]);
  }
  return { file, tree };
}

/** The mapping key written at `offset` (for duplicate-key messages). */
function keyTextAt(source: string, offset: number): string {
  const rest = source.slice(offset, source.indexOf('\n', offset) === -1 ? undefined : source.indexOf('\n', offset));
  const m = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^:]*)/.exec(rest);
  const text = (m?.[1] ?? rest).trim();
  return /^["']/.test(text) ? text.slice(1, -1) : text;
}

function yamlReason(code: string, message: string, text: string): string {
  if (code === 'DUPLICATE_KEY') return `duplicate key ${JSON.stringify(text)}: each key may appear only once in a mapping`;
  const first = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  return `invalid YAML: ${first}`;
}

class Walker {
  private count = 0;
  private readonly anchors = new Map<string, YamlNode>();
  private readonly problems: Diagnostic[] = [];

  constructor(
    private readonly posAt: (offset: number) => Pos,
    private readonly file: string,
  ) {}

  throwIfAny(): void {
    if (this.problems.length > 0) throw new ValidationError(this.problems);
  }

  private pos(node: YamlNode | null | undefined, fallback: Pos): Pos {
    return node?.range ? this.posAt(node.range[0]) : fallback;
  }

  toTree(node: YamlNode | null | undefined, path: (string | number)[], depth: number): Node {
    if (++this.count > MAX_NODES) {
      this.problems.push(diagnostic(this.pos(node, { file: this.file, line: 1, col: 1 }), path, 'the document expands to too many nodes (alias bomb?)'));
      this.throwIfAny();
    }
    if (node === null || node === undefined) return null;
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor && !isAlias(node)) this.anchors.set(anchor, node);
    if (isAlias(node)) {
      // Walking in document order, the latest definition of an anchor is the one an alias means
      // (the yaml package's own Alias.resolve re-scans the whole document for each alias).
      const target = this.anchors.get(node.source);
      if (!target) {
        this.problems.push(diagnostic(this.pos(node, this.posAt(0)), path, `unknown alias *${node.source}`));
        return null;
      }
      return this.toTree(target as YamlNode, path, depth + 1);
    }
    if (isScalar(node)) return scalarValue(node.value);
    if (isSeq(node)) {
      const items: TreeList = [];
      const positions: Pos[] = [];
      const here = this.pos(node, this.posAt(0));
      node.items.forEach((item, i) => {
        positions.push(this.pos(item as YamlNode, here));
        items.push(this.toTree(item as YamlNode, [...path, i], depth + 1));
      });
      return withOrigin(items, { pos: here, items: positions });
    }
    if (isYamlMap(node)) return this.mapToTree(node, path, depth);
    return null;
  }

  private mapToTree(node: import('yaml').YAMLMap, path: (string | number)[], depth: number): TreeMap {
    const here = this.pos(node, this.posAt(0));
    const out: TreeMap = {};
    const keys: Record<string, { key: Pos; value: Pos }> = {};
    const tags: Record<string, MergeTag> = {};
    const merged: Array<{ map: TreeMap }> = [];
    for (const pair of node.items) {
      const keyNode = pair.key as YamlNode | null;
      const valueNode = pair.value as YamlNode | null;
      const kPos = this.pos(keyNode, here);
      if (keyNode && !isScalar(keyNode)) {
        this.problems.push(diagnostic(kPos, path, 'mapping keys must be plain strings'));
        continue;
      }
      const rawKey = keyNode ? keyNode.value : null;
      const key = rawKey === null ? 'null' : String(rawKey);
      if (key === '<<' && keyNode && isScalar(keyNode) && keyNode.type === 'PLAIN') {
        merged.push(...this.mergeSources(valueNode, [...path, key], depth, kPos));
        continue;
      }
      const vPos = valueNode?.range ? this.posAt(valueNode.range[0]) : kPos;
      keys[key] = { key: kPos, value: vPos };
      const tag = valueNode?.tag;
      if (tag === '!reset') {
        tags[key] = 'reset';
        out[key] = null;
      } else {
        if (tag === '!override') tags[key] = 'override';
        out[key] = this.toTree(valueNode, [...path, key], depth + 1);
      }
    }
    // Merge keys: explicit keys win; earlier merge sources win over later ones.
    for (const { map } of merged) {
      for (const k of Object.keys(map)) {
        if (k in out) continue;
        out[k] = map[k];
        keys[k] = originOf(map)?.keys?.[k] ?? { key: here, value: here };
      }
    }
    return withOrigin(out, { pos: here, keys, ...(Object.keys(tags).length ? { tags } : {}) });
  }

  private mergeSources(value: YamlNode | null, path: (string | number)[], depth: number, at: Pos): Array<{ map: TreeMap }> {
    const sources = value && isSeq(value) ? (value.items as YamlNode[]) : [value];
    const out: Array<{ map: TreeMap }> = [];
    for (const src of sources) {
      const t = this.toTree(src, path, depth + 1);
      if (t === null || typeof t !== 'object' || Array.isArray(t)) {
        this.problems.push(diagnostic(this.pos(src, at), path, 'a merge key (<<) must refer to a mapping or a list of mappings'));
        continue;
      }
      out.push({ map: t });
    }
    return out;
  }
}

function scalarValue(v: unknown): Node {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return String(v);
}
