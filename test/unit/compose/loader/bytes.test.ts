import { parseBytes } from '../../../../src/compose/loader/bytes';

describe('byte sizes', () => {
  it.each([
    [1024, 1024],
    ['1024', 1024],
    ['50M', 52428800],
    ['50m', 52428800],
    ['50mb', 52428800],
    ['50MiB', 52428800],
    ['1g', 1073741824],
    ['1.5k', 1536],
    ['20 k', 20480],
    ['2b', 2],
    ['1t', 1024 ** 4],
    ['-1', -1],
  ])('%s is %d bytes', (input, expected) => {
    expect(parseBytes(input)).toBe(expected);
  });

  it('rejects what Docker rejects', () => {
    for (const bad of ['', 'lots', '1x', 'm', '1.2.m3', '-1m']) expect(parseBytes(bad)).toBeUndefined();
  });
});
