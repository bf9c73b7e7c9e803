/**
 * File operations relative to an open directory, for a tree that someone else (a running
 * container) may change while we work in it. Node has no openat(2), so each operation names
 * its file as `/proc/self/fd/<dir>/<name>`: the kernel follows the magic link to the very
 * directory the descriptor holds (whatever happened to its path since), then looks up one
 * name in it. Nothing here follows a symlink in the last component: directories and files are
 * opened with O_NOFOLLOW, metadata is changed through a descriptor or with the l-variants.
 * A name is one path component (never `/`, `.` or `..`), except `.` for the directory itself.
 */
import * as fs from 'node:fs';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY } = fs.constants;

/** Flags that open a directory without following a symlink in its place. */
export const OPEN_DIR = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
/** Flags that open a file for reading without following a symlink, blocking on a FIFO or taking a terminal. */
export const OPEN_READ = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;

export type Name = string | Buffer;

/** The path that reaches `name` in the directory open as `dirFd`. */
export function at(dirFd: number, name: Name): string | Buffer {
  if (typeof name === 'string') return `/proc/self/fd/${dirFd}/${name}`;
  return Buffer.concat([Buffer.from(`/proc/self/fd/${dirFd}/`), name]);
}

export function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** lstat of `name` in `dirFd`; undefined when it does not exist. */
export function lstatAt(dirFd: number, name: Name): fs.Stats | undefined {
  try {
    return fs.lstatSync(at(dirFd, name));
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** Opens the directory `name` in `dirFd` (ELOOP when it is a symlink, ENOTDIR when not a directory). */
export function openDirAt(dirFd: number, name: Name): number {
  return fs.openSync(at(dirFd, name), OPEN_DIR);
}

/** The names in the directory open as `dirFd`, as bytes, in byte order (as Go's WalkDir lists them). */
export function listDir(dirFd: number): Buffer[] {
  const names = fs.readdirSync(`/proc/self/fd/${dirFd}`, { encoding: 'buffer' });
  return names.sort(Buffer.compare);
}

export function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already closed
  }
}
