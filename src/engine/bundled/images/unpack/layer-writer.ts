import * as fs from 'node:fs';
import { isStreamFailure } from './byte-source';
import { entryPath } from './entry-path';
import { LayerError, messageOf } from './layer-error';
import { errnoCode, join, LayerTree, lstatOrNull } from './layer-tree';
import { mknod, setXattrs, type XattrItem } from './special-files';
import type { TarEntry } from './tar-reader';

export interface LayerWriterOptions {
  /** Give entries the tar's uid/gid (lchown); false when not running as root. */
  readonly sameOwner: boolean;
  readonly warn: (message: string) => void;
}

interface DirMeta {
  readonly seq: number;
  readonly mode: number;
  readonly atime: number;
  readonly mtime: number;
}

interface PendingXattrs {
  readonly seq: number;
  readonly attrs: ReadonlyMap<string, Buffer>;
}

const WHITEOUT_PREFIX = '.wh.';
const WHITEOUT_META_PREFIX = '.wh..wh.';
const OPAQUE_MARKER = '.wh..wh..opq';
const OPEN_NEW_FILE = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

/**
 * Writes tar entries into a layer directory (`root`, absolute and free of symlinks), in the
 * form overlayfs reads as a lower layer, without ever writing outside `root`.
 *
 * How each hostile case is handled (all failures name the entry; the caller discards the
 * half-written directory — Docker and containerd fail the layer on breakouts too):
 * - `..` climbing above the root (in a name, a hard link target or a whiteout): **fail**.
 * - absolute names (`/etc/x`, hard link `/etc/passwd`): **neutralized** — tar names are
 *   relative to the archive root, so they mean `etc/x` inside the layer, as GNU tar and Docker
 *   read them; a hard link to `/etc/passwd` thus needs an earlier `etc/passwd` in this layer.
 * - a parent component that is a symlink (wherever it points, even inside): **fail**. Parents
 *   are resolved one component at a time with lstat, and a symlink is never followed while
 *   creating an entry. A parent that is a file: **fail**. Missing parents are made (0755).
 * - an entry whose own name is an existing symlink, file or directory (of this layer): that
 *   thing is **replaced** (unlinked, or removed recursively without following symlinks);
 *   files are created with O_EXCL|O_NOFOLLOW, so nothing is ever opened through a link.
 *   Two directories merge (the later entry's mode, owner and times win; attributes add up).
 * - hard links: the target must be an earlier non-directory entry of this layer, reached
 *   without symlinks in its parents; otherwise **fail**. link(2) never follows a symlink
 *   target, so linking to a symlink links the symlink itself.
 * - symlinks: created as they are, whatever they point to (they are read inside the
 *   container's root, never followed here).
 * - whiteouts `.wh.<name>`: `<name>` must be a plain file name (`.wh..` or `.wh...` **fail**);
 *   whatever this layer wrote there is removed and a 0:0 character device takes its place.
 *   `.wh..wh..opq` marks its directory opaque (`trusted.overlay.opaque=y`); other `.wh..wh.*`
 *   entries (AUFS bookkeeping) are **skipped with a warning**, as Docker skips them.
 * - device nodes and FIFOs: created (the engine runs as root; containers reach devices only
 *   through the runtime's device rules). The layer store must keep layer directories out of
 *   other users' reach (0700 root), as Docker does.
 * - extended attributes: `trusted.overlay.*` from the tar is **skipped with a warning** (only
 *   whiteouts may make overlay metadata); names outside user/security/trusted/system are
 *   skipped with a warning; the rest is set on the entry itself (never through a symlink).
 *
 * Deferred to `finish()` (after every entry, so nothing undoes them): extended attributes
 * (chown clears security.capability), directory modes and times (writing into a directory
 * changes its mtime). Each deferred path is re-validated first: the LayerTree's stamps tell
 * whether the path, or any of its parents, was replaced since.
 */
