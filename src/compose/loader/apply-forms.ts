/**
 * Applies a table of rules keyed by path patterns (`services.*.ports`,
 * `networks.*`) to a tree, top-down: a rule rewrites the value at a matching
 * path, then the walk continues into what the rule returned, so a rule for
 * `services.*.ports` (list → list of maps) is followed by the ones for
 * `services.*.ports.*`. `*` matches one map key or list index. Patterns are
 * compiled into a trie, so a large model costs one lookup per node.
 */
import { diagnostic, type Diagnostic } from '../errors';
import { isList, isMap, itemPos, keyPos, originOf, sameOrigin, type Node, type PathSegment, type Pos, type TreeMap, type TreePath } from './tree';

export interface FormAt {
  readonly path: TreePath;
  /** Where the value being rewritten was written. */
  readonly pos: Pos | undefined;
  /** Values may hold uninterpolated `${…}`: rules keep what they cannot parse, and report nothing. */
  readonly lenient: boolean;
  error(message: string, pos?: Pos, path?: TreePath): void;
  warn(message: string, pos?: Pos, path?: TreePath): void;
}

export type FormRule = (value: Node, at: FormAt) => Node;
export type FormTable = Readonly<Record<string, FormRule>>;

export interface FormReport {
  /** See FormAt.lenient. */
  readonly lenient?: boolean;
  error(d: Diagnostic): void;
  warn(d: Diagnostic): void;
}

interface Trie {
  rules: FormRule[];
  readonly children: Map<string, Trie>;
  star?: Trie;
}

const compiled = new WeakMap<FormTable, Trie>();

function compile(table: FormTable): Trie {
  const cached = compiled.get(table);
  if (cached) return cached;
  const root: Trie = { rules: [], children: new Map() };
  for (const [pattern, rule] of Object.entries(table)) {
    let node = root;
    for (const seg of pattern.split('.')) {
      if (seg === '*') node = node.star ??= { rules: [], children: new Map() };
      else {
        let next = node.children.get(seg);
        if (!next) node.children.set(seg, (next = { rules: [], children: new Map() }));
        node = next;
      }
    }
    node.rules.push(rule);
  }
  compiled.set(table, root);
  return root;
}

export function applyForms(tree: TreeMap, table: FormTable, report: FormReport): TreeMap {
  const walker = new Walker(report);
  return walker.walk(tree, [], [compile(table)], originOf(tree)?.pos) as TreeMap;
}

class Walker {
  constructor(private readonly report: FormReport) {}

  /** `path` is a stack shared by the whole walk; it is copied only when a rule needs it. */
  walk(value: Node, path: PathSegment[], tries: readonly Trie[], pos: Pos | undefined): Node {
    let v = value;
    for (const t of tries) {
      for (const rule of t.rules) v = rule(v, this.at([...path], pos));
    }
    if (isMap(v)) {
      let out: TreeMap | undefined;
      for (const k of Object.keys(v)) {
        const next = step(tries, k);
        if (next.length === 0) continue;
        out ??= { ...v };
        path.push(k);
        out[k] = this.walk(v[k], path, next, keyPos(v, k) ?? pos);
        path.pop();
      }
      return out ?? v;
    }
    if (isList(v)) {
      const next = step(tries, undefined);
      if (next.length === 0) return v;
      const list = v;
      return sameOrigin(
        list.map((item, i) => {
          path.push(i);
          const out = this.walk(item, path, next, itemPos(list, i) ?? pos);
          path.pop();
          return out;
        }),
        list,
      );
    }
    return v;
  }

  private at(path: TreePath, pos: Pos | undefined): FormAt {
    const report = this.report;
    const lenient = report.lenient === true;
    return {
      path,
      pos,
      lenient,
      error: (message, p, sub) => {
        if (!lenient) report.error(diagnostic(p ?? pos, sub ?? path, message));
      },
      warn: (message, p, sub) => report.warn(diagnostic(p ?? pos, sub ?? path, message)),
    };
  }
}

/** The tries reached from `tries` by one step along `key` (a list index when undefined). */
function step(tries: readonly Trie[], key: string | undefined): Trie[] {
  const out: Trie[] = [];
  for (const t of tries) {
    if (key !== undefined) {
      const c = t.children.get(key);
      if (c) out.push(c);
    }
    if (t.star) out.push(t.star);
  }
  return out;
}
