/**
 * Reads a directory tree (e.g. an overlay mount of an image's layers) into a Rootfs, with
 * lstat (nothing followed), the sha256 of every regular file, security.capability (through
 * getfattr, one call for the tree) and hard-link groups by inode, as `docker export` finds
 * them: non-directories with more than one link that share a device and inode.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { assignLinkGroups, deviceNumbers, type EntryKind, type Rootfs, type RootfsEntry } from './rootfs-entry';
import { runCommand } from './run-command';

function kindOf(st: import('node:fs').BigIntStats): EntryKind {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return 'socket';
}

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => hash.update(c))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

/** security.capability of every file under `dir` that has one, by absolute path. */
async function capabilities(dir: string): Promise<Map<string, string>> {
  const r = await runCommand('getfattr', ['-R', '-P', '-h', '-d', '--absolute-names', '-m', '^security\\.capability$', '-e', 'hex', dir]);
  if (r.code !== 0) throw new Error(`getfattr on ${dir} failed: ${r.stderr.trim()}`);
  const out = new Map<string, string>();
  let current: string | undefined;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('# file: ')) current = line.slice(8).replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    else if (line.startsWith('security.capability=0x') && current !== undefined) out.set(current, line.slice('security.capability=0x'.length));
  }
  return out;
}

/** Relative paths of everything under `dir`, never following a symlink (readdir's own recursion does). */
async function walk(root: string, rel: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(path.join(root, rel), { withFileTypes: true })) {
    const child = rel === '' ? e.name : `${rel}/${e.name}`;
    out.push(child);
    if (e.isDirectory()) out.push(...(await walk(root, child)));
  }
  return out;
}

export async function rootfsFromDir(dir: string, concurrency = 16): Promise<Rootfs> {
  const root = path.resolve(dir);
  const names = (await walk(root, '')).sort();
  const caps = await capabilities(root);
  const entries = new Array<[string, RootfsEntry, string | undefined]>(names.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < names.length; i = next++) {
      const rel = names[i] as string;
      const abs = path.join(root, rel);
      const st = await fs.lstat(abs, { bigint: true });
      const kind = kindOf(st);
      const cap = caps.get(abs);
      const base = {
        kind,
        mode: Number(st.mode & 0o7777n),
        uid: Number(st.uid),
        gid: Number(st.gid),
        mtime: Number(st.mtimeNs / 1_000_000_000n),
        ...(cap !== undefined ? { capability: cap } : {}),
      };
      let entry: RootfsEntry;
      if (kind === 'file') entry = { ...base, size: Number(st.size), sha256: await sha256File(abs) };
      else if (kind === 'symlink') entry = { ...base, target: await fs.readlink(abs) };
      else if (kind === 'char' || kind === 'block') entry = { ...base, device: deviceNumbers(st.rdev) };
      else entry = base;
      const inode = kind !== 'dir' && st.nlink > 1n ? `${st.dev}:${st.ino}` : undefined;
      entries[i] = [rel, entry, inode];
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));

  const rootfs: Rootfs = new Map();
  const groups = new Map<string, string[]>();
  for (const [rel, entry, inode] of entries) {
    rootfs.set(rel, entry);
    if (inode !== undefined) groups.set(inode, [...(groups.get(inode) ?? []), rel]);
  }
  assignLinkGroups(rootfs, groups.values());
  return rootfs;
}
