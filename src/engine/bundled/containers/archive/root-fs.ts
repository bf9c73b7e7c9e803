/**
 * A container's root file system as the engine reaches into it for a copy: an open directory
 * (the container's root: `/proc/<pid>/root` of a running container, the mounted overlay of a
 * stopped one) in which paths are resolved one component at a time, with descriptors.
 *
 * Why descriptors: a running container can swap a directory for a symlink to `/` at any
 * moment. A path string handed to the kernel would then be resolved against the *host's* root
 * (the classic `docker cp` breakout). Here every step opens one name in the directory reached
 * so far with O_NOFOLLOW; a symlink is read and resolved by this code as the container would
 * see it — an absolute target starts again at the container's root, `..` never climbs above
 * it — so whatever the container does meanwhile, every operation lands inside its root.
 *
 * Mounts: a running container's binds, volumes and tmpfs are simply there (its mount
 * namespace). A stopped container has none mounted, so its binds are mapped: `addMount` says
 * "the container path T is the host path S", and a walk that reaches T continues in S (host
 * paths given by the user are trusted, as runc trusts them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError } from '../../../errors';
import { at, closeQuietly, errnoCode, lstatAt, OPEN_DIR, openDirAt } from './fd-ops';

const MAX_SYMLINKS = 40;

/** Where an entry lives: an open directory and the entry's name in it. */
export interface Place {
  readonly dirFd: number;
  readonly name: string;
  /** The entry is a mapped mount point of a stopped container (it cannot be replaced). */
  readonly mountPoint: boolean;
}

interface Frame {
  readonly fd: number;
  readonly owned: boolean;
  /** The canonical container path of this directory. */
  readonly path: readonly string[];
}

/** An open directory reached by a walk (and those above it, kept open); `release()` closes them. */
export class DirHandle {
  constructor(private readonly frames: Frame[]) {}

  get fd(): number {
    return this.top().fd;
  }

  /** The directory's canonical path in the container (symlinks resolved). */
  get path(): readonly string[] {
    return this.top().path;
  }

  release(): void {
    for (const f of this.frames.splice(0)) if (f.owned) closeQuietly(f.fd);
  }

  private top(): Frame {
    const f = this.frames[this.frames.length - 1];
    if (!f) throw new Error('this directory handle was released');
    return f;
  }
}

/** How a missing directory is made on the way (only for names the caller gave, never a link's target). */
export interface CreateDirs {
  readonly mode: number;
  /** Owner of what is made; absent = the engine's own. */
  readonly owner?: { readonly uid: number; readonly gid: number };
}

export type DirResult = { readonly kind: 'dir'; readonly dir: DirHandle } | { readonly kind: 'missing' } | { readonly kind: 'notDir' };

export type EntryResult =
  | {
      readonly kind: 'entry';
      /** The directory holding the entry (release it when done). */
      readonly parent: DirHandle;
      readonly place: Place;
      readonly path: readonly string[];
      /** lstat of the entry; undefined when only the entry itself is missing. */
      readonly stat: fs.Stats | undefined;
    }
  | { readonly kind: 'missing' }
  | { readonly kind: 'notDir' };

interface Part {
  readonly name: string;
  readonly fromLink: boolean;
}

export class RootFs {
  private readonly mounts = new Map<string, Place>();
  private readonly hostFds: number[] = [];
  private closed = false;

  /** `rootFd`: the container's root directory, owned (closed by `close()`) from now on. */
  constructor(private readonly rootFd: number) {}

  /** Maps the container path `target` to the host path `source` (a stopped container's bind mount). Ignored when the source is gone. */
  addMount(target: string, source: string): void {
    let real: string;
    try {
      real = fs.realpathSync(source);
    } catch {
      return;
    }
    const fd = fs.openSync(path.dirname(real), OPEN_DIR);
    this.hostFds.push(fd);
    const name = real === '/' ? '.' : path.basename(real);
    this.mounts.set(this.canonical(target.split('/')).join('/'), { dirFd: fd, name, mountPoint: true });
  }

  /** The directory at `components` (every symlink followed), optionally making missing ones. */
  openDir(components: readonly string[], create?: CreateDirs): DirResult {
    const frames = this.rootFrames();
    const end = this.walk(toParts(components), frames, false, create);
    if (end.kind === 'done') return { kind: 'dir', dir: new DirHandle(frames) };
    new DirHandle(frames).release();
    return { kind: end.kind === 'last' ? 'missing' : end.kind };
  }

  /** The entry at `components`: every symlink followed but one in the last component. */
  locate(components: readonly string[]): EntryResult {
    const frames = this.rootFrames();
    const end = this.walk(toParts(components), frames, true);
    const parent = new DirHandle(frames);
    if (end.kind === 'last') {
      const place = this.lookup(parent, end.name);
      return { kind: 'entry', parent, place, path: [...parent.path, end.name], stat: lstatAt(place.dirFd, place.name) };
    }
    if (end.kind === 'done') {
      // the path ends at a directory reached by `..` or the root itself
      const fd = parent.fd;
      return { kind: 'entry', parent, place: { dirFd: fd, name: '.', mountPoint: false }, path: parent.path, stat: fs.fstatSync(fd) };
    }
    parent.release();
    return { kind: end.kind };
  }

