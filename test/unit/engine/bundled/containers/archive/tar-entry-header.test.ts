import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { type ArchiveHeader, tarEntryHeader, tarPadding, TAR_TRAILER } from '../../../../../../src/engine/bundled/containers/archive/tar-entry-header';
import { tarEntries } from './copy-sandbox';

function archive(entries: ReadonlyArray<{ header: ArchiveHeader; content?: Buffer }>): Buffer {
  const parts: Buffer[] = [];
  for (const { header, content } of entries) {
    parts.push(tarEntryHeader(header));
    if (content) parts.push(content, tarPadding(content.length));
  }
  parts.push(TAR_TRAILER);
  return Buffer.concat(parts);
}

const base = { mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 1_700_000_000 };

describe('tarEntryHeader', () => {
  it('writes every entry type with mode, owner, time, link targets and device numbers', async () => {
    const content = Buffer.from('hello\n');
    const tar = archive([
      { header: { ...base, name: Buffer.from('d'), type: 'dir', mode: 0o1755, uid: 1000, gid: 1001 } },
      { header: { ...base, name: Buffer.from('d/f'), type: 'file', size: content.length, mode: 0o4755 }, content },
      { header: { ...base, name: Buffer.from('d/l'), type: 'symlink', linkname: Buffer.from('/etc/passwd'), mode: 0o777 } },
      { header: { ...base, name: Buffer.from('d/h'), type: 'hardlink', linkname: Buffer.from('d/f') } },
      { header: { ...base, name: Buffer.from('d/c'), type: 'char', devmajor: 1, devminor: 3 } },
      { header: { ...base, name: Buffer.from('d/b'), type: 'block', devmajor: 8, devminor: 1 } },
      { header: { ...base, name: Buffer.from('d/p'), type: 'fifo' } },
    ]);
    const got = await tarEntries(Readable.from([tar]));
    expect(got.map((e) => [e.name, e.type, e.mode.toString(8), e.uid, e.gid, e.mtime, e.linkname, e.devmajor, e.devminor, e.content.toString()])).toEqual([
      ['d/', 'dir', '1755', 1000, 1001, 1_700_000_000, '', 0, 0, ''],
      ['d/f', 'file', '4755', 0, 0, 1_700_000_000, '', 0, 0, 'hello\n'],
      ['d/l', 'symlink', '777', 0, 0, 1_700_000_000, '/etc/passwd', 0, 0, ''],
      ['d/h', 'hardlink', '644', 0, 0, 1_700_000_000, 'd/f', 0, 0, ''],
      ['d/c', 'char', '644', 0, 0, 1_700_000_000, '', 1, 3, ''],
      ['d/b', 'block', '644', 0, 0, 1_700_000_000, '', 8, 1, ''],
      ['d/p', 'fifo', '644', 0, 0, 1_700_000_000, '', 0, 0, ''],
    ]);
    expect(tar.length % 512).toBe(0);
  });

  it('uses the ustar prefix for long ASCII names, pax for longer or non-ASCII ones and for big ids', async () => {
    const split = `${'p'.repeat(120)}/${'n'.repeat(90)}`;
    const long = `${'x'.repeat(300)}/file`;
    const utf8 = 'répertoire/ファイル';
    const longLink = `/${'t'.repeat(150)}`;
    const tar = archive([
      { header: { ...base, name: Buffer.from(split), type: 'file' } },
      { header: { ...base, name: Buffer.from(long), type: 'file' } },
      { header: { ...base, name: Buffer.from(utf8), type: 'file' } },
      { header: { ...base, name: Buffer.from('l'), type: 'symlink', linkname: Buffer.from(longLink) } },
      { header: { ...base, name: Buffer.from('big'), type: 'file', uid: 5_000_000, gid: 70_000_000, mtime: -5 } },
    ]);
    expect(tarEntryHeader({ ...base, name: Buffer.from(split), type: 'file' })).toHaveLength(512); // ustar name + prefix, no pax
    expect(tarEntryHeader({ ...base, name: Buffer.from(long), type: 'file' }).length).toBeGreaterThan(512);
    const got = await tarEntries(Readable.from([tar]));
    expect(got.map((e) => e.name)).toEqual([split, long, utf8, 'l', 'big']);
    expect(got[3]?.linkname).toBe(longLink);
    expect(got[4]).toMatchObject({ uid: 5_000_000, gid: 70_000_000, mtime: -5 });
  });

  it('is read by GNU tar as written (checksums, pax records, prefixes)', () => {
    {
      const content = Buffer.from('data');
      const long = `${'x'.repeat(200)}/ünïcode`;
      const tar = archive([
        { header: { ...base, name: Buffer.from('top'), type: 'dir', mode: 0o755 } },
        { header: { ...base, name: Buffer.from(`top/${long}`), type: 'file', size: content.length }, content },
        { header: { ...base, name: Buffer.from('top/link'), type: 'symlink', linkname: Buffer.from('x') } },
      ]);
      const r = spawnSync('tar', ['-tvf', '-'], { input: tar, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[1]).toContain(`top/${long}`);
      expect(lines[2]).toContain('top/link -> x');
    }
  });

  it('names a directory with a trailing slash, and the root as "/"', async () => {
    const got = await tarEntries(Readable.from([archive([{ header: { ...base, name: Buffer.alloc(0), type: 'dir' } }, { header: { ...base, name: Buffer.from('/bin'), type: 'dir' } }])]));
    expect(got.map((e) => e.name)).toEqual(['/', '/bin/']);
  });
});
