import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { spoolArchive, type SpooledArchive } from '../../../../../../src/engine/bundled/images/archive/spool-archive';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';
import { buildTar, chunked, type TarSpec } from '../unpack/tar-builder';
import { hexOf, sha256 } from './archive-builder';

let base: string;
beforeEach(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'tscompose-spool-'));
});
afterEach(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

const spoolDir = (): string => path.join(base, 'spool');
const spool = (tar: Buffer | NodeJS.ReadableStream): Promise<SpooledArchive> =>
  spoolArchive(Buffer.isBuffer(tar) ? chunked(tar, 333) : tar, spoolDir());

async function content(archive: SpooledArchive, name: string): Promise<string | undefined> {
  const file = archive.find(name);
  return file === undefined ? undefined : (await fs.readFile(file.path)).toString();
}

const blob = 'blob content';
const blobName = `blobs/sha256/${hexOf(sha256(blob))}`;

describe('spoolArchive', () => {
  it('spools every file member, hashed, and resolves links inside the archive', async () => {
    const archive = await spool(
      buildTar([
        { name: './', type: 'dir' },
        { name: './manifest.json', content: '[]' },
        { name: 'abc/', type: 'dir' },
        { name: 'abc/layer.tar', content: 'layer bytes' },
        { name: 'def/layer.tar', type: 'symlink', linkname: '../abc/layer.tar' },
        { name: 'ghi/layer.tar', type: 'symlink', linkname: '../def/layer.tar' },
        { name: 'hard.tar', type: 'hardlink', linkname: 'abc/layer.tar' },
        { name: blobName, content: blob },
      ]),
    );
    expect(archive.names().sort()).toEqual(['abc/layer.tar', blobName, 'def/layer.tar', 'ghi/layer.tar', 'hard.tar', 'manifest.json']);
    expect(await content(archive, 'manifest.json')).toBe('[]');
    for (const name of ['abc/layer.tar', 'def/layer.tar', 'ghi/layer.tar', 'hard.tar']) expect(await content(archive, name)).toBe('layer bytes');
    expect(archive.find('def/layer.tar')).toEqual({ name: 'abc/layer.tar', path: expect.any(String), size: 11, digest: sha256('layer bytes') });
    expect(archive.find('abc')).toBeUndefined();
    expect(archive.file('./abc//layer.tar', 'manifest.json', 'Layers[0]').name).toBe('abc/layer.tar');
    expect(() => archive.file('nope.tar', 'manifest.json', 'image 1 Layers[0]')).toThrow(
      'image archive member "manifest.json": image 1 Layers[0] names "nope.tar", which is not a file in the archive',
    );
    expect(() => archive.file('../../etc/passwd', 'manifest.json', 'image 1 Layers[0]')).toThrow(/contains "\.\.": it points outside the archive/);
    expect(() => archive.file('/etc/passwd', 'manifest.json', 'image 1 Config')).toThrow(/image 1 Config "\/etc\/passwd" is absolute/);
    // the spool holds one file per file member, nothing else
    expect((await fs.readdir(spoolDir())).length).toBe(3);
    await archive.remove();
    await expect(fs.stat(spoolDir())).rejects.toThrow(/ENOENT/);
  });

  it('reads gzip-compressed archives, and streams from any readable', async () => {
    const tar = buildTar([{ name: 'index.json', content: '{}' }]);
    const archive = await spool(Readable.from([gzipSync(tar)]));
    expect(await content(archive, 'index.json')).toBe('{}');
    expect((await archive.readJson(archive.find('index.json')!)).json).toEqual({});
  });

  it('says which member is not JSON', async () => {
    const archive = await spool(buildTar([{ name: 'manifest.json', content: '[{' }]));
    await expect(archive.readJson(archive.find('manifest.json')!)).rejects.toThrow(/^image archive member "manifest.json": not valid JSON/);
  });

  const hostile: Array<[string, TarSpec[], RegExp]> = [
    ['a member named ../x', [{ name: '../x', content: 'x' }], /image archive member "\.\.\/x": its name "\.\.\/x" contains "\.\."/],
    ['a member with an absolute name', [{ name: '/etc/cron.d/x', content: 'x' }], /image archive member "\/etc\/cron.d\/x": its name .* is absolute/],
    ['a dir escaping', [{ name: 'a/../../', type: 'dir' }], /contains "\.\."/],
    ['a symlinked blobs dir (absolute)', [{ name: 'blobs', type: 'symlink', linkname: '/var/lib' }], /image archive member "blobs": a symbolic link to the absolute path "\/var\/lib"/],
    ['a symlinked blobs dir (upwards)', [{ name: 'blobs', type: 'symlink', linkname: '../../..' }], /image archive member "blobs": a symbolic link to "\.\.\/\.\.\/\.\.": it points outside the archive/],
    [
      'a symlinked blobs dir (inside)',
      [{ name: 'other/sha256/x', content: 'x' }, { name: 'blobs', type: 'symlink', linkname: 'other' }],
      /image archive member "blobs": a link to the directory "other": only links to files inside the archive are accepted/,
    ],
    ['a link to nothing', [{ name: 'a.tar', type: 'symlink', linkname: 'b.tar' }], /image archive member "a.tar": a link to the missing member "b.tar"/],
    ['a link loop', [{ name: 'a', type: 'symlink', linkname: 'b' }, { name: 'b', type: 'symlink', linkname: 'a' }], /too many levels of links/],
    ['a hard link to outside', [{ name: 'h', type: 'hardlink', linkname: '../etc/passwd' }], /image archive member "h": its link target "\.\.\/etc\/passwd" contains "\.\."/],
    ['a hard link forward', [{ name: 'h', type: 'hardlink', linkname: 'later' }, { name: 'later', content: 'x' }], /not a file before it in the archive/],
    ['a device', [{ name: 'dev', type: 'char', devmajor: 1, devminor: 3 }], /image archive member "dev": is a character device/],
    ['a FIFO', [{ name: 'fifo', type: 'fifo' }], /is a FIFO/],
    ['a member twice', [{ name: 'a', content: '1' }, { name: './a', content: '2' }], /image archive member "\.\/a": appears twice/],
    ['a blob whose content is not its name', [{ name: `blobs/sha256/${'0'.repeat(64)}`, content: 'x' }], /image archive member "blobs\/sha256\/0{64}": digest mismatch: its content is sha256:[0-9a-f]{64}, not the digest its name says/],
  ];
  it.each(hostile)('refuses %s, and removes the spool', async (_what, members, message) => {
    const outside = path.join(base, 'outside');
    await fs.mkdir(outside);
    await expect(spool(buildTar([{ name: 'manifest.json', content: '[]' }, ...members]))).rejects.toThrow(message);
    await expect(spool(buildTar(members))).rejects.toBeInstanceOf(InvalidArgumentError);
    expect((await fs.readdir(base)).sort()).toEqual(['outside']);
    expect(await fs.readdir(outside)).toEqual([]);
  });

  it('refuses what is not a tar, or a truncated one, speaking of the archive', async () => {
    await expect(spool(Buffer.from('this is not a tar archive at all, just some text'))).rejects.toThrow(
      /^invalid image archive: not a tar archive: the archive is truncated: it ends inside a header/,
    );
    await expect(spool(Buffer.alloc(2048, 0x41))).rejects.toThrow(/^invalid image archive: not a tar archive: invalid tar header at byte 0/);
    const tar = buildTar([{ name: 'manifest.json', content: 'x'.repeat(5000) }]);
    await expect(spool(tar.subarray(0, 3000))).rejects.toThrow(/^invalid image archive: the archive is truncated: it ends inside the content of "manifest.json"/);
    await expect(spool(gzipSync(tar).subarray(0, 40))).rejects.toThrow(/^invalid image archive: (invalid gzip data|the archive is truncated)/);
    expect(await fs.readdir(base)).toEqual([]);
  });

  it('an empty archive spools to nothing', async () => {
    const archive = await spool(buildTar([]));
    expect(archive.names()).toEqual([]);
  });
});
