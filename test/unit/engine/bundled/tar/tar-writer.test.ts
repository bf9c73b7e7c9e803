import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { TAR_END, type TarEntryHeader, tarEntryHeader, tarFile, tarHeader, tarPadding } from '../../../../../src/engine/bundled/tar/tar-writer';
import { ByteSource } from '../../../../../src/engine/bundled/images/unpack/byte-source';
import { readTar } from '../../../../../src/engine/bundled/images/unpack/tar-reader';
import { tarEntries as readBack } from '../containers/archive/copy-sandbox';

function archive(entries: ReadonlyArray<{ header: TarEntryHeader; content?: Buffer }>): Buffer {
  const parts: Buffer[] = [];
  for (const { header, content } of entries) {
    parts.push(tarEntryHeader(header));
    if (content) parts.push(content, tarPadding(content.length));
  }
  parts.push(TAR_END);
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
    const got = await readBack(Readable.from([tar]));
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
    const got = await readBack(Readable.from([tar]));
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
    const got = await readBack(Readable.from([archive([{ header: { ...base, name: Buffer.alloc(0), type: 'dir' } }, { header: { ...base, name: Buffer.from('/bin'), type: 'dir' } }])]));
    expect(got.map((e) => e.name)).toEqual(['/', '/bin/']);
  });
});

const longName = `${'d'.repeat(120)}/${'f'.repeat(90)}`;
const tooLong = `${'x'.repeat(130)}/${'y'.repeat(130)}`;
const unicode = 'blobs/é/ünïcode.json';

function sample(): Buffer {
  return Buffer.concat([
    tarHeader({ name: 'blobs', type: 'dir' }),
    tarFile('manifest.json', Buffer.from('[1,2,3]')),
    tarFile(longName, Buffer.from('split into prefix and name')),
    tarFile(tooLong, Buffer.from('in a pax header')),
    tarFile(unicode, Buffer.from('utf-8 name')),
    tarHeader({ name: 'exact', type: 'file', size: 512 }),
    Buffer.alloc(512, 0x61),
    tarPadding(512),
    TAR_END,
  ]);
}

describe('tarHeader and tarFile', () => {
  it('writes headers, pax names and padding our reader reads back', async () => {
    const tar = sample();
    expect(tar.length % 512).toBe(0);
    expect((await readBack(Readable.from([tar]))).map(({ name, type, size, mode, content }) => ({ name, type, size, mode, content: content.toString() }))).toEqual([
      { name: 'blobs/', type: 'dir', size: 0, mode: 0o755, content: '' },
      { name: 'manifest.json', type: 'file', size: 7, mode: 0o644, content: '[1,2,3]' },
      { name: longName, type: 'file', size: 26, mode: 0o644, content: 'split into prefix and name' },
      { name: tooLong, type: 'file', size: 15, mode: 0o644, content: 'in a pax header' },
      { name: unicode, type: 'file', size: 10, mode: 0o644, content: 'utf-8 name' },
      { name: 'exact', type: 'file', size: 512, mode: 0o644, content: 'a'.repeat(512) },
    ]);
  });

  it('writes what GNU tar lists the same way', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tscompose-tarw-'));
    try {
      await fs.writeFile(path.join(dir, 'a.tar'), sample());
      const r = spawnSync('tar', ['-tvf', path.join(dir, 'a.tar')], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const names = r.stdout.trim().split('\n').map((l) => l.split(/\s+/).slice(5).join(' '));
      expect(names).toEqual(['blobs/', 'manifest.json', longName, tooLong, unicode, 'exact']);
      expect(r.stdout).toMatch(/^drwxr-xr-x 0\/0 +0 1970-01-01 00:00 blobs\/$/m);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('puts sizes beyond 8 GiB in a pax header', async () => {
    const size = 9 * 1024 ** 3 + 5;
    const header = tarHeader({ name: 'big', type: 'file', size });
    expect(header.length).toBe(3 * 512); // pax header, its body, the entry header
    expect(header.subarray(512, 1024).toString('latin1')).toContain(` size=${size}\n`);
    // the reader takes the size from the pax record (it stops at the missing content)
    const source = new ByteSource(Readable.from([header])[Symbol.asyncIterator](), () => undefined);
    const iterator = readTar(source)[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    expect(first.value).toMatchObject({ name: 'big', size });
  });

  it('writes the same bytes as tarEntryHeader for a root-owned UTF-8 name', () => {
    const name = `${'é'.repeat(60)}/file`; // 125 bytes, not ASCII: a pax header
    expect(tarHeader({ name, type: 'file', size: 3, mtime: 7 })).toEqual(tarEntryHeader({ name: Buffer.from(name), type: 'file', mode: 0o644, uid: 0, gid: 0, size: 3, mtime: 7 }));
    expect(tarHeader({ name: 'd', type: 'dir' })).toEqual(tarEntryHeader({ name: Buffer.from('d/'), type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0 }));
    expect(() => tarHeader({ name: 'f', type: 'file', size: -1 })).toThrow('tar entry f: invalid size -1');
  });

  it('pads contents to whole blocks', () => {
    expect(tarPadding(0).length).toBe(0);
    expect(tarPadding(1).length).toBe(511);
    expect(tarPadding(512).length).toBe(0);
    expect(tarPadding(513).length).toBe(511);
  });
});
