/**
 * The hostile-tar suite: each archive tries to write, link, chmod or delete outside the layer
 * directory. Every test extracts into `<sandbox>/target`, with decoys beside it, and asserts
 * both the outcome (a clear LayerError naming the entry, or a neutralized entry that stayed
 * inside) and that nothing outside the target changed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extractLayer } from '../../../../../../src/engine/bundled/images/unpack/extract';
import { LayerError } from '../../../../../../src/engine/bundled/images/unpack/layer-error';
import { buildTar, chunked, type TarSpec } from './tar-builder';
import { makeSandbox, type Sandbox } from './sandbox';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => {
  box.remove();
});

const PWNED = 'pwned\n';

async function extract(specs: readonly TarSpec[]): Promise<{ diffId: string; size: number }> {
  return extractLayer(chunked(buildTar(specs)), box.target);
}

/** Extracts, expects a LayerError whose message has every phrase, and an untouched sandbox. */
async function expectRefused(specs: readonly TarSpec[], ...phrases: string[]): Promise<LayerError> {
  const before = box.snapshot();
  const err: unknown = await extract(specs).then(
    () => new Error('the layer was extracted, but it should have been refused'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LayerError);
  for (const phrase of phrases) expect((err as Error).message).toContain(phrase);
  expect(box.snapshot()).toEqual(before);
  return err as LayerError;
}

/** Extracts successfully and asserts an untouched sandbox. */
async function expectContained(specs: readonly TarSpec[]): Promise<void> {
  const before = box.snapshot();
  await extract(specs);
  expect(box.snapshot()).toEqual(before);
}

const inTarget = (...p: string[]): string => path.join(box.target, ...p);

describe('names that climb out', () => {
  test('../../etc/x fails the layer, naming the entry', async () => {
    const err = await expectRefused([{ name: '../../etc/x', content: PWNED }], '"../../etc/x"', 'escapes the layer root');
    expect(err.entry).toBe('../../etc/x');
  });

  test('../secret (one level up, onto a real file) fails and the file is intact', async () => {
    await expectRefused([{ name: '../secret', content: PWNED }], 'escapes');
  });

  test('a/../../secret climbs out through a lexical .. and fails', async () => {
    await expectRefused([{ name: 'a/', type: 'dir' }, { name: 'a/../../secret', content: PWNED }], '"a/../../secret"', 'escapes');
  });

  test('a lone .. directory entry fails', async () => {
    await expectRefused([{ name: '..', type: 'dir', mode: 0o777 }], 'escapes');
  });

  test('.. hidden in a pax path overrides a harmless ustar name, and still fails', async () => {
    await expectRefused([{ name: 'harmless', pax: { path: '../secret' }, content: PWNED }], '"../secret"', 'escapes');
  });

  test('.. hidden in a GNU long name fails', async () => {
    await expectRefused([{ name: `../${'x'.repeat(120)}`, gnuLongNames: true, content: PWNED }], 'escapes');
  });

  test('a NUL byte in a pax path fails', async () => {
    await expectRefused([{ name: 'x', pax: { path: 'ok\0../../secret' }, content: PWNED }], 'NUL');
  });
});

describe('absolute names are neutralized into the layer', () => {
  test('/abs/x lands at <target>/abs/x', async () => {
    await expectContained([{ name: '/abs/x', content: 'inside\n' }]);
    expect(fs.readFileSync(inTarget('abs', 'x'), 'utf8')).toBe('inside\n');
  });

  test('the absolute path of the host secret lands inside the target, the secret is intact', async () => {
    const abs = path.join(box.dir, 'secret');
    await expectContained([{ name: abs, content: PWNED }]);
    expect(fs.readFileSync(path.join(box.target, abs), 'utf8')).toBe(PWNED);
  });
});

describe('parents that are symlinks are never followed', () => {
  test('a -> / then a/<sandbox>/secret fails', async () => {
    await expectRefused(
      [
        { name: 'a', type: 'symlink', linkname: '/' },
        { name: `a${box.dir}/secret`, content: PWNED },
      ],
      `a${box.dir}/secret`,
      'parent "a" is a symbolic link (to "/")',
    );
  });

  test('a -> ../../.. then a/x fails', async () => {
    await expectRefused(
      [
        { name: 'a', type: 'symlink', linkname: '../../..' },
        { name: 'a/x', content: PWNED },
      ],
      '"a/x"',
      'symbolic link',
    );
  });

  test('a -> .. (the sandbox itself) then a/secret fails', async () => {
    await expectRefused(
      [
        { name: 'a', type: 'symlink', linkname: '..' },
        { name: 'a/secret', content: PWNED },
      ],
      'symbolic link',
    );
  });

  test('a symlink pointing inside the layer is refused as a parent too', async () => {
    await expectRefused(
      [
        { name: 'real/', type: 'dir' },
        { name: 'a', type: 'symlink', linkname: 'real' },
        { name: 'a/x', content: 'x' },
      ],
      'parent "a" is a symbolic link',
    );
  });

  test('a deeper symlinked parent (d/s -> victim) fails', async () => {
    await expectRefused(
      [
        { name: 'd/', type: 'dir' },
        { name: 'd/s', type: 'symlink', linkname: path.join(box.dir, 'victim') },
        { name: 'd/s/file', content: PWNED },
      ],
      'parent "d/s" is a symbolic link',
    );
  });

  test('a directory entry under a symlink (s/sub/) fails', async () => {
    await expectRefused(
      [
        { name: 's', type: 'symlink', linkname: path.join(box.dir, 'victim') },
        { name: 's/sub/', type: 'dir', mode: 0o777 },
      ],
      'symbolic link',
    );
  });

  test('a FIFO under a symlinked parent fails', async () => {
    await expectRefused(
      [
        { name: 's', type: 'symlink', linkname: path.join(box.dir, 'victim') },
        { name: 's/pipe', type: 'fifo' },
      ],
      'symbolic link',
    );
  });

  test('a file as parent fails', async () => {
    await expectRefused(
      [
        { name: 'f', content: 'a file' },
        { name: 'f/x', content: 'x' },
      ],
      'parent "f" is not a directory',
    );
  });
});

describe('entries that replace a symlink replace the link, not what it points to', () => {
  test('a regular file over a symlink to the secret replaces the link', async () => {
    await expectContained([
      { name: 'f', type: 'symlink', linkname: path.join(box.dir, 'secret') },
      { name: 'f', content: PWNED },
    ]);
    expect(fs.lstatSync(inTarget('f')).isFile()).toBe(true);
    expect(fs.readFileSync(inTarget('f'), 'utf8')).toBe(PWNED);
  });

  test('a relative symlink to the secret replaced by a file', async () => {
    await expectContained([
      { name: 'f', type: 'symlink', linkname: '../secret' },
      { name: 'f', content: PWNED, mode: 0o777 },
    ]);
    expect(fs.lstatSync(inTarget('f')).isFile()).toBe(true);
  });

  test('a directory entry over a symlink to a host directory makes a real directory', async () => {
    await expectContained([
      { name: 'd', type: 'symlink', linkname: path.join(box.dir, 'victim') },
      { name: 'd/', type: 'dir', mode: 0o777, mtime: 5 },
      { name: 'd/file', content: PWNED },
    ]);
    expect(fs.lstatSync(inTarget('d')).isDirectory()).toBe(true);
    expect(fs.readFileSync(inTarget('d', 'file'), 'utf8')).toBe(PWNED);
  });

  test('a symlink over a symlink, a FIFO over a symlink', async () => {
    await expectContained([
      { name: 'l', type: 'symlink', linkname: path.join(box.dir, 'secret') },
      { name: 'l', type: 'symlink', linkname: 'elsewhere' },
      { name: 'p', type: 'symlink', linkname: path.join(box.dir, 'secret') },
      { name: 'p', type: 'fifo' },
    ]);
    expect(fs.readlinkSync(inTarget('l'))).toBe('elsewhere');
    expect(fs.lstatSync(inTarget('p')).isFIFO()).toBe(true);
  });

  test('a directory replaced by a symlink after its children: deferred modes and times do not follow it', async () => {
    // d/ and d/sub/ ask for 0777 and old times, applied at the end; by then d points at victim/.
    await expectContained([
      { name: 'd/', type: 'dir', mode: 0o777, mtime: 5 },
      { name: 'd/sub/', type: 'dir', mode: 0o777, mtime: 5 },
      { name: 'd/file', content: 'x', mode: 0o666 },
      { name: 'd', type: 'symlink', linkname: path.join(box.dir, 'victim') },
    ]);
    expect(fs.readlinkSync(inTarget('d'))).toBe(path.join(box.dir, 'victim'));
  });

  test('the layer root cannot be replaced by a symlink', async () => {
    await expectRefused([{ name: './', type: 'symlink', linkname: box.dir }], 'cannot replace the layer root');
  });
});

describe('hard links', () => {
  test('to /etc/passwd: read as etc/passwd of this layer, which does not exist: fails', async () => {
    const before = fs.lstatSync('/etc/passwd');
    await expectRefused([{ name: 'passwd', type: 'hardlink', linkname: '/etc/passwd' }], '"passwd"', 'does not exist in this layer');
    expect(fs.lstatSync('/etc/passwd').nlink).toBe(before.nlink);
  });

  test('to the absolute path of the host secret fails', async () => {
    await expectRefused([{ name: 'l', type: 'hardlink', linkname: path.join(box.dir, 'secret') }], 'does not exist in this layer');
  });

  test('to ../secret fails as an escape', async () => {
    await expectRefused([{ name: 'l', type: 'hardlink', linkname: '../secret' }], 'hard link target', 'escapes');
  });

  test('through a symlinked parent (s -> sandbox, l => s/secret) fails', async () => {
    await expectRefused(
      [
        { name: 's', type: 'symlink', linkname: box.dir },
        { name: 'l', type: 'hardlink', linkname: 's/secret' },
      ],
      'hard link target "s/secret"',
      'symbolic link',
    );
  });

  test('through a relative symlinked parent (s -> .., l => s/etc/passwd) fails', async () => {
    await expectRefused(
      [
        { name: 's', type: 'symlink', linkname: '..' },
        { name: 'l', type: 'hardlink', linkname: 's/etc/passwd' },
      ],
      'symbolic link',
    );
  });

  test('to a symlink that points out links the symlink itself; a later write replaces it', async () => {
    await expectContained([
      { name: 'sym', type: 'symlink', linkname: path.join(box.dir, 'secret') },
      { name: 'l', type: 'hardlink', linkname: 'sym' },
      { name: 'l', content: PWNED },
    ]);
    expect(fs.readlinkSync(inTarget('sym'))).toBe(path.join(box.dir, 'secret'));
    expect(fs.readFileSync(inTarget('l'), 'utf8')).toBe(PWNED);
  });

  test('to a directory fails', async () => {
    await expectRefused(
      [
        { name: 'd/', type: 'dir' },
        { name: 'l', type: 'hardlink', linkname: 'd' },
      ],
      'is a directory',
    );
  });

  test('to the layer root fails', async () => {
    await expectRefused([{ name: 'l', type: 'hardlink', linkname: './' }], 'hard link to the layer root');
  });

  test('placed under a symlinked parent fails', async () => {
    await expectRefused(
      [
        { name: 'f', content: 'mine' },
        { name: 's', type: 'symlink', linkname: path.join(box.dir, 'victim') },
        { name: 's/l', type: 'hardlink', linkname: 'f' },
      ],
      'symbolic link',
    );
  });
});

describe('whiteouts that escape', () => {
  test('../.wh.secret fails', async () => {
    await expectRefused([{ name: '../.wh.secret' }], 'escapes');
  });

  test('.wh.. (whiting out the parent) fails', async () => {
    await expectRefused([{ name: 'a/.wh..' }], 'does not name a file');
  });

  test('.wh... at the root fails', async () => {
    await expectRefused([{ name: '.wh...' }], 'does not name a file');
  });

  test('an empty whiteout name fails', async () => {
    await expectRefused([{ name: 'a/.wh.' }], 'does not name a file');
  });

  test('a whiteout under a symlinked parent (s -> victim, s/.wh.file) fails', async () => {
    await expectRefused(
      [
        { name: 's', type: 'symlink', linkname: path.join(box.dir, 'victim') },
        { name: 's/.wh.file' },
      ],
      'symbolic link',
    );
  });

  test('an opaque marker under a symlinked parent fails', async () => {
    await expectRefused(
      [
        { name: 's', type: 'symlink', linkname: path.join(box.dir, 'victim') },
        { name: 's/.wh..wh..opq' },
      ],
      'symbolic link',
    );
  });

  test('.wh.../x only makes a directory with an odd name inside the layer', async () => {
    await expectContained([{ name: '.wh.../x', content: 'x' }]);
    expect(fs.readFileSync(inTarget('.wh...', 'x'), 'utf8')).toBe('x');
  });
});

describe('device nodes and other entry types', () => {
  test('a device node climbing out fails before any node is made', async () => {
    await expectRefused([{ name: '../null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 }], 'escapes');
  });

  test('an unknown entry type fails (GNU sparse)', async () => {
    await expectRefused([{ name: 'sparse', flag: 'S', content: 'x' }], "unsupported tar entry type 'S'");
  });

  test('a pax header larger than 1 MiB is refused without reading it into memory', async () => {
    await expectRefused([{ name: 'x', pax: { comment: 'x'.repeat((1 << 20) + 10) }, content: 'x' }], 'too large');
  });
});

describe('broken archives fail instead of extracting part of a layer silently', () => {
  test('a truncated archive fails', async () => {
    const tar = buildTar([{ name: 'big', content: Buffer.alloc(5000, 7) }]);
    const before = box.snapshot();
    await expect(extractLayer(chunked(tar.subarray(0, 2000)), box.target)).rejects.toThrow(/truncated/);
    expect(box.snapshot()).toEqual(before);
  });

  test('a corrupted header fails on its checksum', async () => {
    const tar = buildTar([{ name: 'a', content: 'a' }, { name: 'b', content: 'b' }]);
    tar[1024 + 3] ^= 0x55; // a byte of the second header
    await expect(extractLayer(chunked(tar), box.target)).rejects.toThrow(/checksum mismatch/);
  });

  test('random bytes are not a layer', async () => {
    const junk = Buffer.alloc(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) % 251;
    await expect(extractLayer(chunked(junk), box.target)).rejects.toThrow(LayerError);
  });
});
