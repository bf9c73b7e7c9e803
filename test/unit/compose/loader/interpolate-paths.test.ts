import { interpolateTree } from '../../../../src/compose/loader/interpolate';
import type { TreeMap } from '../../../../src/compose/loader/tree';

describe('interpolation: the path of each variable use', () => {
  it('names the path of every use, also when one map sits at several paths', () => {
    const shared: TreeMap = { a: '${A}', b: ['${B}', 'x${C}'] };
    const tree: TreeMap = { p: shared, q: shared, s: { t: shared, u: '${D}' }, v: ['${E}'] };
    const { uses } = interpolateTree(tree, 'c.yaml', (n) => n.toLowerCase());
    expect(uses.map((u) => `${u.path} ${u.name}`)).toEqual([
      'p.a A', 'p.b[0] B', 'p.b[1] C',
      'q.a A', 'q.b[0] B', 'q.b[1] C',
      's.t.a A', 's.t.b[0] B', 's.t.b[1] C', 's.u D',
      'v[0] E',
    ]);
  });
});
