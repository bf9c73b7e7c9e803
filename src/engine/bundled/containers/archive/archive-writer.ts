/**
 * Writes the entries of a tar into a directory of a container's root: Docker's archive PUT
 * (`docker cp - ctr:DIR`), on the same tar reader as image layers but with none of a layer's
 * rules — a `.wh.` name is just a file, nothing becomes a whiteout or overlay metadata.
 *
 * Docker's behaviour, kept:
 * - names are relative to the extraction directory; an entry, a hard link target or a
 *   relative symlink target climbing above it is refused (entry-name.ts); the `.` entry is
 *   skipped (the directory keeps its own mode, owner and times);
 * - missing parent directories are made (0755, owned by root);
 * - what exists at an entry's name is removed first (recursively for a directory), except a
 *   directory meeting a directory entry: that one is kept and takes the entry's metadata;
 *   with `noOverwriteDirNonDir` (the docker CLI's choice) either replacement is refused;
 * - owner from the tar (when running as root), then mode, extended attributes, times (the
 *   access time never before the modification time); directories' modes and times are set
 *   after the last entry, so writing into them does not undo it.
 *
 * Safety against the container and the tar: parents are resolved inside the container's root
 * by RootFs (symlinks read as the container would, descriptors all the way); the entry itself
 * is created with O_EXCL|O_NOFOLLOW, mkdir, symlink, link or mknod, all of which refuse to
 * follow a symlink in the last component; metadata is set through descriptors or l-calls.
 * A stopped container's mapped bind mount points cannot be replaced (as a mount point cannot).
 */
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import { EngineError, InvalidArgumentError } from '../../../errors';
import { setXattrs } from '../../images/unpack/special-files';
import type { TarEntry } from '../../images/unpack/tar-reader';
import { entryComponents, symlinkClimbsOut } from './entry-name';
import { at, closeQuietly, errnoCode, listDir, lstatAt, OPEN_READ, openDirAt } from './fd-ops';
import { makeNode } from './make-node';
import type { DirHandle, Place, RootFs } from './root-fs';

export interface ArchiveWriterOptions {
  /** Give entries the tar's uid/gid (the engine runs as root; tests may not). */
  readonly sameOwner: boolean;
  /** Refuse to replace a directory by a non-directory, or the reverse (Docker's noOverwriteDirNonDir). */
  readonly noOverwriteDirNonDir?: boolean;
  /** The extraction directory as the caller named it, for messages. */
  readonly label: string;
}

interface PendingDir {
  readonly path: readonly string[];
  readonly mode: number;
  readonly atime: number;
  readonly mtime: number;
}

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
const OPEN_NEW_FILE = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;

export class ArchiveWriter {
  private parentCache?: { readonly key: string; readonly dir: DirHandle };
  private readonly dirs: PendingDir[] = [];

  /** `dest`: the extraction directory's canonical path in the container. */
  constructor(
    private readonly rootFs: RootFs,
    private readonly dest: readonly string[],
    private readonly options: ArchiveWriterOptions,
  ) {}

  /** Writes one entry (reading its body). Errors name the entry. */
  async apply(entry: TarEntry): Promise<void> {
    try {
      await this.applyEntry(entry);
    } catch (err) {
      throw entryError(entry.name, err);
    }
  }

  /** Sets the directories' modes and times, once every entry is written. */
  finish(): void {
    for (const d of this.dirs) {
      const found = this.rootFs.locate(d.path);
      if (found.kind !== 'entry') continue;
      try {
        if (!found.stat?.isDirectory()) continue;
        const fd = openDirAt(found.place.dirFd, found.place.name);
        try {
          fs.fchmodSync(fd, d.mode);
          fs.futimesSync(fd, d.atime, d.mtime);
        } finally {
          fs.closeSync(fd);
        }
      } finally {
        found.parent.release();
      }
    }
  }

  release(): void {
    this.parentCache?.dir.release();
    this.parentCache = undefined;
  }

