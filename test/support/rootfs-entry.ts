/**
 * One root filesystem as a comparable value: every path (relative, no leading or trailing
 * slash; the root itself left out) with what a container would see of it. Built from a
 * directory (rootfs-from-dir.ts) or a tar such as `docker export` (rootfs-from-tar.ts), and
 * compared by compare-rootfs.ts.
 */
export type EntryKind = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';

export interface RootfsEntry {
  readonly kind: EntryKind;
  /** Permission bits with setuid, setgid and sticky (mode & 0o7777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Modification time in whole seconds (docker export keeps no more). */
  readonly mtime: number;
  /** Regular files: length and sha256 of the contents. */
  readonly size?: number;
  readonly sha256?: string;
  /** Symlinks: the target as stored. */
  readonly target?: string;
  /** Character and block devices: "major,minor". */
  readonly device?: string;
  /** The security.capability extended attribute (hex), the one xattr docker export carries. */
  readonly capability?: string;
  /** Hard links: the first path (in sort order) of the set of paths sharing this inode, when there are at least two. */
  readonly linkGroup?: string;
}

export type Rootfs = Map<string, RootfsEntry>;

/** Sets `linkGroup` on every member of each group of two or more paths. */
export function assignLinkGroups(rootfs: Rootfs, groups: Iterable<readonly string[]>): void {
  for (const group of groups) {
    const members = [...new Set(group)].filter((p) => rootfs.has(p)).sort();
    if (members.length < 2) continue;
    const first = members[0] as string;
    for (const p of members) rootfs.set(p, { ...(rootfs.get(p) as RootfsEntry), linkGroup: first });
  }
}

/** `major,minor` of a Linux dev_t (glibc's encoding). */
export function deviceNumbers(rdev: bigint): string {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return `${major},${minor}`;
}
