/**
 * The tar of a file or directory tree in a container's root, streamed: Docker's archive GET
 * (`docker cp ctr:PATH -`). One header and the content at a time; a file's bytes are read in
 * chunks as the consumer pulls, never held whole in memory.
 *
 * What goes in, as Docker does it: directories (then their entries in byte order of the
 * names), regular files, symlinks as symlinks (never followed), device nodes and FIFOs as
 * headers; permission bits with setuid/setgid/sticky, uid/gid, mtime in whole seconds; a
 * second name of an inode already archived (link count > 1, not a directory) becomes a hard
 * link to the first. Sockets are left out (Docker skips them). A file that changes while it is
 * read still gets exactly the size its header announced (cut, or padded with zeros). Entries
 * that vanish while the tree is walked are left out.
 *
 * Kernel file systems (proc, sysfs, cgroup, devpts, mqueue …) mounted in a running container
 * appear as their directory, without contents: they are not files of the container (Docker,
 * which reads the container's root outside its mount namespace, sees empty directories there).
 * Extended attributes are not archived.
 */
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import { at, closeQuietly, errnoCode, listDir, lstatAt, type Name, OPEN_READ, openDirAt } from './fd-ops';
import type { Place, RootFs } from './root-fs';
import { TAR_END, type TarEntryHeader, tarEntryHeader, type TarHeaderType, tarPadding } from '../../tar/tar-writer';

const CHUNK = 64 * 1024;

/** f_type of file systems whose contents are the kernel's, not the container's. */
const KERNEL_FS = new Set([
  0x9fa0, // proc
  0x62656572, // sysfs
  0x27e0eb, // cgroup
  0x63677270, // cgroup2
  0x1cd1, // devpts
  0x19800202, // mqueue
  0x73636673, // securityfs
  0x64626720, // debugfs
  0x74726163, // tracefs
  0xcafe4a11, // bpf
  0x6165676c, // pstore
  0xf97cff8c, // selinuxfs
  0x62656570, // configfs
  0x65735543, // fusectl
  0xde5e81e4, // efivarfs
  0x42494e4d, // binfmt_misc
]);

/** What the archive starts from: an open directory (a path ending in `/` or `/.`), or an entry in its directory. */
export type ArchiveTop =
  | { readonly kind: 'dir'; readonly fd: number; readonly path: readonly string[] }
  | { readonly kind: 'entry'; readonly place: Place; readonly path: readonly string[] };

/** The whole archive, end marker included. `topName` names the top entry ('' for the root: entries then start with `/`). */
export async function* archiveTree(rootFs: RootFs, top: ArchiveTop, topName: string): AsyncGenerator<Buffer> {
  const archiver = new TreeArchiver(rootFs);
  const name = Buffer.from(topName, 'utf8');
  if (top.kind === 'dir') {
    const st = fs.fstatSync(top.fd);
    yield tarEntryHeader(header(name, 'dir', st));
    if (!isKernelFs(top.fd)) yield* archiver.contents(top.fd, top.path, name, st.dev);
  } else {
    yield* archiver.entry(top.place.dirFd, top.place.name, top.path, name, undefined);
  }
  yield TAR_END;
}

class TreeArchiver {
  /** `dev:ino` of inodes with more than one link → the name they were archived under first. */
  private readonly seen = new Map<string, Buffer>();

  constructor(private readonly rootFs: RootFs) {}

  async *contents(dirFd: number, dirPath: readonly string[], dirName: Buffer, dev: number): AsyncGenerator<Buffer> {
    let names: Buffer[];
    try {
      names = listDir(dirFd);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return; // removed while we were in it
      throw err;
    }
    const prefix = dirName.length === 0 ? Buffer.from('/') : Buffer.concat([dirName, Buffer.from('/')]);
    for (const child of names) {
      const childPath = [...dirPath, child.toString('utf8')];
      const mapped = this.rootFs.mountAt(childPath);
      const childName = Buffer.concat([prefix, child]);
      if (mapped) yield* this.entry(mapped.dirFd, mapped.name, childPath, childName, undefined);
      else yield* this.entry(dirFd, child, childPath, childName, dev);
    }
  }

