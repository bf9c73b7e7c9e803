/**
 * Applies a table of rules keyed by path patterns (`services.*.ports`,
 * `networks.*`) to a tree, top-down: a rule rewrites the value at a matching
 * path, then the walk continues into what the rule returned, so a rule for
 * `services.*.ports` (list → list of maps) is followed by the ones for
 * `services.*.ports.*`. `*` matches one map key or list index. Patterns are
 * compiled into a trie (path-patterns.ts), so a large model costs one lookup per node.
 */
import { diagnostic, type Diagnostic } from '../errors';
import { pathPatterns, type PathState } from '../path-patterns';
import { copyMap, isList, isMap, originOf, sameOrigin, type Node, type Origin, type PathSegment, type Pos, type TreeList, type TreeMap, type TreePath } from './tree';

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

/** The compiled pattern trie of each table, made on first use. */
const compiled = new WeakMap<FormTable, PathState<FormRule>>();

function start(table: FormTable): PathState<FormRule> {
  let state = compiled.get(table);
  if (!state) compiled.set(table, (state = pathPatterns(table)));
  return state;
}

export function applyForms(tree: TreeMap, table: FormTable, report: FormReport): TreeMap {
  const walker = new Walker(report);
  return walker.walk(tree, [], start(table), originOf(tree)?.pos) as TreeMap;
}

class Walker {
  constructor(private readonly report: FormReport) {}

  /**
   * `path` is a stack shared by the whole walk; a rule sees a copy. What no rule
   * changed is returned as it is (stages never mutate a tree, so sharing is safe).
   */
  walk(value: Node, path: PathSegment[], state: PathState<FormRule>, pos: Pos | undefined): Node {
    let v = value;
    const rules = state.values;
    if (rules.length > 0) {
      const at = new RuleAt(this.report, path, pos);
      for (let i = 0; i < rules.length; i++) v = rules[i](v, at);
    }
    if (state.leaf) return v;
    if (isMap(v)) {
      let out: TreeMap | undefined;
      let origin: Origin | undefined | null = null;
      const keys = Object.keys(v);
      for (let j = 0; j < keys.length; j++) {
        const k = keys[j];
        const next = state.next(k);
        if (next.dead) continue;
        path.push(k);
        // keyPos(v, k) ?? pos, with the origin looked up once per map.
        if (origin === null) origin = originOf(v);
        const w = this.walk(v[k], path, next, origin?.keys?.[k]?.value ?? origin?.pos ?? pos);
        path.pop();
        if (w !== v[k]) (out ??= copyMap(v))[k] = w;
      }
      return out ?? v;
    }
    if (isList(v)) {
      const next = state.next(undefined);
      if (next.dead) return v;
      let out: TreeList | undefined;
      const origin = originOf(v);
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        // itemPos(v, i) ?? pos, with the origin looked up once per list.
        const w = this.walk(v[i], path, next, origin?.items?.[i] ?? origin?.pos ?? pos);
        path.pop();
        if (out === undefined && w !== v[i]) out = v.slice(0, i);
        if (out !== undefined) out.push(w);
      }
      return out === undefined ? v : sameOrigin(out, v);
    }
    return v;
  }
}

/** What a rule is told about where it runs; the path is copied when the rule asks for it. */
class RuleAt implements FormAt {
  readonly lenient: boolean;
  private copy: TreePath | undefined;

  constructor(
    private readonly report: FormReport,
    private readonly walkPath: readonly PathSegment[],
    readonly pos: Pos | undefined,
  ) {
    this.lenient = report.lenient === true;
  }

  get path(): TreePath {
    return (this.copy ??= [...this.walkPath]);
  }

  error(message: string, p?: Pos, sub?: TreePath): void {
    if (!this.lenient) this.report.error(diagnostic(p ?? this.pos, sub ?? this.path, message));
  }

  warn(message: string, p?: Pos, sub?: TreePath): void {
    this.report.warn(diagnostic(p ?? this.pos, sub ?? this.path, message));
  }
}