  /** Where `name` in the directory `dir` lives (a mapped mount point, or the name in the directory). */
  lookup(dir: { readonly fd: number; readonly path: readonly string[] }, name: string): Place {
    return this.mountAt([...dir.path, name]) ?? { dirFd: dir.fd, name, mountPoint: false };
  }

  /** The host place of a stopped container's bind mounted at exactly `containerPath` (canonical), if any. */
  mountAt(containerPath: readonly string[]): Place | undefined {
    return this.mounts.size > 0 ? this.mounts.get(containerPath.join('/')) : undefined;
  }

  /** The canonical form of a container path: the existing part resolved, the rest as written. */
  canonical(components: readonly string[]): string[] {
    const parts = toParts(components.filter((c) => c !== ''));
    const frames = this.rootFrames();
    try {
      const end = this.walk(parts, frames, false, undefined, true);
      const reached = frames[frames.length - 1]?.path ?? [];
      return end.kind === 'missing' || end.kind === 'notDir' ? [...reached, ...(end.rest ?? [])] : [...reached];
    } finally {
      new DirHandle(frames).release();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeQuietly(this.rootFd);
    for (const fd of this.hostFds.splice(0)) closeQuietly(fd);
  }

  private rootFrames(): Frame[] {
    if (this.closed) throw new Error('the container root was already closed');
    return [{ fd: this.rootFd, owned: false, path: [] }];
  }

  /**
   * Walks `parts` from the top of `frames`, pushing a frame per directory entered. With
   * `keepLast`, the last name is not entered nor followed (`last`). `rest` (for `canonical`)
   * is what was left when the walk stopped at something missing.
   */
  private walk(
    parts: Part[],
    frames: Frame[],
    keepLast: boolean,
    create?: CreateDirs,
    wantRest = false,
  ): { kind: 'done' } | { kind: 'last'; name: string } | { kind: 'missing' | 'notDir'; rest?: string[] } {
    let links = 0;
    const stop = (kind: 'missing' | 'notDir', from: number) => ({
      kind,
      ...(wantRest ? { rest: parts.slice(from).map((p) => p.name).filter((n) => n !== '' && n !== '.') } : {}),
    });
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (part.name === '' || part.name === '.') continue;
      const top = frames[frames.length - 1]!;
      if (part.name === '..') {
        if (frames.length > 1) {
          const f = frames.pop()!;
          if (f.owned) closeQuietly(f.fd);
        }
        continue;
      }
      const isLast = !parts.slice(i + 1).some((p) => p.name !== '' && p.name !== '.');
      if (isLast && keepLast) return { kind: 'last', name: part.name };
      const place = this.lookup(top, part.name);
      let st = lstatAt(place.dirFd, place.name);
      if (!st && create && !part.fromLink) st = makeDir(place, create);
      if (!st) return stop('missing', i);
      if (st.isSymbolicLink()) {
        if (++links > MAX_SYMLINKS) throw new InvalidArgumentError(`cannot resolve /${[...top.path, part.name].join('/')} in the container: too many levels of symbolic links`);
        const target = fs.readlinkSync(at(place.dirFd, place.name), 'utf8');
        if (target.startsWith('/')) {
          for (const f of frames.splice(1)) if (f.owned) closeQuietly(f.fd);
        }
        const expanded = target.split('/').map((name) => ({ name, fromLink: true }));
        parts.splice(i + 1, 0, ...expanded);
        continue;
      }
      if (!st.isDirectory()) return stop('notDir', i);
      let fd: number;
      try {
        fd = openDirAt(place.dirFd, place.name);
      } catch (err) {
        const code = errnoCode(err);
        if (code === 'ENOENT') return stop('missing', i);
        if (code === 'ELOOP' || code === 'ENOTDIR') throw new InvalidArgumentError(`/${[...top.path, part.name].join('/')} in the container changed while it was being resolved`);
        throw err;
      }
      frames.push({ fd, owned: true, path: [...top.path, part.name] });
    }
    return { kind: 'done' };
  }
}

function toParts(components: readonly string[]): Part[] {
  return components.map((name) => ({ name, fromLink: false }));
}

/** Makes the directory `place` (mode and owner as asked); its lstat, or undefined when that failed because it appeared meanwhile. */
function makeDir(place: Place, create: CreateDirs): fs.Stats | undefined {
  try {
    fs.mkdirSync(at(place.dirFd, place.name), 0o700);
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
    return lstatAt(place.dirFd, place.name);
  }
  const fd = openDirAt(place.dirFd, place.name);
  try {
    if (create.owner) fs.fchownSync(fd, create.owner.uid, create.owner.gid);
    fs.fchmodSync(fd, create.mode);
    return fs.fstatSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
