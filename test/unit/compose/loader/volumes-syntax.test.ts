import { isFilePath, parseVolumeSpec } from '../../../../src/compose/loader/volumes-syntax';

describe('volume short syntax', () => {
  it('reads source, target and options', () => {
    expect(parseVolumeSpec('/data')).toEqual({ type: 'volume', target: '/data', readOnly: false, nocopy: false });
    expect(parseVolumeSpec('db:/var/lib/db:ro')).toEqual({ type: 'volume', source: 'db', target: '/var/lib/db', readOnly: true, nocopy: false });
    expect(parseVolumeSpec('./src:/src:rw,Z,slave')).toEqual({
      type: 'bind',
      source: './src',
      target: '/src',
      readOnly: false,
      bind: { selinux: 'Z', propagation: 'slave' },
      nocopy: false,
    });
    // As in Docker Compose, a one-letter source followed by a colon reads as a Windows drive.
    expect(parseVolumeSpec('v:/x:nocopy,unknown')).toMatchObject({ type: 'bind', source: 'v:/x', target: 'nocopy,unknown' });
    expect(parseVolumeSpec('vol:/x:nocopy,unknown')).toMatchObject({ type: 'volume', nocopy: true, readOnly: false });
  });

  it('cleans the target path', () => {
    expect(parseVolumeSpec('ab:/x/../y//z/').target).toBe('/y/z');
  });

  it('tells host paths from volume names', () => {
    for (const p of ['.', './a', '../a', '/a', '~/a', 'C:\\a', 'c:/a', '\\\\server\\share']) expect(isFilePath(p)).toBe(true);
    for (const p of ['a', 'data', 'a.b', '']) expect(isFilePath(p)).toBe(false);
  });

  it('rejects empty sections and too many colons', () => {
    expect(() => parseVolumeSpec('')).toThrow(/empty/);
    expect(() => parseVolumeSpec('ab::/c')).toThrow(/empty section/);
    expect(() => parseVolumeSpec('ab:/c:ro:x')).toThrow(/too many colons/);
  });
});
