import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { TAR_END, tarFile, tarHeader, tarPadding } from '../../../../../../src/engine/bundled/images/archive/tar-writer';
import { ByteSource } from '../../../../../../src/engine/bundled/images/unpack/byte-source';
import { readTar } from '../../../../../../src/engine/bundled/images/unpack/tar-reader';

async function entries(tar: Buffer): Promise<Array<{ name: string; type: string; size: number; mode: number; content: string }>> {
  const source = new ByteSource(Readable.from([tar])[Symbol.asyncIterator](), () => undefined);
  const out = [];
  for await (const entry of readTar(source)) {
    const parts: Buffer[] = [];
    for await (const piece of entry.body) parts.push(piece);
    out.push({ name: entry.name, type: entry.type, size: entry.size, mode: entry.mode, content: Buffer.concat(parts).toString() });
  }
  return out;
}

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

describe('tar writer', () => {
  it('writes headers, pax names and padding our reader reads back', async () => {
    const tar = sample();
    expect(tar.length % 512).toBe(0);
    expect(await entries(tar)).toEqual([
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

  it('pads contents to whole blocks', () => {
    expect(tarPadding(0).length).toBe(0);
    expect(tarPadding(1).length).toBe(511);
    expect(tarPadding(512).length).toBe(0);
    expect(tarPadding(513).length).toBe(511);
  });
});