export class LayerWriter {
  private readonly tree: LayerTree;
  private readonly dirMeta = new Map<string, DirMeta>();
  private readonly xattrs = new Map<string, PendingXattrs>();
  private readonly opaque = new Map<string, number>();
  /** The last whiteout made: later ones are hard links to it (saves a process each). */
  private whiteoutTemplate?: { readonly rel: string; readonly seq: number };

  constructor(
    root: string,
    private readonly options: LayerWriterOptions,
  ) {
    this.tree = new LayerTree(root);
  }

  /** Makes sure the parents of an entry are real directories (never symlinks); returns them. */
  private ensureParents(comps: readonly string[], entryName: string): string {
    return this.tree.resolveDirs(comps, true, (rel, problem) => {
      const hint = problem.startsWith('is a symbolic link') ? '; a layer may not write through a symlink' : '';
      return new LayerError(`its parent ${JSON.stringify(rel)} ${problem}${hint}`, entryName);
    });
  }

  /** The same for a hard link's target, where nothing is created. */
  private existingParents(comps: readonly string[], entry: TarEntry): string {
    return this.tree.resolveDirs(comps, false, (rel, problem) => {
      const hint = problem.startsWith('is a symbolic link') ? '; hard links are never made through a symlink' : '';
      return new LayerError(`hard link target ${JSON.stringify(entry.linkname)}: ${JSON.stringify(rel)} ${problem}${hint}`, entry.name);
    });
  }

  /** Writes one entry (reading its body). Throws LayerError naming the entry. */
  async apply(entry: TarEntry): Promise<void> {
    try {
      await this.applyEntry(entry);
    } catch (err) {
      // The stream's own errors (a digest mismatch, a reset) pass through as they are.
      if (err instanceof LayerError || isStreamFailure(err)) throw err;
      throw new LayerError(messageOf(err), entry.name, { cause: err });
    }
  }

  /** Sets what had to wait for the last entry: extended attributes, directory modes and times. */
  async finish(): Promise<void> {
    const items: XattrItem[] = [];
    for (const [rel, pending] of this.xattrs) {
      if (!this.tree.valid(rel, pending.seq)) continue;
      for (const [name, value] of pending.attrs) items.push({ path: this.tree.abs(rel), name, value });
    }
    for (const [rel, seq] of this.opaque) {
      if (this.tree.dirStamp(rel) === seq && this.tree.valid(rel, seq)) {
        items.push({ path: this.tree.abs(rel), name: 'trusted.overlay.opaque', value: Buffer.from('y') });
      }
    }
    for (const warning of await setXattrs(items)) this.options.warn(warning);
    for (const [rel, meta] of this.dirMeta) {
      if (this.tree.dirStamp(rel) !== meta.seq || !this.tree.valid(rel, meta.seq)) continue;
      const abs = this.tree.abs(rel);
      fs.chmodSync(abs, meta.mode);
      fs.lutimesSync(abs, meta.atime, meta.mtime);
    }
  }

  private async applyEntry(entry: TarEntry): Promise<void> {
    const comps = entryPath(entry.name);
    const base = comps[comps.length - 1];
    if (base === undefined) {
      if (entry.type !== 'dir') throw new LayerError(`a ${entry.type} cannot replace the layer root`, entry.name);
      this.directory(entry, '');
      return;
    }
    if (base.startsWith(WHITEOUT_PREFIX)) {
      await this.whiteoutEntry(entry, comps);
      return;
    }
    const parent = this.ensureParents(comps.slice(0, -1), entry.name);
    const rel = join(parent, base);
    switch (entry.type) {
      case 'dir':
        this.directory(entry, rel);
        return;
      case 'file':
        await this.file(entry, rel);
        return;
      case 'symlink':
        this.symlink(entry, rel);
        return;
      case 'hardlink':
        this.hardlink(entry, rel);
        return;
      case 'char':
      case 'block':
      case 'fifo':
        await this.node(entry, rel);
        return;
    }
  }

  // --- entry kinds ----------------------------------------------------------------------------