  private async applyEntry(entry: TarEntry): Promise<void> {
    const label = this.options.label;
    const comps = entryComponents(entry.name, label, 'it');
    const base = comps[comps.length - 1];
    if (base === undefined) {
      if (entry.type === 'dir') return;
      throw new InvalidArgumentError(`a ${entry.type} cannot replace the extraction directory ${label}`);
    }
    if (entry.type === 'symlink') {
      if (entry.linkname === '') throw new InvalidArgumentError('a symlink with an empty target');
      if (symlinkClimbsOut(comps, entry.linkname)) throw new InvalidArgumentError(`invalid symlink to ${JSON.stringify(entry.linkname)}: it points outside of ${JSON.stringify(label)}`);
    }
    const linkTarget = entry.type === 'hardlink' ? entryComponents(entry.linkname, label, `its hard link target ${JSON.stringify(entry.linkname)}`) : undefined;

    const parent = this.parent(comps.slice(0, -1));
    const place = this.rootFs.lookup(parent, base);
    const existing = lstatAt(place.dirFd, place.name);
    if (linkTarget) {
      await this.hardLink(entry, linkTarget, place, existing);
      return;
    }
    if (existing) {
      const isDir = entry.type === 'dir';
      if (this.options.noOverwriteDirNonDir && existing.isDirectory() && !isDir) throw new InvalidArgumentError('cannot overwrite a directory with a non-directory');
      if (this.options.noOverwriteDirNonDir && !existing.isDirectory() && isDir) throw new InvalidArgumentError('cannot overwrite a non-directory with a directory');
      if (!(existing.isDirectory() && isDir)) this.remove(place);
    }
    const path = [...parent.path, base];
    switch (entry.type) {
      case 'dir':
        await this.directory(entry, place, path, existing?.isDirectory() === true);
        return;
      case 'file':
        await this.file(entry, place);
        return;
      case 'symlink':
        fs.symlinkSync(entry.linkname, at(place.dirFd, place.name));
        this.ownAndTime(entry, place);
        await this.xattrs(entry, place);
        return;
      case 'char':
      case 'block':
      case 'fifo':
        await makeNode(place.dirFd, place.name, entry.type === 'char' ? 'c' : entry.type === 'block' ? 'b' : 'p', entry.mode, entry.devmajor, entry.devminor);
        this.ownAndTime(entry, place);
        await this.xattrs(entry, place);
        return;
    }
  }

  /** The entry's parent directory (made when missing), resolved inside the container's root. */
  private parent(comps: readonly string[]): DirHandle {
    const key = comps.join('/');
    if (this.parentCache?.key === key) return this.parentCache.dir;
    this.release();
    const found = this.rootFs.openDir([...this.dest, ...comps], { mode: 0o755, ...(this.options.sameOwner ? { owner: { uid: 0, gid: 0 } } : {}) });
    const where = JSON.stringify(comps.join('/'));
    if (found.kind === 'missing') throw new InvalidArgumentError(`its parent ${where} is a symbolic link to a directory that does not exist`);
    if (found.kind === 'notDir') throw new InvalidArgumentError(`its parent ${where} is not a directory`);
    this.parentCache = { key, dir: found.dir };
    return found.dir;
  }

  private async directory(entry: TarEntry, place: Place, path: readonly string[], exists: boolean): Promise<void> {
    if (!exists) fs.mkdirSync(at(place.dirFd, place.name), 0o700);
    const fd = openDirAt(place.dirFd, place.name);
    try {
      if (this.options.sameOwner) fs.fchownSync(fd, entry.uid, entry.gid);
    } finally {
      fs.closeSync(fd);
    }
    const { atime, mtime } = times(entry);
    this.dirs.push({ path, mode: entry.mode, atime, mtime });
    await this.xattrs(entry, place);
  }

  private async file(entry: TarEntry, place: Place): Promise<void> {
    const handle = await fsp.open(at(place.dirFd, place.name), OPEN_NEW_FILE, 0o600);
    try {
      for await (const piece of entry.body) {
        let done = 0;
        while (done < piece.length) done += (await handle.write(piece, done, piece.length - done)).bytesWritten;
      }
      // chown before chmod: chown clears setuid and setgid
      if (this.options.sameOwner) await handle.chown(entry.uid, entry.gid);
      await handle.chmod(entry.mode);
      await this.xattrs(entry, place);
      const { atime, mtime } = times(entry);
      await handle.utimes(atime, mtime);
    } finally {
      await handle.close();
    }
  }

