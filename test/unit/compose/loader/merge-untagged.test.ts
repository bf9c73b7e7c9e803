import { mergeTrees, mergeUntagged } from '../../../../src/compose/loader/merge';
import { parseYaml } from '../../../../src/compose/loader/parse';
import { ORIGIN, originOf, stripOrigins, withOrigin, type Node, type Origin, type TreeMap } from '../../../../src/compose/loader/tree';

/** The tree with its top-level origin written out (what a merge can change). */
const described = (t: TreeMap): unknown => ({
  plain: stripOrigins(t),
  pos: originOf(t)?.pos,
  keys: originOf(t)?.keys,
  values: Object.keys(t).map((k) => t[k]),
});

const merged = (t: TreeMap): TreeMap => mergeTrees(withOrigin({}, undefined), t);

describe('mergeUntagged', () => {
  const source = 'name: p\nservices:\n  web:\n    image: nginx\n    ports: ["80:80"]\nvolumes:\n  data: {}\n';

  it('is the file itself when merging it onto nothing would only copy it', () => {
    const { tree } = parseYaml(source, 'compose.yaml');
    expect(mergeUntagged(tree)).toBe(tree);
    expect(described(mergeUntagged(tree))).toEqual(described(merged(tree)));
  });

  it('merges as usual when the origin does not place every key, or places others', () => {
    const { tree } = parseYaml(source, 'compose.yaml');
    const origin = originOf(tree) as Origin;
    const { name: _dropped, ...fewer } = origin.keys ?? {};
    const unplaced = withOrigin({ ...tree }, { ...origin, keys: fewer });
    expect(mergeUntagged(unplaced)).not.toBe(unplaced);
    expect(described(mergeUntagged(unplaced))).toEqual(described(merged(unplaced)));

    const extra = withOrigin({ ...tree }, { ...origin, keys: { ...origin.keys, gone: origin.pos && { key: origin.pos, value: origin.pos } } as Origin['keys'] });
    expect(mergeUntagged(extra)).not.toBe(extra);
    expect(described(mergeUntagged(extra))).toEqual(described(merged(extra)));

    const none: TreeMap = { services: {} };
    expect(mergeUntagged(none)).not.toBe(none);
    expect((mergeUntagged(none) as { [ORIGIN]?: Origin })[ORIGIN]).toBeUndefined();
  });

  it('leaves out what the merge leaves out: a key every object has', () => {
    const { tree } = parseYaml('services: {}\nconstructor: 1\n', 'compose.yaml');
    const result = mergeUntagged(tree);
    expect(result).not.toBe(tree);
    expect(stripOrigins(result as Node)).toEqual(stripOrigins(merged(tree) as Node));
  });
});
