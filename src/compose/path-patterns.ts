/**
 * Tables keyed by key-path patterns (DESIGN habit 4), walked alongside a tree:
 * `services.*.ports` names the `ports` of any service, `*` matching one map
 * key or list index, `''` the root. The patterns are compiled into a trie;
 * a PathState is the set of trie nodes a path reaches, with the values of the
 * patterns that end there. A walk steps from state to state with `next(key)`
 * (`undefined` for a list index); each step is made once and remembered, and
 * a key no pattern names (a service name, a list index) leads where `*`
 * leads, so a large tree costs one map lookup per node.
 *
 * Used by the normalize stage (canonical-forms rules, apply-forms.ts) and by
 * the canonical `config` output (struct key orders, canonical.ts).
 */

interface Trie<T> {
  readonly values: T[];
  readonly children: Map<string, Trie<T>>;
  star?: Trie<T>;
}

export class PathState<T> {
  /**
   * The values of every pattern that matches the path so far: patterns of the
   * named key before those of `*` at each step, table order among equals.
   */
  readonly values: readonly T[];
  /** No pattern matches this path or any path below it. */
  readonly dead: boolean;
  /** No pattern matches any path below this one (this one it may). */
  readonly leaf: boolean;
  private readonly named = new Map<string, PathState<T>>();
  private other: PathState<T> | undefined;

  constructor(private readonly tries: readonly Trie<T>[]) {
    const values: T[] = [];
    for (const t of tries) for (const v of t.values) values.push(v);
    this.values = values;
    this.dead = tries.length === 0;
    this.leaf = tries.every((t) => t.children.size === 0 && t.star === undefined);
  }

  /** The state one step further down, along map key `key`, or along any list index when undefined. */
  next(key: string | undefined): PathState<T> {
    if (key !== undefined) {
      const tries = this.tries;
      for (let i = 0; i < tries.length; i++) {
        if (!tries[i].children.has(key)) continue;
        let s = this.named.get(key);
        if (s === undefined) this.named.set(key, (s = new PathState(step(tries, key))));
        return s;
      }
    }
    return (this.other ??= new PathState(step(this.tries, undefined)));
  }
}

/** The state of the root path of `table` (whose keys are dot-separated patterns, `''` the root itself). */
export function pathPatterns<T>(table: Readonly<Record<string, T>>): PathState<T> {
  const root: Trie<T> = { values: [], children: new Map() };
  for (const pattern of Object.keys(table)) {
    let node = root;
    if (pattern !== '') {
      for (const seg of pattern.split('.')) {
        if (seg === '*') node = node.star ??= { values: [], children: new Map() };
        else {
          let next = node.children.get(seg);
          if (next === undefined) node.children.set(seg, (next = { values: [], children: new Map() }));
          node = next;
        }
      }
    }
    node.values.push(table[pattern]);
  }
  return new PathState([root]);
}

/** The tries reached from `tries` by one step along `key` (a list index when undefined). */
function step<T>(tries: readonly Trie<T>[], key: string | undefined): Trie<T>[] {
  const out: Trie<T>[] = [];
  for (const t of tries) {
    if (key !== undefined) {
      const c = t.children.get(key);
      if (c !== undefined) out.push(c);
    }
    if (t.star !== undefined) out.push(t.star);
  }
  return out;
}