  private directory(entry: TarEntry, rel: string): void {
    const abs = this.tree.abs(rel);
    let seq: number;
    let kept = false;
    const existing = lstatOrNull(abs);
    if (existing?.isDirectory()) {
      const known = this.tree.dirStamp(rel);
      kept = known !== undefined && this.tree.valid(rel, known);
      seq = kept ? known! : this.tree.markDir(rel);
    } else {
      if (existing) this.removeExisting(rel);
      fs.mkdirSync(abs, 0o700);
      seq = this.tree.markDir(rel);
    }
    if (this.options.sameOwner) fs.lchownSync(abs, entry.uid, entry.gid);
    const { atime, mtime } = times(entry);
    this.dirMeta.set(rel, { seq, mode: entry.mode, atime, mtime });
    this.recordXattrs(entry, rel, seq, kept);
  }

  private async file(entry: TarEntry, rel: string): Promise<void> {
    const abs = this.tree.abs(rel);
    let fd: number;
    try {
      fd = fs.openSync(abs, OPEN_NEW_FILE, 0o600);
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
      this.removeExisting(rel);
      fd = fs.openSync(abs, OPEN_NEW_FILE, 0o600);
    }
    try {
      for await (const piece of entry.body) {
        let at = 0;
        while (at < piece.length) at += fs.writeSync(fd, piece, at, piece.length - at);
      }
      // chown before chmod: chown clears setuid/setgid.
      if (this.options.sameOwner) fs.fchownSync(fd, entry.uid, entry.gid);
      fs.fchmodSync(fd, entry.mode);
      const { atime, mtime } = times(entry);
      fs.futimesSync(fd, atime, mtime);
    } finally {
      fs.closeSync(fd);
    }
    this.recordXattrs(entry, rel, this.tree.stamp());
  }

  private symlink(entry: TarEntry, rel: string): void {
    const abs = this.tree.abs(rel);
    if (entry.linkname === '') throw new LayerError('symlink with an empty target', entry.name);
    try {
      fs.symlinkSync(entry.linkname, abs);
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
      this.removeExisting(rel);
      fs.symlinkSync(entry.linkname, abs);
    }
    if (this.options.sameOwner) fs.lchownSync(abs, entry.uid, entry.gid);
    const { atime, mtime } = times(entry);
    fs.lutimesSync(abs, atime, mtime);
    this.recordXattrs(entry, rel, this.tree.stamp());
  }

  private hardlink(entry: TarEntry, rel: string): void {
    const targetComps = entryPath(entry.linkname, entry.name, 'hard link target');
    const targetBase = targetComps[targetComps.length - 1];
    if (targetBase === undefined) throw new LayerError('hard link to the layer root', entry.name);
    const targetParent = this.existingParents(targetComps.slice(0, -1), entry);
    const targetRel = join(targetParent, targetBase);
    const target = lstatOrNull(this.tree.abs(targetRel));
    if (!target) {
      throw new LayerError(
        `hard link target ${JSON.stringify(entry.linkname)} does not exist in this layer (a hard link must name an earlier entry of the same layer)`,
        entry.name,
      );
    }
    if (target.isDirectory()) throw new LayerError(`hard link target ${JSON.stringify(entry.linkname)} is a directory`, entry.name);
    if (targetRel === rel) return; // a link to itself: nothing to do
    const abs = this.tree.abs(rel);
    try {
      fs.linkSync(this.tree.abs(targetRel), abs);
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
      this.removeExisting(rel);
      fs.linkSync(this.tree.abs(targetRel), abs);
    }
    this.xattrs.delete(rel); // the inode keeps the attributes of the entry that made it
  }

  private async node(entry: TarEntry, rel: string): Promise<void> {
    const abs = this.tree.abs(rel);
    if (lstatOrNull(abs)) this.removeExisting(rel);
    const kind = entry.type === 'char' ? 'c' : entry.type === 'block' ? 'b' : 'p';
    await mknod(abs, kind, entry.devmajor, entry.devminor);
    if (this.options.sameOwner) fs.lchownSync(abs, entry.uid, entry.gid);
    fs.chmodSync(abs, entry.mode); // a device or FIFO just made by us: chmod cannot follow a link
    const { atime, mtime } = times(entry);
    fs.lutimesSync(abs, atime, mtime);
    this.recordXattrs(entry, rel, this.tree.stamp());
  }

