import * as fs from 'node:fs';
import { LayerError } from './layer-error';

/**
 * The layer directory as one extraction knows it: which relative paths are verified real
 * directories (never symlinks), each with a stamp from a counter that only grows. Every change
 * to the tree goes through the writer, which tells this class (`markDir`, `forget`), so a cached
 * answer is as good as an lstat. A path recorded before one of its parents got a newer stamp
 * (the parent was removed and made again) is stale: `valid` says so, and the parents are
 * checked on disk again.
 */
export class LayerTree {
  private counter = 0;
  private readonly dirs = new Map<string, number>([['', 0]]);

  /** `root`: absolute and free of symlinks. */
  constructor(readonly root: string) {}

  abs(rel: string): string {
    return rel === '' ? this.root : `${this.root}/${rel}`;
  }

  /** A new stamp, for something just made at a path (its parents are older). */
  stamp(): number {
    return ++this.counter;
  }

  /** The stamp of a verified directory, if it is one. */
  dirStamp(rel: string): number | undefined {
    return this.dirs.get(rel);
  }

  markDir(rel: string): number {
    const stamp = this.stamp();
    this.dirs.set(rel, stamp);
    return stamp;
  }

  /** `rel` was removed or replaced: it is no longer a verified directory (nor, thus, anything under it). */
  forget(rel: string): void {
    this.dirs.delete(rel);
  }

  /** True when every parent of `rel` is still the directory it was when `stamp` was taken. */
  valid(rel: string, stamp: number): boolean {
    if (rel === '') return true;
    let last = 0;
    let slash = rel.indexOf('/');
    while (slash !== -1) {
      const known = this.dirs.get(rel.slice(0, slash));
      if (known === undefined || known < last) return false;
      last = known;
      slash = rel.indexOf('/', slash + 1);
    }
    return stamp >= last;
  }

  /**
   * Walks `comps` from the root, one component at a time, never following a symlink: each must
   * be a real directory. With `create`, missing ones are made (0755, whatever the umask);
   * otherwise, and for a symlink or a non-directory, `refuse(rel, problem)` is thrown.
   * Returns the relative path.
   */
  resolveDirs(comps: readonly string[], create: boolean, refuse: (rel: string, problem: string) => LayerError): string {
    let rel = '';
    let last = 0;
    for (const comp of comps) {
      rel = join(rel, comp);
      const known = this.dirs.get(rel);
      if (known !== undefined && known >= last) {
        last = known;
        continue;
      }
      const abs = this.abs(rel);
      const st = lstatOrNull(abs);
      if (!st && create) {
        fs.mkdirSync(abs, 0o755);
        fs.chmodSync(abs, 0o755);
      } else if (!st) {
        throw refuse(rel, 'does not exist in this layer');
      } else if (st.isSymbolicLink()) {
        throw refuse(rel, `is a symbolic link (to ${JSON.stringify(readlinkOr(abs))})`);
      } else if (!st.isDirectory()) {
        throw refuse(rel, 'is not a directory');
      }
      last = this.markDir(rel);
    }
    return rel;
  }
}

export function join(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}

export function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

export function lstatOrNull(path: string): fs.Stats | null {
  try {
    return fs.lstatSync(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw err;
  }
}

function readlinkOr(path: string): string {
  try {
    return fs.readlinkSync(path);
  } catch {
    return '?';
  }
}
