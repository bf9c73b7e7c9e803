/**
 * extractLayer as root: ownership, setuid/setgid/sticky, device nodes, extended attributes,
 * whiteouts and opaque directories, checked on disk and through a real overlay mount; and the
 * hostile cases that only root can attempt (attributes through a symlink).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { extractLayer } from '../../../src/engine/bundled/images/unpack/extract';
import { buildTar, chunked, type TarSpec } from '../../unit/engine/bundled/images/unpack/tar-builder';
import { makeSandbox, xattrs, type Sandbox } from '../../unit/engine/bundled/images/unpack/sandbox';
import { makedev } from '../../unit/engine/bundled/images/unpack/tree-listing';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => {
  box.remove();
});

const t = (...p: string[]): string => path.join(box.target, ...p);
const extract = (specs: readonly TarSpec[], target = box.target): Promise<{ diffId: string; size: number }> =>
  extractLayer(chunked(buildTar(specs)), target);
const getXattr = (p: string, name: string): string | undefined => {
  const r = spawnSync('getfattr', ['-h', '--absolute-names', '-n', name, '-e', 'hex', '--', p], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return /=0x([0-9a-f]*)/.exec(r.stdout)?.[1];
};
const hex = (s: string | Buffer): string => Buffer.from(s).toString('hex');

test('runs as root (these tests need it)', () => {
  expect(process.getuid?.()).toBe(0);
});

describe('ownership and modes', () => {
  test('uid/gid on every entry type; implicit parents belong to root', async () => {
    await extract([
      { name: 'home/u/', type: 'dir', uid: 1000, gid: 1001, mode: 0o750 },
      { name: 'home/u/file', content: 'x', uid: 1234, gid: 5678, mode: 0o640 },
      { name: 'home/u/link', type: 'symlink', linkname: '/nowhere', uid: 2000, gid: 2001 },
      { name: 'home/u/pipe', type: 'fifo', uid: 3000, gid: 3001, mode: 0o600 },
      { name: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666, uid: 0, gid: 0 },
      { name: 'dev/loop0', type: 'block', devmajor: 7, devminor: 0, mode: 0o660, uid: 0, gid: 6 },
      { name: 'dev/big', type: 'char', devmajor: 240, devminor: 70_000, mode: 0o600, uid: 44, gid: 45 },
      { name: 'implicit/deep/file', content: 'y', uid: 7, gid: 8 },
    ]);
    const owner = (p: string): string => {
      const st = fs.lstatSync(t(p));
      return `${st.uid}:${st.gid}`;
    };
    expect(owner('home/u')).toBe('1000:1001');
    expect(fs.lstatSync(t('home/u')).mode & 0o7777).toBe(0o750);
    expect(owner('home/u/file')).toBe('1234:5678');
    expect(owner('home/u/link')).toBe('2000:2001');
    expect(owner('home/u/pipe')).toBe('3000:3001');
    expect(owner('dev/loop0')).toBe('0:6');
    expect(owner('dev/big')).toBe('44:45');
    expect(owner('implicit')).toBe('0:0');
    expect(owner('implicit/deep/file')).toBe('7:8');

    const nul = fs.lstatSync(t('dev/null'));
    expect(nul.isCharacterDevice()).toBe(true);
    expect(nul.rdev).toBe(makedev(1, 3));
    expect(nul.mode & 0o7777).toBe(0o666);
    const loop = fs.lstatSync(t('dev/loop0'));
    expect(loop.isBlockDevice()).toBe(true);
    expect(loop.rdev).toBe(makedev(7, 0));
    expect(loop.mode & 0o7777).toBe(0o660);
    expect(fs.lstatSync(t('dev/big')).rdev).toBe(makedev(240, 70_000));
  });

  test('setuid, setgid and sticky bits survive the chown (chmod comes after it)', async () => {
    await extract([
      { name: 'usr/bin/passwd', content: '#!', mode: 0o4755, uid: 0, gid: 0 },
      { name: 'usr/bin/wall', content: '#!', mode: 0o2755, uid: 0, gid: 5 },
      { name: 'usr/bin/both', content: '#!', mode: 0o6711, uid: 1000, gid: 1000 },
      { name: 'srv/shared/', type: 'dir', mode: 0o2775, uid: 1000, gid: 100 },
      { name: 'srv/shared/inherits', content: 'x', uid: 1000, gid: 999 },
      { name: 'tmp/', type: 'dir', mode: 0o1777 },
      { name: 'dev/suid-node', type: 'char', devmajor: 1, devminor: 5, mode: 0o4666, uid: 12, gid: 12 },
    ]);
    const mode = (p: string): number => fs.lstatSync(t(p)).mode & 0o7777;
    expect(mode('usr/bin/passwd')).toBe(0o4755);
    expect(mode('usr/bin/wall')).toBe(0o2755);
    expect(mode('usr/bin/both')).toBe(0o6711);
    expect(fs.lstatSync(t('usr/bin/both')).uid).toBe(1000);
    expect(mode('srv/shared')).toBe(0o2775);
    expect(fs.lstatSync(t('srv/shared/inherits')).gid).toBe(999); // the tar's gid, not the setgid dir's
    expect(mode('tmp')).toBe(0o1777);
    expect(mode('dev/suid-node')).toBe(0o4666);
  });
});

describe('extended attributes', () => {
  // cap_net_raw+ep, VFS_CAP_REVISION_2
  const capability = Buffer.from('0100000200200000000000000000000000000000', 'hex');

  test('security.capability survives the chown/chmod of its file; user, trusted and binary values', async () => {
    await extract([
      { name: 'bin/ping', content: 'elf', mode: 0o755, uid: 0, gid: 0, xattrs: { 'security.capability': capability } },
      { name: 'bin/owned', content: 'elf', mode: 0o4755, uid: 1000, gid: 1000, xattrs: { 'security.capability': capability } },
      { name: 'etc/f', content: 'x', xattrs: { 'user.comment': 'hello = world\n', 'trusted.bin': Buffer.from([0, 1, 2, 255]) } },
      { name: 'etc/d/', type: 'dir', xattrs: { 'user.dir': 'on a directory' } },
      { name: 'etc/lib', content: 'x', pax: { 'LIBARCHIVE.xattr.user.lib%3Dname': Buffer.from('libarchive').toString('base64') } },
    ]);
    expect(getXattr(t('bin/ping'), 'security.capability')).toBe(capability.toString('hex'));
    expect(getXattr(t('bin/owned'), 'security.capability')).toBe(capability.toString('hex'));
    expect(fs.lstatSync(t('bin/owned')).mode & 0o7777).toBe(0o4755);
    expect(getXattr(t('etc/f'), 'user.comment')).toBe(hex('hello = world\n'));
    expect(getXattr(t('etc/f'), 'trusted.bin')).toBe('000102ff');
    expect(getXattr(t('etc/d'), 'user.dir')).toBe(hex('on a directory'));
    expect(getXattr(t('etc/lib'), 'user.lib=name')).toBe(hex('libarchive'));
  });

  test('file names that need quoting in the setfattr dump', async () => {
    const names = ['with space', 'new\nline', 'back\\slash', 'eq=ual', 'ünï', '-n', '#hash'];
    await extract(names.map((name) => ({ name: `q/${name}`, content: name, xattrs: { 'user.name': name } })));
    for (const name of names) expect(getXattr(t('q', name), 'user.name')).toBe(hex(name));
  });

  test('attributes of a symlink go on the link, never on what it points to', async () => {
    const secret = path.join(box.dir, 'secret');
    const before = box.snapshot();
    await extract([
      { name: 'l', type: 'symlink', linkname: secret, xattrs: { 'trusted.mark': 'on-the-link' } },
      { name: 'r', type: 'symlink', linkname: '../secret', xattrs: { 'trusted.mark': 'relative' } },
    ]);
    expect(box.snapshot()).toEqual(before);
    expect(getXattr(secret, 'trusted.mark')).toBeUndefined();
    expect(getXattr(t('l'), 'trusted.mark')).toBe(hex('on-the-link'));
  });

  test('attributes recorded for a path that a later entry replaced are not applied', async () => {
    const before = box.snapshot();
    await extract([
      { name: 'f', content: 'x', xattrs: { 'user.old': 'old' } },
      { name: 'f', content: 'y' },
      { name: 'd/', type: 'dir' },
      { name: 'd/g', content: 'z', xattrs: { 'trusted.x': 'must not reach the victim' } },
      { name: 'd', type: 'symlink', linkname: path.join(box.dir, 'victim') },
      { name: 'victim-file', type: 'symlink', linkname: path.join(box.dir, 'victim', 'file') },
    ]);
    expect(getXattr(t('f'), 'user.old')).toBeUndefined();
    expect(box.snapshot()).toEqual(before);
  });

  test('a directory entry repeated adds its attributes to the directory (as Docker does)', async () => {
    await extract([
      { name: 'd/', type: 'dir', xattrs: { 'user.a': 'first' } },
      { name: 'd/f', content: 'x' },
      { name: 'd/', type: 'dir', xattrs: { 'user.b': 'second' } },
      { name: 'd/', type: 'dir' },
    ]);
    expect(getXattr(t('d'), 'user.a')).toBe(hex('first'));
    expect(getXattr(t('d'), 'user.b')).toBe(hex('second'));
  });

  test('trusted.overlay.* from the tar is dropped', async () => {
    await extract([{ name: 'd/', type: 'dir', xattrs: { 'trusted.overlay.opaque': 'y', 'trusted.overlay.redirect': '/etc' } }]);
    expect(xattrs(t('d'))).toBe('');
  });
});

describe('whiteouts and opaque directories', () => {
  test('.wh.<name> becomes a 0:0 character device, mode 0, replacing what the layer wrote', async () => {
    await extract([
      { name: 'etc/', type: 'dir' },
      { name: 'etc/gone', content: 'written, then whited out' },
      { name: 'etc/.wh.gone', uid: 1234, gid: 1234, mode: 0o644 },
      { name: 'etc/.wh.lower-only' },
      { name: 'var/cache/', type: 'dir' },
      { name: 'var/cache/apt/x', content: 'x' },
      { name: 'var/cache/.wh.apt' },
      { name: '.wh.rootfile' },
    ]);
    for (const p of ['etc/gone', 'etc/lower-only', 'var/cache/apt', 'rootfile']) {
      const st = fs.lstatSync(t(p));
      expect(st.isCharacterDevice()).toBe(true);
      expect(st.rdev).toBe(0);
      expect(`${st.uid}:${st.gid}:${(st.mode & 0o7777).toString(8)}`).toBe('0:0:0');
    }
    expect(fs.existsSync(t('etc/.wh.gone'))).toBe(false);
    expect(fs.readdirSync(t('etc')).sort()).toEqual(['gone', 'lower-only']);
  });

  test('an entry after a whiteout of the same name replaces only that whiteout', async () => {
    await extract([{ name: '.wh.a' }, { name: '.wh.b' }, { name: '.wh.c' }, { name: 'a', content: 'back' }]);
    expect(fs.readFileSync(t('a'), 'utf8')).toBe('back');
    for (const p of ['b', 'c']) expect(fs.lstatSync(t(p)).isCharacterDevice()).toBe(true);
  });

  test('.wh..wh..opq sets trusted.overlay.opaque=y on its directory, before or after the directory entry', async () => {
    await extract([
      { name: 'before/.wh..wh..opq' },
      { name: 'before/', type: 'dir', mode: 0o700 },
      { name: 'after/', type: 'dir' },
      { name: 'after/.wh..wh..opq' },
      { name: 'after/new', content: 'n' },
    ]);
    expect(getXattr(t('before'), 'trusted.overlay.opaque')).toBe(hex('y'));
    expect(getXattr(t('after'), 'trusted.overlay.opaque')).toBe(hex('y'));
    expect(fs.lstatSync(t('before')).mode & 0o7777).toBe(0o700);
    expect(fs.existsSync(t('after/.wh..wh..opq'))).toBe(false);
  });

  test('an overlay mount of two extracted layers shows the deletions and the opaque directory', async () => {
    const lower = path.join(box.dir, 'lower');
    const upper = path.join(box.dir, 'upper');
    const merged = path.join(box.dir, 'merged');
    for (const d of [lower, upper, merged]) fs.mkdirSync(d);
    await extract(
      [
        { name: 'etc/', type: 'dir' },
        { name: 'etc/keep', content: 'keep' },
        { name: 'etc/drop1', content: 'x' },
        { name: 'etc/drop2', content: 'x' },
        { name: 'etc/drop3', content: 'x' },
        { name: 'opaque/', type: 'dir' },
        { name: 'opaque/old', content: 'hidden by the upper layer' },
        { name: 'tree/sub/file', content: 'x' },
      ],
      lower,
    );
    await extract(
      [
        { name: 'etc/.wh.drop1' },
        { name: 'etc/.wh.drop2' },
        { name: 'etc/.wh.drop3' },
        { name: 'opaque/', type: 'dir' },
        { name: 'opaque/.wh..wh..opq' },
        { name: 'opaque/new', content: 'new' },
        { name: '.wh.tree' },
      ],
      upper,
    );
    const mount = spawnSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${upper}:${lower}`, merged], { encoding: 'utf8' });
    expect(mount.stderr).toBe('');
    try {
      expect(fs.readdirSync(path.join(merged, 'etc'))).toEqual(['keep']);
      expect(fs.readdirSync(path.join(merged, 'opaque'))).toEqual(['new']);
      expect(fs.existsSync(path.join(merged, 'tree'))).toBe(false);
    } finally {
      spawnSync('umount', [merged]);
    }
  });
});

test('the extraction target may be given through a symlink; nothing lands beside it', async () => {
  const alias = path.join(os.tmpdir(), `tscompose-unpack-alias-${process.pid}`);
  fs.symlinkSync(box.target, alias);
  try {
    const before = box.snapshot();
    await extractLayer(chunked(buildTar([{ name: 'x', content: 'x' }])), alias);
    expect(fs.readFileSync(t('x'), 'utf8')).toBe('x');
    expect(box.snapshot()).toEqual(before);
  } finally {
    fs.unlinkSync(alias);
  }
});
