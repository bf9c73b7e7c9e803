/**
 * A comparable description of an extracted tree, for comparing our extraction with GNU tar's:
 * one record per path with type, permission bits, owner, size, link target, content digest,
 * device number, hard-link group and extended attributes.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { xattrs } from './sandbox';

export interface TreeRecord {
  readonly type: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size?: number;
  readonly link?: string;
  readonly sha256?: string;
  readonly rdev?: number;
  readonly mtime: number;
  /** The other paths of the tree sharing this inode, sorted (regular files only). */
  readonly hardLinks?: readonly string[];
  readonly xattrs: string;
}

export function listTree(root: string, options: { withXattrs?: boolean } = {}): Map<string, TreeRecord> {
  const out = new Map<string, TreeRecord>();
  const inodes = new Map<number, string[]>();
  const visit = (abs: string, rel: string): void => {
    const st = fs.lstatSync(abs);
    const type = st.isDirectory()
      ? 'dir'
      : st.isFile()
        ? 'file'
        : st.isSymbolicLink()
          ? 'symlink'
          : st.isCharacterDevice()
            ? 'char'
            : st.isBlockDevice()
              ? 'block'
              : st.isFIFO()
                ? 'fifo'
                : 'other';
    const record: { -readonly [K in keyof TreeRecord]: TreeRecord[K] } = {
      type,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      mtime: Math.floor(st.mtimeMs / 1000),
      xattrs: options.withXattrs === false ? '' : xattrs(abs),
    };
    if (type === 'file') {
      record.size = st.size;
      record.sha256 = createHash('sha256').update(fs.readFileSync(abs)).digest('hex');
      if (st.nlink > 1) inodes.set(st.ino, [...(inodes.get(st.ino) ?? []), rel]);
    }
    if (type === 'symlink') record.link = fs.readlinkSync(abs);
    if (type === 'char' || type === 'block') record.rdev = st.rdev;
    out.set(rel, record);
    if (type === 'dir') for (const name of fs.readdirSync(abs).sort()) visit(path.join(abs, name), rel === '.' ? name : `${rel}/${name}`);
  };
  visit(root, '.');
  for (const group of inodes.values()) {
    for (const p of group) {
      const r = out.get(p)!;
      out.set(p, { ...r, hardLinks: group.filter((q) => q !== p).sort() });
    }
  }
  return out;
}

/** Linux's dev_t for a major/minor pair (glibc's makedev). */
export function makedev(major: number, minor: number): number {
  return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12);
}

/**
 * The extended attributes of every path under `root` (symlinks not followed), from one
 * `getfattr -R` run, as `name=0xhex` lists keyed like listTree's paths.
 */
export function treeXattrs(root: string): Map<string, string> {
  const r = spawnSync('getfattr', ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', '--', root], {
    encoding: 'latin1',
    maxBuffer: 1 << 28,
  });
  if (r.error) throw r.error;
  const out = new Map<string, string>();
  let current: string | undefined;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('# file: ')) {
      const abs = Buffer.from(line.slice(8).replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))), 'latin1').toString('utf8');
      const rel = path.relative(root, abs);
      current = rel === '' ? '.' : rel;
    } else if (line !== '' && current !== undefined) {
      out.set(current, [out.get(current), line].filter(Boolean).join(','));
    }
  }
  return out;
}
