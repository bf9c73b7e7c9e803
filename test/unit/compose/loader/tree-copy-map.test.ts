import { copyMap, ORIGIN, originOf, withOrigin, type TreeMap } from '../../../../src/compose/loader/tree';

describe('copyMap', () => {
  const pos = { file: 'c.yaml', line: 1, col: 1 };
  it.each([3, 40, 1500])('copies a map of %i keys as a spread would: keys, order, values, origin', (n) => {
    const map: TreeMap = withOrigin({}, { pos, keys: {} });
    map['10'] = 'number-like first';
    for (let i = 0; i < n; i++) map[`svc-${i}`] = { i };
    const copy = copyMap(map);
    expect(copy).not.toBe(map);
    expect(Object.keys(copy)).toEqual(Object.keys({ ...map }));
    for (const k of Object.keys(map)) expect(copy[k]).toBe(map[k]);
    expect(originOf(copy)).toBe(originOf(map));
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    copy['svc-0'] = 'changed';
    expect(map['svc-0']).toEqual({ i: 0 });
  });

  it('copies a map without an origin without one', () => {
    const map: TreeMap = {};
    for (let i = 0; i < 100; i++) map[`k${i}`] = i;
    expect(ORIGIN in copyMap(map)).toBe(false);
  });
});