  private async whiteoutEntry(entry: TarEntry, comps: readonly string[]): Promise<void> {
    const base = comps[comps.length - 1]!;
    if (base === OPAQUE_MARKER) {
      const dir = this.ensureParents(comps.slice(0, -1), entry.name);
      this.opaque.set(dir, this.tree.dirStamp(dir)!);
      return;
    }
    if (base.startsWith(WHITEOUT_META_PREFIX)) {
      this.options.warn(`skipped AUFS metadata entry ${JSON.stringify(entry.name)}`);
      return;
    }
    const victim = base.slice(WHITEOUT_PREFIX.length);
    if (victim === '' || victim === '.' || victim === '..') {
      throw new LayerError(`whiteout ${JSON.stringify(base)} does not name a file inside its directory`, entry.name);
    }
    const parent = this.ensureParents(comps.slice(0, -1), entry.name);
    const rel = join(parent, victim);
    if (lstatOrNull(this.tree.abs(rel))) this.removeExisting(rel);
    await this.makeWhiteout(rel);
    this.xattrs.delete(rel);
  }

  private async makeWhiteout(rel: string): Promise<void> {
    const abs = this.tree.abs(rel);
    const template = this.whiteoutTemplate;
    if (template && this.tree.valid(template.rel, template.seq)) {
      const st = lstatOrNull(this.tree.abs(template.rel));
      if (st && st.isCharacterDevice() && st.rdev === 0) {
        try {
          fs.linkSync(this.tree.abs(template.rel), abs);
          return;
        } catch {
          // too many links, or the like: make a new one
        }
      }
    }
    await mknod(abs, 'c', 0, 0);
    if (this.options.sameOwner) fs.lchownSync(abs, 0, 0);
    fs.chmodSync(abs, 0);
    this.whiteoutTemplate = { rel, seq: this.tree.stamp() };
  }

  /** Removes what is at `rel` (whose parents are verified): unlink, or a recursive removal
   *  that never follows symlinks. Forgets everything recorded for it. */
  private removeExisting(rel: string): void {
    const abs = this.tree.abs(rel);
    const st = lstatOrNull(abs);
    if (st?.isDirectory()) fs.rmSync(abs, { recursive: true, force: true });
    else if (st) fs.unlinkSync(abs);
    this.tree.forget(rel);
    this.dirMeta.delete(rel);
    this.xattrs.delete(rel);
    this.opaque.delete(rel);
  }

  /** Keeps the entry's attributes for `finish()`; `merge` for a directory entry that finds its
   *  directory already there (attributes add up, as Docker sets each header's and removes none). */
  private recordXattrs(entry: TarEntry, rel: string, seq: number, merge = false): void {
    const attrs = new Map<string, Buffer>();
    for (const [name, value] of entry.xattrs) {
      if (name.startsWith('trusted.overlay.')) {
        this.options.warn(`ignored extended attribute ${name} of ${JSON.stringify(entry.name)}: overlay attributes come only from whiteouts`);
      } else if (!/^(user|security|trusted|system)\.[^\0]+$/.test(name)) {
        this.options.warn(`ignored extended attribute ${JSON.stringify(name)} of ${JSON.stringify(entry.name)}: not a Linux attribute name`);
      } else {
        attrs.set(name, value);
      }
    }
    const earlier = merge ? this.xattrs.get(rel) : undefined;
    if (earlier) this.xattrs.set(rel, { seq: earlier.seq, attrs: new Map([...earlier.attrs, ...attrs]) });
    else if (attrs.size > 0) this.xattrs.set(rel, { seq, attrs });
    else this.xattrs.delete(rel);
  }
}

/** Docker's rule: the access time is never before the modification time. */
function times(entry: TarEntry): { atime: number; mtime: number } {
  const mtime = entry.mtime;
  const atime = entry.atime === undefined || entry.atime < mtime ? mtime : entry.atime;
  return { atime, mtime };
}
