import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { copyToContainer, type CopyToOptions } from '../../../../../../src/engine/bundled/containers/archive/copy-to-container';
import { EngineError, InvalidArgumentError, ObjectNotFoundError } from '../../../../../../src/engine/errors';
import { buildTar, type TarSpec } from '../../images/unpack/tar-builder';
import { type CopySandbox, isRoot, makeCopySandbox } from './copy-sandbox';

const T = 1_500_000_000;
/** An owner the tar states: another one when we can chown, our own otherwise. */
const UID = isRoot ? 1234 : (process.getuid?.() ?? 0);
const GID = isRoot ? 4321 : (process.getgid?.() ?? 0);

describe('copyToContainer (Docker’s archive PUT)', () => {
  let box: CopySandbox;
  let before: string[];
  const r = (p: string): string => path.join(box.root, p);
  beforeEach(() => {
    box = makeCopySandbox();
    fs.mkdirSync(r('tmp'), { mode: 0o1777 });
    fs.chmodSync(r('tmp'), 0o1777);
    fs.utimesSync(r('tmp'), T, T);
    fs.mkdirSync(r('etc'));
    fs.writeFileSync(r('etc/passwd'), 'container passwd\n');
    fs.symlinkSync('/tmp', r('tmp-link'));
    before = box.hostSnapshot();
  });
  afterEach(() => {
    expect(box.hostSnapshot()).toEqual(before); // nothing outside the root changed, whatever the test did
    box.remove();
  });

  const options: CopyToOptions = { ref: 'ctr', sameOwner: true, mounts: [], readOnlyRootfs: false };
  const put = (dir: string, specs: readonly TarSpec[], over: Partial<CopyToOptions> = {}, root = box.open()): Promise<void> =>
    copyToContainer(root, dir, Readable.from([buildTar(specs)]), { ...options, ...over });
  const own = { uid: UID, gid: GID, mtime: T };

  it('extracts files, directories, symlinks, hard links and FIFOs with mode, owner and times', async () => {
    const root = box.open();
    await put(
      '/tmp',
      [
        { name: 'd/', type: 'dir', mode: 0o750, ...own },
        { name: 'd/f', content: 'hello\n', mode: 0o4755, ...own },
        { name: 'd/l', type: 'symlink', linkname: '/etc/passwd', ...own },
        { name: 'd/h', type: 'hardlink', linkname: 'd/f', mode: 0o4755, ...own }, // a tar repeats the inode's metadata (Docker applies it)
        { name: 'd/p', type: 'fifo', mode: 0o640, ...own },
        ...(isRoot ? [{ name: 'd/null', type: 'char' as const, devmajor: 1, devminor: 3, mode: 0o666, ...own }] : []),
      ],
      {},
      root,
    );
    expect(root.released()).toBe(1);
    const d = fs.lstatSync(r('tmp/d'));
    expect([d.isDirectory(), d.mode & 0o7777, d.uid, d.gid, d.mtimeMs]).toEqual([true, 0o750, UID, GID, T * 1000]);
    const f = fs.lstatSync(r('tmp/d/f'));
    expect([f.mode & 0o7777, f.uid, f.gid, f.mtimeMs, f.nlink]).toEqual([0o4755, UID, GID, T * 1000, 2]);
    expect(fs.readFileSync(r('tmp/d/f'), 'utf8')).toBe('hello\n');
    expect(fs.readlinkSync(r('tmp/d/l'))).toBe('/etc/passwd');
    expect(fs.lstatSync(r('tmp/d/l')).uid).toBe(UID);
    expect(fs.lstatSync(r('tmp/d/h')).ino).toBe(f.ino);
    const p = fs.lstatSync(r('tmp/d/p'));
    expect([p.isFIFO(), p.mode & 0o7777]).toEqual([true, 0o640]);
    if (isRoot) expect(fs.lstatSync(r('tmp/d/null')).rdev).toBe(fs.statSync('/dev/null').rdev);
    // the extraction directory itself keeps its mode and times
    expect(fs.statSync(r('tmp')).mode & 0o7777).toBe(0o1777);
  });

  it('gives whiteout names no meaning: `.wh.x` and `.wh..wh..opq` are plain files', async () => {
    fs.writeFileSync(r('tmp/x'), 'kept\n');
    await put('/tmp', [
      { name: '.wh.x', content: 'just a file\n' },
      { name: 'dir/.wh..wh..opq', content: '' },
    ]);
    expect(fs.readFileSync(r('tmp/x'), 'utf8')).toBe('kept\n');
    expect(fs.readFileSync(r('tmp/.wh.x'), 'utf8')).toBe('just a file\n');
    expect(fs.lstatSync(r('tmp/dir/.wh..wh..opq')).isFile()).toBe(true);
  });

  it('sets the entries’ extended attributes (never overlay’s own)', async () => {
    await put('/tmp', [
      { name: 'x', content: 'x', xattrs: { 'user.origin': 'from the tar', 'trusted.overlay.opaque': 'y' } },
      { name: 'xd/', type: 'dir', xattrs: { 'user.origin': 'dir' } },
    ]);
    const dump = spawnSync('getfattr', ['-h', '-d', '-m', '-', '--absolute-names', r('tmp/x'), r('tmp/xd')], { encoding: 'utf8' });
    expect(dump.stdout).toContain('user.origin="from the tar"');
    expect(dump.stdout).toContain('user.origin="dir"');
    expect(dump.stdout).not.toContain('trusted.overlay');
  });

  it('makes missing parents 0755, and a read-only directory entry still takes its children (modes set at the end)', async () => {
    await put('/tmp', [
      { name: 'ro/', type: 'dir', mode: 0o555, ...own },
      { name: 'ro/inside', content: 'x', ...own },
      { name: 'a/b/c', content: 'deep', ...own },
    ]);
    expect(fs.statSync(r('tmp/ro')).mode & 0o7777).toBe(0o555);
    expect(fs.readFileSync(r('tmp/ro/inside'), 'utf8')).toBe('x');
    expect(fs.statSync(r('tmp/a')).mode & 0o7777).toBe(0o755);
    expect(fs.statSync(r('tmp/a/b')).mode & 0o7777).toBe(0o755);
    if (isRoot) expect(fs.statSync(r('tmp/a')).uid).toBe(0);
  });

  it('refuses `..` out of the extraction directory; what came before stays written (as with Docker)', async () => {
    const err = await put('/tmp', [{ name: 'first', content: '1' }, { name: '../escape', content: 'no' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toBe('copying into /tmp of container ctr: tar entry "../escape": it is outside of "/tmp"');
    expect(fs.existsSync(r('escape'))).toBe(false);
    expect(fs.existsSync(path.join(box.dir, 'escape'))).toBe(false);
    expect(fs.readFileSync(r('tmp/first'), 'utf8')).toBe('1');
    await expect(put('/tmp', [{ name: 'a/../../x', content: 'no' }])).rejects.toThrow(/is outside of/);
    await expect(put('/tmp', [{ name: 'ok', type: 'hardlink', linkname: '../etc/passwd' }])).rejects.toThrow(/hard link target "..\/etc\/passwd" is outside of/);
  });

  it('an absolute name means under the extraction directory', async () => {
    await put('/tmp', [{ name: '/etc/passwd', content: 'not the real one\n' }]);
    expect(fs.readFileSync(r('tmp/etc/passwd'), 'utf8')).toBe('not the real one\n');
    expect(fs.readFileSync(r('etc/passwd'), 'utf8')).toBe('container passwd\n');
  });

  it('follows the container’s symlinks inside its root, never to the host', async () => {
    fs.symlinkSync(box.host, r('tmp/to-host')); // the host path, read inside the container: missing
    fs.symlinkSync('/', r('tmp/to-root'));
    fs.symlinkSync('../../../../../../../../..', r('tmp/climb'));
    await expect(put('/tmp', [{ name: 'to-host/secret', content: 'pwned' }])).rejects.toThrow(/its parent "to-host" is a symbolic link to a directory that does not exist/);
    await put('/tmp', [
      { name: 'to-root/etc/through-root', content: 'inside\n' },
      { name: 'climb/etc/through-climb', content: 'inside\n' },
    ]);
    expect(fs.readFileSync(r('etc/through-root'), 'utf8')).toBe('inside\n');
    expect(fs.readFileSync(r('etc/through-climb'), 'utf8')).toBe('inside\n');
    // replacing a symlink replaces the link, never what it points to
    fs.symlinkSync(path.join(box.host, 'secret'), r('tmp/secret-link'));
    await put('/tmp', [{ name: 'secret-link', content: 'replaced the link\n' }]);
    expect(fs.lstatSync(r('tmp/secret-link')).isFile()).toBe(true);
  });

  it('a symlink from the tar is followed inside the root like any other; relative ones may not climb out (Docker)', async () => {
    await put('/tmp', [
      { name: 'l', type: 'symlink', linkname: '/etc' },
      { name: 'l/from-tar', content: 'inside\n' },
    ]);
    expect(fs.readFileSync(r('etc/from-tar'), 'utf8')).toBe('inside\n');
    await expect(put('/tmp', [{ name: 'bad', type: 'symlink', linkname: '../../etc' }])).rejects.toThrow(/invalid symlink to "..\/..\/etc": it points outside of "\/tmp"/);
    await put('/tmp', [{ name: 'sub/ok', type: 'symlink', linkname: '../x' }]);
    expect(fs.readlinkSync(r('tmp/sub/ok'))).toBe('../x');
  });

  it('hard links: to files already there or earlier in the tar, never through a link out, never to a directory', async () => {
    fs.writeFileSync(r('tmp/existing'), 'was here\n');
    fs.symlinkSync(box.host, r('tmp/to-host'));
    await put('/tmp', [{ name: 'again', type: 'hardlink', linkname: 'existing' }]);
    expect(fs.statSync(r('tmp/again')).ino).toBe(fs.statSync(r('tmp/existing')).ino);
    await expect(put('/tmp', [{ name: 'h', type: 'hardlink', linkname: 'to-host/secret' }])).rejects.toThrow(/does not exist/);
    await expect(put('/tmp', [{ name: 'h', type: 'hardlink', linkname: '/etc/passwd' }])).rejects.toThrow(/does not exist/); // = /tmp/etc/passwd
    await expect(put('/tmp', [{ name: 'h', type: 'hardlink', linkname: '.' }])).rejects.toThrow(/is a directory/);
    // a link to a symlink links the symlink itself
    fs.symlinkSync(path.join(box.host, 'secret'), r('tmp/s'));
    await put('/tmp', [{ name: 'hs', type: 'hardlink', linkname: 's' }]);
    expect(fs.lstatSync(r('tmp/hs')).isSymbolicLink()).toBe(true);
  });

  it('replaces what is in the way, merges directories; noOverwriteDirNonDir refuses either swap', async () => {
    fs.mkdirSync(r('tmp/dir/sub'), { recursive: true });
    fs.writeFileSync(r('tmp/dir/sub/f'), 'x');
    fs.writeFileSync(r('tmp/file'), 'x');
    fs.mkdirSync(r('tmp/merge'));
    fs.writeFileSync(r('tmp/merge/kept'), 'kept');
    await expect(put('/tmp', [{ name: 'dir', content: 'now a file' }], { noOverwriteDirNonDir: true })).rejects.toThrow(/cannot overwrite a directory with a non-directory/);
    await expect(put('/tmp', [{ name: 'file/', type: 'dir' }], { noOverwriteDirNonDir: true })).rejects.toThrow(/cannot overwrite a non-directory with a directory/);
    await put('/tmp', [
      { name: 'dir', content: 'now a file' },
      { name: 'file/', type: 'dir', mode: 0o700 },
      { name: 'merge/', type: 'dir', mode: 0o711 },
      { name: 'merge/new', content: 'new' },
    ]);
    expect(fs.readFileSync(r('tmp/dir'), 'utf8')).toBe('now a file');
    expect(fs.statSync(r('tmp/file')).isDirectory()).toBe(true);
    expect(fs.readdirSync(r('tmp/merge')).sort()).toEqual(['kept', 'new']);
    expect(fs.statSync(r('tmp/merge')).mode & 0o7777).toBe(0o711);
  });

  it('a stopped container’s bind mount point cannot be replaced; its source takes what goes inside', async () => {
    const src = path.join(box.dir, 'bind-src');
    fs.mkdirSync(src);
    const hostFile = path.join(box.dir, 'hostname');
    fs.writeFileSync(hostFile, 'host-written\n');
    const binds = [
      { target: '/tmp/bound', source: src },
      { target: '/tmp/hostname', source: hostFile },
    ];
    await expect(put('/tmp', [{ name: 'hostname', content: 'mine' }], {}, box.open(binds))).rejects.toThrow(/it is a mount point/);
    await expect(put('/tmp', [{ name: 'bound', content: 'mine' }], {}, box.open(binds))).rejects.toThrow(/it is a mount point/);
    await put('/tmp', [{ name: 'bound/file', content: 'into the bind\n' }], {}, box.open(binds));
    expect(fs.readFileSync(path.join(src, 'file'), 'utf8')).toBe('into the bind\n');
    expect(fs.readFileSync(hostFile, 'utf8')).toBe('host-written\n');
    expect(fs.existsSync(r('tmp/bound'))).toBe(false);
  });

  it('the extraction point: followed through symlinks, missing → "Could not find", a file → "not a directory"', async () => {
    await put('/tmp-link', [{ name: 'via-link', content: 'x' }]);
    expect(fs.existsSync(r('tmp/via-link'))).toBe(true);
    const root = box.open();
    await expect(put('/nope', [], {}, root)).rejects.toThrow(new ObjectNotFoundError('Could not find the file /nope in container ctr'));
    expect(root.released()).toBe(1);
    await expect(put('/etc/passwd', [])).rejects.toThrow(new InvalidArgumentError('extraction point is not a directory: /etc/passwd'));
    await expect(put('/etc/passwd/x', [])).rejects.toThrow(ObjectNotFoundError);
  });

  it('Docker’s read-only checks: a read-only root, a read-only mount', async () => {
    await expect(put('/tmp', [{ name: 'x', content: 'x' }], { readOnlyRootfs: true })).rejects.toThrow('container rootfs is marked read-only');
    await expect(put('/tmp', [{ name: 'x', content: 'x' }], { mounts: [{ target: '/tmp', readOnly: true }] })).rejects.toThrow('mounted volume is marked read-only');
    await put('/tmp', [{ name: 'x', content: 'x' }], { readOnlyRootfs: true, mounts: [{ target: '/tmp', readOnly: false }] });
    expect(fs.existsSync(r('tmp/x'))).toBe(true);
  });

  it('reads gzip-compressed tars; a malformed tar is an invalid argument', async () => {
    const root = box.open();
    await copyToContainer(root, '/tmp', Readable.from([gzipSync(buildTar([{ name: 'gz', content: 'zipped' }]))]), options);
    expect(fs.readFileSync(r('tmp/gz'), 'utf8')).toBe('zipped');
    const bad = Buffer.alloc(1024, 0x41);
    const err = await copyToContainer(box.open(), '/tmp', Readable.from([bad]), options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(/^copying into \/tmp of container ctr: invalid tar archive: .*checksum/);
  });

  it('a directory swapped for a symlink to the host while the tar is written: nothing lands outside the root', async () => {
    const tar = buildTar([
      { name: 'd/', type: 'dir' },
      { name: 'd/big', content: Buffer.alloc(1 << 20, 1) },
      { name: 'd/after', content: 'same directory\n' },
      { name: 'd/sub/x', content: 'new lookup\n' },
    ]);
    const cut = 512 * 3; // inside d/big's content: d/ is resolved and open by then
    async function* swapping(): AsyncGenerator<Buffer> {
      yield tar.subarray(0, cut);
      // (streams read ahead: wait until the writer has d/ open and d/big half written)
      while (!fs.existsSync(r('tmp/d/big'))) await new Promise((resolve) => setTimeout(resolve, 5));
      // what a hostile container process does meanwhile
      fs.renameSync(r('tmp/d'), r('tmp/d-old'));
      fs.symlinkSync(box.host, r('tmp/d'));
      yield tar.subarray(cut);
    }
    const err = await copyToContainer(box.open(), '/tmp', Readable.from(swapping()), options).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/tar entry "d\/sub\/x": its parent "d\/sub" is a symbolic link to a directory that does not exist/);
    expect(fs.readFileSync(r('tmp/d-old/after'), 'utf8')).toBe('same directory\n'); // the directory it had open
    expect(fs.existsSync(path.join(box.host, 'after'))).toBe(false);
    expect(fs.existsSync(path.join(box.host, 'sub'))).toBe(false);
  });

  it('reports a system failure in one line, without the descriptor path', async () => {
    fs.writeFileSync(r('tmp/existing'), 'x');
    const err = await put('/tmp', [{ name: 'existing/child', content: 'x' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as Error).message).toBe('copying into /tmp of container ctr: tar entry "existing/child": its parent "existing" is not a directory');
  });
});