  private async hardLink(entry: TarEntry, target: readonly string[], place: Place, existing: fs.Stats | undefined): Promise<void> {
    const found = this.rootFs.locate([...this.dest, ...target]);
    if (found.kind !== 'entry' || found.stat === undefined) {
      if (found.kind === 'entry') found.parent.release();
      throw new InvalidArgumentError(`its hard link target ${JSON.stringify(entry.linkname)} does not exist`);
    }
    try {
      if (found.stat.isDirectory()) throw new InvalidArgumentError(`its hard link target ${JSON.stringify(entry.linkname)} is a directory`);
      if (existing && existing.dev === found.stat.dev && existing.ino === found.stat.ino) return; // already that inode
      if (existing) {
        if (this.options.noOverwriteDirNonDir && existing.isDirectory()) throw new InvalidArgumentError('cannot overwrite a directory with a non-directory');
        this.remove(place);
      }
      fs.linkSync(at(found.place.dirFd, found.place.name), at(place.dirFd, place.name));
    } finally {
      found.parent.release();
    }
    // Docker gives the inode the link entry's metadata too (regular files only here: never through a link)
    if (!found.stat.isFile()) return;
    await this.withOpenFile(place, (fd) => {
      if (this.options.sameOwner) fs.fchownSync(fd, entry.uid, entry.gid);
      fs.fchmodSync(fd, entry.mode);
      const { atime, mtime } = times(entry);
      fs.futimesSync(fd, atime, mtime);
    });
  }

  /** Owner and times of a symlink or node just made (l-calls: never through a link). */
  private ownAndTime(entry: TarEntry, place: Place): void {
    const p = at(place.dirFd, place.name);
    if (this.options.sameOwner) fs.lchownSync(p, entry.uid, entry.gid);
    const { atime, mtime } = times(entry);
    fs.lutimesSync(p, atime, mtime);
  }

  /** Runs `work` on the regular file at `place`, opened without following a link. */
  private async withOpenFile(place: Place, work: (fd: number) => void): Promise<void> {
    const fd = fs.openSync(at(place.dirFd, place.name), OPEN_READ);
    try {
      if (fs.fstatSync(fd).isFile()) work(fd);
    } finally {
      closeQuietly(fd);
    }
  }

  /**
   * The entry's extended attributes, as Docker sets them (what the file system does not
   * support, or refuses, is skipped). Overlay's own attributes never come from a tar.
   */
  private async xattrs(entry: TarEntry, place: Place): Promise<void> {
    const items = [...entry.xattrs]
      .filter(([name]) => !name.startsWith('trusted.overlay.'))
      .map(([name, value]) => ({ path: `/proc/${process.pid}/fd/${place.dirFd}/${place.name}`, name, value }));
    if (items.length === 0) return;
    try {
      await setXattrs(items);
    } catch (err) {
      if (!/not permitted|not supported/i.test(messageText(err))) throw err;
    }
  }

  /** Removes what is at `place` (recursively, never following a link, never into another mount). */
  private remove(place: Place): void {
    if (place.mountPoint) throw new EngineError('cannot replace it: it is a mount point');
    // (the cached parent stays good: it is this entry's parent, and only a name in it goes)
    removeTree(place.dirFd, place.name, fs.fstatSync(place.dirFd).dev);
  }
}

function removeTree(dirFd: number, name: string | Buffer, dev: number): void {
  const st = lstatAt(dirFd, name);
  if (!st) return;
  if (!st.isDirectory()) {
    fs.unlinkSync(at(dirFd, name));
    return;
  }
  const fd = openDirAt(dirFd, name);
  try {
    if (fs.fstatSync(fd).dev !== dev) throw new EngineError(`cannot remove ${JSON.stringify(String(name))}: a file system is mounted there`);
    for (const child of listDir(fd)) removeTree(fd, child, dev);
  } finally {
    closeQuietly(fd);
  }
  fs.rmdirSync(at(dirFd, name));
}

/** Docker's rule: the access time is never before the modification time. */
function times(entry: TarEntry): { atime: number; mtime: number } {
  const mtime = entry.mtime;
  const atime = entry.atime === undefined || entry.atime < mtime ? mtime : entry.atime;
  return { atime, mtime };
}

function messageText(err: unknown): string {
  const m = (err as { message?: unknown } | null)?.message;
  return typeof m === 'string' ? m : String(err);
}

/** The error of one entry: `tar entry "x": …` (system errors without the /proc/self/fd path). */
function entryError(name: string, err: unknown): Error {
  const prefix = `tar entry ${JSON.stringify(name)}`;
  const code = errnoCode(err);
  if (code !== undefined && !(err instanceof EngineError)) {
    const text = messageText(err).split(', ')[0] ?? code;
    return new EngineError(`${prefix}: ${text}`, { cause: err });
  }
  if (err instanceof InvalidArgumentError) return new InvalidArgumentError(`${prefix}: ${err.message}`, { cause: err });
  if (err instanceof EngineError) return new EngineError(`${prefix}: ${err.message}`, { cause: err });
  return new EngineError(`${prefix}: ${messageText(err)}`, { cause: err });
}
