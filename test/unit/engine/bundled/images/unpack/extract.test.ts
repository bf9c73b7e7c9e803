/**
 * extractLayer, positive cases that need no privilege: entry types, modes, times, long names
 * in every encoding, compression detection, the diff ID, streaming and error propagation.
 * (Ownership, devices, xattrs and whiteouts need root: test/integration/images/unpack-*.)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { RemoteError } from '../../../../../../src/engine/errors';
import { extractLayer } from '../../../../../../src/engine/bundled/images/unpack/extract';
import { LayerError } from '../../../../../../src/engine/bundled/images/unpack/layer-error';
import { buildTar, chunked, DEFAULT_GID, DEFAULT_UID, headerBlock, type TarSpec } from './tar-builder';
import { makeSandbox, type Sandbox } from './sandbox';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => {
  box.remove();
});

const t = (...p: string[]): string => path.join(box.target, ...p);
const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

async function extract(specs: readonly TarSpec[], options: Parameters<typeof extractLayer>[2] = {}): Promise<{ diffId: string; size: number }> {
  return extractLayer(chunked(buildTar(specs)), box.target, options);
}

describe('entry types', () => {
  test('files, directories, symlinks, hard links and FIFOs', async () => {
    await extract([
      { name: 'etc/', type: 'dir' },
      { name: 'etc/hostname', content: 'box\n' },
      { name: 'etc/empty', content: '' },
      { name: 'bin/', type: 'dir' },
      { name: 'bin/busybox', content: Buffer.alloc(70_000, 0xab), mode: 0o755 },
      { name: 'bin/sh', type: 'hardlink', linkname: 'bin/busybox' },
      { name: 'bin/ls', type: 'hardlink', linkname: '/bin/busybox' },
      { name: 'usr/bin', type: 'symlink', linkname: '../bin' },
      { name: 'etc/abs', type: 'symlink', linkname: '/etc/hostname' },
      { name: 'etc/dangling', type: 'symlink', linkname: 'nowhere/at/all' },
      { name: 'run/pipe', type: 'fifo', mode: 0o620 },
    ]);
    expect(fs.readFileSync(t('etc/hostname'), 'utf8')).toBe('box\n');
    expect(fs.statSync(t('etc/empty')).size).toBe(0);
    expect(fs.readFileSync(t('bin/busybox')).equals(Buffer.alloc(70_000, 0xab))).toBe(true);
    const ino = fs.statSync(t('bin/busybox')).ino;
    expect(fs.statSync(t('bin/sh')).ino).toBe(ino);
    expect(fs.statSync(t('bin/ls')).ino).toBe(ino);
    expect(fs.statSync(t('bin/busybox')).nlink).toBe(3);
    expect(fs.readlinkSync(t('usr/bin'))).toBe('../bin');
    expect(fs.lstatSync(t('usr')).isDirectory()).toBe(true); // implicit parent
    expect(fs.lstatSync(t('usr')).mode & 0o7777).toBe(0o755);
    expect(fs.readlinkSync(t('etc/abs'))).toBe('/etc/hostname');
    expect(fs.readlinkSync(t('etc/dangling'))).toBe('nowhere/at/all');
    const pipe = fs.lstatSync(t('run/pipe'));
    expect(pipe.isFIFO()).toBe(true);
    expect(pipe.mode & 0o7777).toBe(0o620);
  });

  test('./-prefixed names and the root entry (its mode goes on the target)', async () => {
    await extract([
      { name: './', type: 'dir', mode: 0o711, mtime: 1_000 },
      { name: './a/./b//c', content: 'c' },
    ]);
    expect(fs.readFileSync(t('a/b/c'), 'utf8')).toBe('c');
    const root = fs.lstatSync(box.target);
    expect(root.mode & 0o7777).toBe(0o711);
    expect(root.mtimeMs).toBe(1_000_000);
  });

  test('later entries replace earlier ones of the same name (tar order wins)', async () => {
    await extract([
      { name: 'x', content: 'first' },
      { name: 'x', content: 'second' },
      { name: 'd/', type: 'dir' },
      { name: 'd/inner', content: 'gone' },
      { name: 'd', content: 'now a file' },
      { name: 'f', content: 'was a file' },
      { name: 'f/', type: 'dir', mode: 0o700 },
      { name: 'two/', type: 'dir', mode: 0o755 },
      { name: 'two/kept', content: 'kept' },
      { name: 'two/', type: 'dir', mode: 0o750 },
    ]);
    expect(fs.readFileSync(t('x'), 'utf8')).toBe('second');
    expect(fs.readFileSync(t('d'), 'utf8')).toBe('now a file');
    expect(fs.lstatSync(t('f')).isDirectory()).toBe(true);
    expect(fs.readFileSync(t('two/kept'), 'utf8')).toBe('kept');
    expect(fs.lstatSync(t('two')).mode & 0o7777).toBe(0o750);
  });

  test('a hard link to itself is a no-op; to an earlier hard link shares the inode', async () => {
    await extract([
      { name: 'a', content: 'A' },
      { name: 'a', type: 'hardlink', linkname: 'a' },
      { name: 'b', type: 'hardlink', linkname: 'a' },
      { name: 'c', type: 'hardlink', linkname: 'b' },
    ]);
    expect(fs.readFileSync(t('a'), 'utf8')).toBe('A');
    expect(fs.statSync(t('c')).ino).toBe(fs.statSync(t('a')).ino);
  });
});

describe('modes and times', () => {
  test('permission bits, sticky directories, and directories without write permission', async () => {
    await extract([
      { name: 'secret', content: 's', mode: 0o640 },
      { name: 'tool', content: 't', mode: 0o755 },
      { name: 'none', content: 'n', mode: 0o000 },
      { name: 'tmp/', type: 'dir', mode: 0o1777 },
      { name: 'ro/', type: 'dir', mode: 0o555 },
      { name: 'ro/inside', content: 'written after ro/ was declared read-only' },
    ]);
    const mode = (p: string): number => fs.lstatSync(t(p)).mode & 0o7777;
    expect(mode('secret')).toBe(0o640);
    expect(mode('tool')).toBe(0o755);
    expect(mode('none')).toBe(0o000);
    expect(mode('tmp')).toBe(0o1777);
    expect(mode('ro')).toBe(0o555);
    expect(fs.readFileSync(t('ro/inside'), 'utf8')).toContain('written');
  });

  test('mtimes of files, symlinks, FIFOs, and of directories after their contents', async () => {
    await extract([
      { name: 'd/', type: 'dir', mtime: 1_111_111_111 },
      { name: 'd/f', content: 'x', mtime: 1_222_222_222 },
      { name: 'd/l', type: 'symlink', linkname: 'f', mtime: 1_333_333_333 },
      { name: 'd/p', type: 'fifo', mtime: 1_444_444_444 },
      { name: 'd/sub/', type: 'dir', mtime: 1_555_555_555 },
      { name: 'd/sub/g', content: 'y' },
    ]);
    const mtime = (p: string): number => fs.lstatSync(t(p)).mtimeMs / 1000;
    expect(mtime('d')).toBe(1_111_111_111);
    expect(mtime('d/f')).toBe(1_222_222_222);
    expect(mtime('d/l')).toBe(1_333_333_333);
    expect(mtime('d/p')).toBe(1_444_444_444);
    expect(mtime('d/sub')).toBe(1_555_555_555);
    expect(fs.lstatSync(t('d/sub/g')).mtimeMs / 1000).toBe(1_600_000_000);
  });

  test('pax mtime and atime with fractions; atime never before mtime', async () => {
    await extract([
      { name: 'frac', content: 'x', pax: { mtime: '1234567890.5', atime: '1234567999.25' } },
      { name: 'old-atime', content: 'x', mtime: 2_000_000_000, pax: { atime: '1000000000' } },
    ]);
    const frac = fs.lstatSync(t('frac'));
    expect(frac.mtimeMs).toBe(1_234_567_890_500);
    expect(frac.atimeMs).toBe(1_234_567_999_250);
    expect(fs.lstatSync(t('old-atime')).atimeMs).toBe(2_000_000_000_000);
  });

  test('ownership follows the tar when asked (here: our own ids)', async () => {
    await extract([{ name: 'mine', content: 'x', uid: DEFAULT_UID, gid: DEFAULT_GID }], { sameOwner: true });
    expect(fs.lstatSync(t('mine')).uid).toBe(DEFAULT_UID);
    expect(fs.lstatSync(t('mine')).gid).toBe(DEFAULT_GID);
  });

  test('with sameOwner false, the tar ids are ignored', async () => {
    await extract([{ name: 'theirs', content: 'x', uid: 4242, gid: 4343 }], { sameOwner: false });
    expect(fs.lstatSync(t('theirs')).uid).toBe(DEFAULT_UID);
  });
});

describe('long names', () => {
  const deep = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(60)}/${'n'.repeat(150)}`;

  test('pax path and linkpath (hundreds of bytes)', async () => {
    await extract([
      { name: 'short-stand-in', pax: { path: deep }, content: 'deep' },
      { name: 'link', type: 'symlink', linkname: 'x', pax: { linkpath: `../${deep}` } },
      { name: 'hard', type: 'hardlink', linkname: 'x', pax: { linkpath: deep } },
      { name: 'ünïcödé/ファイル', content: 'utf-8' },
    ]);
    expect(fs.readFileSync(t(deep), 'utf8')).toBe('deep');
    expect(fs.readlinkSync(t('link'))).toBe(`../${deep}`);
    expect(fs.statSync(t('hard')).ino).toBe(fs.statSync(t(deep)).ino);
    expect(fs.readFileSync(t('ünïcödé/ファイル'), 'utf8')).toBe('utf-8');
  });

  test('GNU long names (L) and long link names (K)', async () => {
    await extract([
      { name: deep, content: 'gnu', gnuLongNames: true, format: 'gnu' },
      { name: `l/${'s'.repeat(120)}`, type: 'symlink', linkname: `/${deep}`, gnuLongNames: true, format: 'gnu' },
    ]);
    expect(fs.readFileSync(t(deep), 'utf8')).toBe('gnu');
    expect(fs.readlinkSync(t(`l/${'s'.repeat(120)}`))).toBe(`/${deep}`);
  });

  test('ustar prefix + name', async () => {
    const name = `${'p'.repeat(80)}/${'q'.repeat(60)}/file-${'r'.repeat(50)}`;
    await extract([{ name, content: 'prefixed' }]);
    expect(fs.readFileSync(t(name), 'utf8')).toBe('prefixed');
  });
});

describe('header variants', () => {
  test('pax size overrides the header size; pax global headers are ignored (as Docker does)', async () => {
    const body = Buffer.from('twelve bytes');
    await extract([
      { name: 'g', flag: 'g', content: Buffer.from('19 path=globalname\n') },
      { name: 'sized', content: body, headerSize: 0, pax: { size: String(body.length) } },
      { name: 'after', content: 'after' },
    ]);
    expect(fs.readFileSync(t('sized'), 'utf8')).toBe('twelve bytes');
    expect(fs.readFileSync(t('after'), 'utf8')).toBe('after');
    expect(fs.existsSync(t('globalname'))).toBe(false);
  });

  test('v7 headers; a v7 regular file whose name ends in / is a directory', async () => {
    await extract([
      { name: 'olddir/', flag: '\0', format: 'v7', mode: 0o750 },
      { name: 'olddir/file', flag: '\0', format: 'v7', content: 'v7' },
    ]);
    expect(fs.lstatSync(t('olddir')).isDirectory()).toBe(true);
    expect(fs.lstatSync(t('olddir')).mode & 0o7777).toBe(0o750);
    expect(fs.readFileSync(t('olddir/file'), 'utf8')).toBe('v7');
  });

  test('a size field on a header-only type (symlink) is ignored, as Go does', async () => {
    const tar = Buffer.concat([
      headerBlock({ name: 'sym', type: 'symlink', linkname: 'target' }, 512),
      headerBlock({ name: 'next' }, 4),
      Buffer.from('next'.padEnd(512, '\0')),
      Buffer.alloc(1024),
    ]);
    await extractLayer(chunked(tar), box.target);
    expect(fs.readlinkSync(t('sym'))).toBe('target');
    expect(fs.readFileSync(t('next'), 'utf8')).toBe('next');
  });

  test('a contiguous file (type 7) is a regular file', async () => {
    await extract([{ name: 'cont', flag: '7', content: 'c' }]);
    expect(fs.readFileSync(t('cont'), 'utf8')).toBe('c');
  });

  test('a non-UTF-8 name fails clearly', async () => {
    const header = headerBlock({ name: 'x' }, 0);
    header[0] = 0xff; // rewrite the name and fix the checksum
    header.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    await expect(extractLayer(chunked(Buffer.concat([header, Buffer.alloc(1024)])), box.target)).rejects.toThrow(/not valid UTF-8/);
  });

  test('an archive without end-of-archive blocks is accepted at a header boundary', async () => {
    const tar = buildTar([{ name: 'a', content: 'a' }], { endBlocks: 0 });
    await extractLayer(chunked(tar), box.target);
    expect(fs.readFileSync(t('a'), 'utf8')).toBe('a');
  });

  test('warnings: AUFS metadata and overlay attributes from the tar are skipped', async () => {
    const warnings: string[] = [];
    await extract(
      [
        { name: '.wh..wh.plnk/', type: 'dir' },
        { name: 'd/', type: 'dir', xattrs: { 'trusted.overlay.opaque': 'y' } },
        { name: 'f', content: 'x', xattrs: { 'bogus.name': 'v' } },
      ],
      { onWarning: (m) => warnings.push(m) },
    );
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/AUFS/);
    expect(warnings[1]).toMatch(/trusted\.overlay\.opaque/);
    expect(warnings[2]).toMatch(/bogus\.name/);
    expect(fs.existsSync(t('.wh..wh.plnk'))).toBe(false);
  });
});

describe('compression and the diff ID', () => {
  const specs: TarSpec[] = [
    { name: 'dir/', type: 'dir' },
    { name: 'dir/data', content: Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31) % 256)) },
    { name: 'dir/link', type: 'symlink', linkname: 'data' },
  ];
  // A 10 KiB record, as GNU tar writes: the padding after the end blocks is part of the digest.
  const tar = buildTar(specs, { recordSize: 10240 });

  const check = async (compressed: Buffer, chunk = 4096): Promise<void> => {
    const result = await extractLayer(chunked(compressed, chunk), box.target);
    expect(result).toEqual({ diffId: sha256(tar), size: tar.length });
    expect(fs.readFileSync(t('dir/data')).equals(specs[1]!.content as Buffer)).toBe(true);
  };

  test('plain tar', async () => {
    await check(tar);
  });

  test('plain tar, one byte at a time', async () => {
    const small = buildTar([{ name: 'a/', type: 'dir' }, { name: 'a/b', content: 'bee' }, { name: 'l', type: 'symlink', linkname: 'a/b' }]);
    expect(await extractLayer(chunked(small, 1), box.target)).toEqual({ diffId: sha256(small), size: small.length });
    expect(fs.readFileSync(t('l'), 'utf8')).toBe('bee');
  });

  test('gzip', async () => {
    await check(gzipSync(tar));
  });

  test('gzip in several members', async () => {
    await check(Buffer.concat([gzipSync(tar.subarray(0, 5000)), gzipSync(tar.subarray(5000))]));
  });

  test('zstd (compressed by the zstd command)', async () => {
    const z = spawnSync('zstd', ['-q', '-c', '-3'], { input: tar, maxBuffer: 1 << 26 });
    expect(z.status).toBe(0);
    await check(z.stdout);
  });

  test('zstd in two frames', async () => {
    const a = spawnSync('zstd', ['-q', '-c'], { input: tar.subarray(0, 100_000), maxBuffer: 1 << 26 });
    const b = spawnSync('zstd', ['-q', '-c'], { input: tar.subarray(100_000), maxBuffer: 1 << 26 });
    await check(Buffer.concat([a.stdout, b.stdout]));
  });

  test('an empty stream is an empty layer', async () => {
    expect(await extractLayer(chunked(Buffer.alloc(0)), box.target)).toEqual({ diffId: sha256(Buffer.alloc(0)), size: 0 });
  });

  test('bytes after the end-of-archive marker are read and hashed', async () => {
    const withTail = Buffer.concat([tar, Buffer.from('trailing bytes after the end marker')]);
    expect((await extractLayer(chunked(withTail), box.target)).diffId).toBe(sha256(withTail));
  });

  test('corrupt gzip fails with a LayerError', async () => {
    const gz = gzipSync(tar);
    gz[gz.length >> 1] ^= 0xff;
    gz[(gz.length >> 1) + 1] ^= 0xff;
    const err = await extractLayer(chunked(gz), box.target).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LayerError);
    expect((err as Error).message).toMatch(/^invalid gzip data: /);
  });

  test('truncated zstd fails', async () => {
    const z = spawnSync('zstd', ['-q', '-c'], { input: tar, maxBuffer: 1 << 26 }).stdout;
    await expect(extractLayer(chunked(z.subarray(0, z.length - 20)), box.target)).rejects.toThrow(/zstd|truncated/);
  });

  test('xz and bzip2 are refused by name', async () => {
    await expect(extractLayer(chunked(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2])), box.target)).rejects.toThrow(
      /unsupported layer compression: xz/,
    );
    await expect(extractLayer(chunked(Buffer.from('BZh91AY&SY')), box.target)).rejects.toThrow(/bzip2/);
  });
});

describe('streaming', () => {
  test('an error of the source stream rejects, even after the end marker (a late digest mismatch)', async () => {
    const tar = buildTar([{ name: 'a', content: 'a' }]);
    async function* failing(): AsyncGenerator<Buffer> {
      yield tar;
      throw new RemoteError('digest mismatch for the layer blob');
    }
    await expect(extractLayer(Readable.from(failing()), box.target)).rejects.toThrow(RemoteError);
    async function* failingGzip(): AsyncGenerator<Buffer> {
      yield gzipSync(tar);
      throw new RemoteError('digest mismatch (gzip)');
    }
    await expect(extractLayer(Readable.from(failingGzip()), box.target)).rejects.toThrow(RemoteError);
    async function* failingInBody(): AsyncGenerator<Buffer> {
      yield gzipSync(tar).subarray(0, 30);
      throw new RemoteError('digest mismatch (in a body)');
    }
    await expect(extractLayer(Readable.from(failingInBody()), box.target)).rejects.toThrow(RemoteError);
  });

  test('an error in the middle of a file body rejects', async () => {
    const tar = buildTar([{ name: 'big', content: Buffer.alloc(100_000, 1) }]);
    async function* failing(): AsyncGenerator<Buffer> {
      yield tar.subarray(0, 50_000);
      throw new Error('connection reset');
    }
    const err = await extractLayer(Readable.from(failing()), box.target).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(LayerError); // the stream's error, as it was
    expect((err as Error).message).toBe('connection reset');
  });

  test('aborting rejects with the reason and stops reading', async () => {
    const controller = new AbortController();
    let pulled = 0;
    const header = headerBlock({ name: 'endless' }, 1 << 30);
    async function* endless(): AsyncGenerator<Buffer> {
      yield header;
      for (;;) {
        pulled++;
        if (pulled === 20) controller.abort(new Error('pull cancelled'));
        yield Buffer.alloc(65536);
      }
    }
    await expect(extractLayer(Readable.from(endless()), box.target, { signal: controller.signal })).rejects.toThrow('pull cancelled');
    expect(pulled).toBeLessThan(100);
  });

  test('an already aborted signal rejects before reading', async () => {
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    await expect(extract([{ name: 'a', content: 'a' }], { signal: controller.signal })).rejects.toThrow('too late');
    expect(fs.readdirSync(box.target)).toEqual([]);
  });

  test('a 256 MiB file streams through without being held in memory', async () => {
    const size = 256 << 20;
    const chunk = Buffer.alloc(1 << 20, 0x5a);
    let peak = 0;
    const sample = (): void => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.arrayBuffers + m.heapUsed);
    };
    async function* generate(): AsyncGenerator<Buffer> {
      yield headerBlock({ name: 'huge' }, size);
      for (let i = 0; i < size / chunk.length; i++) {
        sample();
        yield Buffer.from(chunk);
      }
      yield Buffer.alloc(1024);
    }
    sample();
    const base = peak;
    const result = await extractLayer(Readable.from(generate()), box.target);
    expect(result.size).toBe(512 + size + 1024);
    expect(fs.statSync(t('huge')).size).toBe(size);
    expect(peak - base).toBeLessThan(64 << 20);
  }, 60_000);

  test('errors name the entry', async () => {
    const err = await extract([
      { name: 'a', content: 'x' },
      { name: 'a/b', content: 'y' },
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LayerError);
    expect((err as LayerError).entry).toBe('a/b');
    expect((err as Error).message).toMatch(/^layer entry "a\/b": /);
  });
});
