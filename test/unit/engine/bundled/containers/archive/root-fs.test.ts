import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';
import { type CopySandbox, makeCopySandbox } from './copy-sandbox';

describe('RootFs: paths resolved inside a container root, with descriptors', () => {
  let box: CopySandbox;
  beforeEach(() => {
    box = makeCopySandbox();
    const r = box.root;
    fs.mkdirSync(path.join(r, 'etc'));
    fs.writeFileSync(path.join(r, 'etc', 'passwd'), 'container passwd\n');
    fs.mkdirSync(path.join(r, 'data', 'sub'), { recursive: true });
    fs.symlinkSync('/', path.join(r, 'data', 'to-root')); // absolute: the container's root, never the host's
    fs.symlinkSync('../../../../../../..', path.join(r, 'data', 'climb')); // `..` stops at the root
    fs.symlinkSync(box.host, path.join(r, 'data', 'to-host')); // a host path means nothing inside
    fs.symlinkSync('/etc', path.join(r, 'etc-link'));
    fs.symlinkSync('loop2', path.join(r, 'loop1'));
    fs.symlinkSync('loop1', path.join(r, 'loop2'));
    fs.symlinkSync('/missing/dir', path.join(r, 'dangling'));
  });
  afterEach(() => box.remove());

  const paths = (p: string): string[] => p.split('/').filter((c) => c !== '');

  it('follows symlinks as the container sees them: absolute from its root, `..` never above it', () => {
    const root = box.open();
    try {
      for (const p of ['/data/to-root/etc/passwd', '/data/climb/etc/passwd', '/etc-link/passwd', '/data/sub/../../etc/passwd']) {
        const found = root.fs.locate(paths(p));
        expect(found.kind).toBe('entry');
        if (found.kind !== 'entry') continue;
        expect(found.path).toEqual(['etc', 'passwd']);
        expect(fs.readFileSync(`/proc/self/fd/${found.place.dirFd}/${found.place.name}`, 'utf8')).toBe('container passwd\n');
        found.parent.release();
      }
      // the host's directory does not exist inside the container
      expect(root.fs.locate(paths(`/data/to-host/secret`)).kind).toBe('missing');
    } finally {
      root.fs.close();
    }
  });

  it('locate keeps a symlink in the last component; openDir follows it and must end at a directory', () => {
    const root = box.open();
    try {
      const link = root.fs.locate(['etc-link']);
      expect(link.kind === 'entry' && link.stat?.isSymbolicLink()).toBe(true);
      if (link.kind === 'entry') link.parent.release();
      const dir = root.fs.openDir(['etc-link']);
      expect(dir.kind).toBe('dir');
      if (dir.kind === 'dir') {
        expect(dir.dir.path).toEqual(['etc']);
        expect(fs.readdirSync(`/proc/self/fd/${dir.dir.fd}`)).toEqual(['passwd']);
        dir.dir.release();
      }
      expect(root.fs.openDir(['etc', 'passwd']).kind).toBe('notDir');
      expect(root.fs.openDir(['nope']).kind).toBe('missing');
      expect(root.fs.openDir(['dangling']).kind).toBe('missing');
      const missingLeaf = root.fs.locate(['etc', 'shadow']);
      expect(missingLeaf.kind === 'entry' && missingLeaf.stat === undefined).toBe(true);
      if (missingLeaf.kind === 'entry') missingLeaf.parent.release();
    } finally {
      root.fs.close();
    }
  });

  it('refuses a symlink loop', () => {
    const root = box.open();
    try {
      expect(() => root.fs.openDir(['loop1'])).toThrow(InvalidArgumentError);
      expect(() => root.fs.openDir(['loop1'])).toThrow(/too many levels of symbolic links/);
    } finally {
      root.fs.close();
    }
  });

  it('makes missing directories for the caller’s names, never for a symlink’s target', () => {
    const root = box.open();
    try {
      const made = root.fs.openDir(['new', 'deep'], { mode: 0o755 });
      expect(made.kind).toBe('dir');
      if (made.kind === 'dir') made.dir.release();
      expect(fs.statSync(path.join(box.root, 'new', 'deep')).mode & 0o7777).toBe(0o755);
      expect(root.fs.openDir(['dangling', 'x'], { mode: 0o755 }).kind).toBe('missing');
      expect(fs.existsSync(path.join(box.root, 'missing'))).toBe(false);
      // through an absolute symlink, what is made is inside the root
      const viaRoot = root.fs.openDir(['data', 'to-root', 'made-here'], { mode: 0o755 });
      if (viaRoot.kind === 'dir') viaRoot.dir.release();
      expect(fs.statSync(path.join(box.root, 'made-here')).isDirectory()).toBe(true);
      expect(fs.existsSync('/made-here')).toBe(false);
    } finally {
      root.fs.close();
    }
  });

  it('maps a stopped container’s bind mounts to their host sources (directories and files)', () => {
    const source = path.join(box.dir, 'bind-src');
    fs.mkdirSync(source);
    fs.writeFileSync(path.join(source, 'inside'), 'from the bind\n');
    const hostname = path.join(box.dir, 'hostname');
    fs.writeFileSync(hostname, 'my-host\n');
    const root = box.open([
      { target: '/mnt/bind', source }, // its mount point does not even exist in the root
      { target: '/etc/hostname', source: hostname },
      { target: '/etc-link/hosts', source: hostname }, // a target through a symlink is canonical (/etc/hosts)
    ]);
    try {
      const inside = root.fs.locate(['mnt', 'bind', 'inside']);
      expect(inside.kind).toBe('missing'); // /mnt itself is missing in the root
      fs.mkdirSync(path.join(box.root, 'mnt'));
      const again = root.fs.locate(['mnt', 'bind', 'inside']);
      expect(again.kind).toBe('entry');
      if (again.kind === 'entry') {
        expect(fs.readFileSync(`/proc/self/fd/${again.place.dirFd}/${again.place.name}`, 'utf8')).toBe('from the bind\n');
        again.parent.release();
      }
      for (const p of ['/etc/hostname', '/etc/hosts', '/etc-link/hostname']) {
        const f = root.fs.locate(paths(p));
        expect(f.kind === 'entry' && f.place.mountPoint).toBe(true);
        if (f.kind === 'entry') {
          expect(fs.readFileSync(`/proc/self/fd/${f.place.dirFd}/${f.place.name}`, 'utf8')).toBe('my-host\n');
          f.parent.release();
        }
      }
    } finally {
      root.fs.close();
    }
  });
});
