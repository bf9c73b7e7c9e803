import { pathPatterns, type PathState } from '../../../src/compose/path-patterns';

/** The state a path leads to (numbers are list indexes). */
function walk<T>(state: PathState<T>, path: readonly (string | number)[]): PathState<T> {
  let s = state;
  for (const seg of path) s = s.next(typeof seg === 'number' ? undefined : seg);
  return s;
}

describe('pathPatterns', () => {
  const table = {
    '': 'root',
    services: 'services',
    'services.*': 'a service',
    'services.*.ports': 'ports',
    'services.*.ports.*': 'a port',
    'services.web.ports': 'web ports',
    'networks.*': 'a network',
  };
  const root = pathPatterns(table);

  it('gives the root pattern at the root, and each pattern where it matches', () => {
    expect(root.values).toEqual(['root']);
    expect(walk(root, ['services']).values).toEqual(['services']);
    expect(walk(root, ['services', 'db']).values).toEqual(['a service']);
    expect(walk(root, ['services', 'db', 'ports']).values).toEqual(['ports']);
    expect(walk(root, ['networks', 'front']).values).toEqual(['a network']);
  });

  it('lets * match list indexes as well as map keys', () => {
    expect(walk(root, ['services', 'db', 'ports', 0]).values).toEqual(['a port']);
    expect(walk(root, ['services', 'db', 'ports', 'named']).values).toEqual(['a port']);
  });

  it('puts the values of a named key before those of *', () => {
    expect(walk(root, ['services', 'web', 'ports']).values).toEqual(['web ports', 'ports']);
  });

  it('has no values between patterns, and is dead where no pattern goes on', () => {
    const between = walk(root, ['services', 'db', 'image']);
    expect(between.values).toEqual([]);
    expect(between.dead).toBe(true);
    expect(walk(root, ['volumes']).dead).toBe(true);
    expect(walk(root, ['networks']).dead).toBe(false);
    expect(walk(root, ['networks']).values).toEqual([]);
    expect(walk(root, ['services', 'db', 'ports', 0, 'target']).dead).toBe(true);
  });

  it('tells where no pattern goes deeper', () => {
    expect(walk(root, ['services', 'db', 'ports', 0]).leaf).toBe(true);
    expect(walk(root, ['networks', 'front']).leaf).toBe(true);
    expect(walk(root, ['services', 'db', 'image']).leaf).toBe(true);
    expect(walk(root, ['services', 'db', 'ports']).leaf).toBe(false);
    expect(walk(root, ['services', 'web']).leaf).toBe(false);
    expect(root.leaf).toBe(false);
  });

  it('makes each step once: the same key leads to the same state', () => {
    const a = walk(root, ['services', 'db']);
    expect(walk(root, ['services', 'db'])).toBe(a);
    // Keys no pattern names share the state of *.
    expect(walk(root, ['services', 'cache'])).toBe(a);
    expect(walk(root, ['services', 'web'])).not.toBe(a);
    expect(walk(root, ['services', 'web']).values).toEqual(['a service']);
  });

  it('agrees with matching each pattern on its own, on random tables and paths', () => {
    const words = ['a', 'b', 'c', '*'];
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return (seed >>> 16) % n;
    };
    for (let round = 0; round < 200; round++) {
      const patterns = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const len = 1 + random(4);
        patterns.add(Array.from({ length: len }, () => words[random(words.length)]).join('.'));
      }
      const list = [...patterns];
      const state = pathPatterns(Object.fromEntries(list.map((p, i) => [p, i])));
      for (let j = 0; j < 20; j++) {
        const path = Array.from({ length: 1 + random(4) }, () => (random(5) === 0 ? random(3) : words[random(3)]));
        const segs = path.map((s) => (typeof s === 'number' ? undefined : s));
        const matches = (p: string, len: number): boolean => {
          const ps = p.split('.');
          if (ps.length < len) return false;
          for (let i = 0; i < len; i++) if (ps[i] !== '*' && ps[i] !== segs[i]) return false;
          return true;
        };
        // Named before *, step by step: compare the patterns segment by segment.
        const rank = (p: string): string => p.split('.').map((s) => (s === '*' ? '1' : '0')).join('');
        const expected = list
          .map((p, i) => ({ p, i }))
          .filter(({ p }) => p.split('.').length === path.length && matches(p, path.length))
          .sort((x, y) => (rank(x.p) < rank(y.p) ? -1 : rank(x.p) > rank(y.p) ? 1 : x.i - y.i))
          .map(({ i }) => i);
        const reached = walk(state, path);
        expect(reached.values).toEqual(expected);
        expect(reached.dead).toBe(!list.some((p) => matches(p, path.length)));
        expect(reached.leaf).toBe(!list.some((p) => p.split('.').length > path.length && matches(p, path.length)));
      }
    }
  });
});