  /** One entry (and, for a directory, everything under it). `parentDev` undefined: look at the file system type whatever the device. */
  async *entry(dirFd: number, entryName: Name, path: readonly string[], name: Buffer, parentDev: number | undefined): AsyncGenerator<Buffer> {
    const st = lstatAt(dirFd, entryName);
    if (!st) return;
    if (st.isDirectory()) {
      let fd: number;
      try {
        fd = openDirAt(dirFd, entryName);
      } catch (err) {
        if (vanished(err)) return;
        throw err;
      }
      try {
        const opened = fs.fstatSync(fd);
        yield tarEntryHeader(header(name, 'dir', opened));
        if (parentDev !== undefined && opened.dev === parentDev) yield* this.contents(fd, path, name, opened.dev);
        else if (!isKernelFs(fd)) yield* this.contents(fd, path, name, opened.dev);
      } finally {
        closeQuietly(fd);
      }
      return;
    }
    if (st.isFile()) {
      yield* this.file(dirFd, entryName, name);
      return;
    }
    if (st.isSocket()) return; // Docker: "archive: skipping … since it is a socket"
    const linked = this.hardLink(st, name);
    if (linked) {
      yield linked;
      return;
    }
    if (st.isSymbolicLink()) {
      let target: Buffer;
      try {
        target = fs.readlinkSync(at(dirFd, entryName), { encoding: 'buffer' });
      } catch (err) {
        if (vanished(err) || errnoCode(err) === 'EINVAL') return;
        throw err;
      }
      yield tarEntryHeader({ ...header(name, 'symlink', st), linkname: target });
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      yield tarEntryHeader({ ...header(name, st.isCharacterDevice() ? 'char' : 'block', st), devmajor: major(st.rdev), devminor: minor(st.rdev) });
    } else if (st.isFIFO()) {
      yield tarEntryHeader(header(name, 'fifo', st));
    }
  }

  private async *file(dirFd: number, entryName: Name, name: Buffer): AsyncGenerator<Buffer> {
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(at(dirFd, entryName), OPEN_READ);
    } catch (err) {
      if (vanished(err)) return;
      throw err;
    }
    try {
      const st = await handle.stat();
      if (!st.isFile()) return; // replaced by something else meanwhile
      const linked = this.hardLink(st, name);
      if (linked) {
        yield linked;
        return;
      }
      const size = st.size;
      yield tarEntryHeader(header(name, 'file', st));
      let position = 0;
      while (position < size) {
        const buf = Buffer.allocUnsafe(Math.min(CHUNK, size - position));
        const { bytesRead } = await handle.read(buf, 0, buf.length, position);
        if (bytesRead === 0) {
          yield Buffer.alloc(size - position); // the file shrank: its header said more
          break;
        }
        position += bytesRead;
        yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
      }
      yield tarPadding(size);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  /** A hard link entry when this inode was archived before under another name; else remembers it. */
  private hardLink(st: fs.Stats, name: Buffer): Buffer | undefined {
    if (st.nlink <= 1) return undefined;
    const key = `${st.dev}:${st.ino}`;
    const first = this.seen.get(key);
    if (first === undefined) {
      this.seen.set(key, name);
      return undefined;
    }
    return tarEntryHeader({ ...header(name, 'hardlink', st), linkname: first });
  }
}

function header(name: Buffer, type: TarHeaderType, st: fs.Stats): TarEntryHeader {
  return { name, type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: type === 'file' ? st.size : 0, mtime: Math.floor(st.mtimeMs / 1000) };
}

function isKernelFs(dirFd: number): boolean {
  try {
    return KERNEL_FS.has(fs.statfsSync(`/proc/self/fd/${dirFd}`).type);
  } catch {
    return false;
  }
}

function vanished(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}

/** glibc's gnu_dev_major / gnu_dev_minor. */
function major(rdev: number): number {
  const dev = BigInt(rdev);
  return Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
}

function minor(rdev: number): number {
  const dev = BigInt(rdev);
  return Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
}
