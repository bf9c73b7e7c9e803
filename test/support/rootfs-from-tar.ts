/**
 * Reads an uncompressed tar (ustar, PAX and GNU long names — what `docker export` and
 * `docker save` write) into a Rootfs: each entry's type, mode, owner, mtime, symlink target,
 * device numbers, security.capability and the sha256 of its contents; hard-link entries take
 * the attributes of their target and share its link group. Written for tests from the tar
 * format itself, independent of the project's own tar reader, so that a bug there cannot hide
 * in the reference.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { assignLinkGroups, type EntryKind, type Rootfs, type RootfsEntry } from './rootfs-entry';

const BLOCK = 512;
const CHUNK = 1 << 20;

function text(buf: Buffer, start: number, length: number): string {
  const field = buf.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}

/** An octal field, or GNU base-256 when its first byte has the high bit set. */
function numeric(buf: Buffer, start: number, length: number, where: string): number {
  const field = buf.subarray(start, start + length);
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let n = BigInt((field[0] ?? 0) & 0x7f);
    for (const b of field.subarray(1)) n = (n << 8n) | BigInt(b);
    return Number(n);
  }
  const s = text(buf, start, length).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new Error(`${where}: bad numeric field "${s}"`);
  return parseInt(s, 8);
}

/** PAX records "<len> <key>=<value>\n"; values kept as bytes (xattrs are binary). */
function paxRecords(data: Buffer, where: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const len = Number(data.subarray(pos, space).toString('ascii'));
    if (space === -1 || !Number.isInteger(len) || len <= 0) throw new Error(`${where}: bad PAX record at byte ${pos}`);
    const record = data.subarray(space + 1, pos + len - 1);
    const eq = record.indexOf(0x3d);
    out.set(record.subarray(0, eq).toString('utf8'), record.subarray(eq + 1));
    pos += len;
  }
  return out;
}

function normalize(name: string): string {
  return name.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
}

const kinds: Readonly<Record<string, EntryKind>> = { '0': 'file', '\0': 'file', '7': 'file', '2': 'symlink', '3': 'char', '4': 'block', '5': 'dir', '6': 'fifo' };

export interface RootfsFromTarOptions {
  /** Hash regular files' contents (default true); without, `sha256` is left out. */
  readonly contents?: boolean;
}

export async function rootfsFromTar(file: string, options: RootfsFromTarOptions = {}): Promise<Rootfs> {
  const hashContents = options.contents ?? true;
  const fh = await fs.open(file, 'r');
  const rootfs: Rootfs = new Map();
  const links: [string, string][] = [];
  const header = Buffer.alloc(BLOCK);
  const chunk = Buffer.alloc(CHUNK);
  let offset = 0;
  let pax = new Map<string, Buffer>();
  let globalPax = new Map<string, Buffer>();
  let longName: string | undefined;
  let longLink: string | undefined;

  const readExactly = async (buf: Buffer, length: number, at: number): Promise<void> => {
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(buf, got, length - got, at + got);
      if (bytesRead === 0) throw new Error(`${file}: truncated at byte ${at + got}`);
      got += bytesRead;
    }
  };
  const readData = async (size: number): Promise<Buffer> => {
    const buf = Buffer.alloc(size);
    await readExactly(buf, size, offset);
    return buf;
  };

  try {
    for (;;) {
      const { bytesRead } = await fh.read(header, 0, BLOCK, offset);
      if (bytesRead < BLOCK || header.every((b) => b === 0)) break;
      const where = `${file} at byte ${offset}`;
      const type = String.fromCharCode(header[156] ?? 0);
      const magic = header.subarray(257, 263).toString('latin1');
      let size = numeric(header, 124, 12, where);
      offset += BLOCK;
      if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
        const data = await readData(size);
        offset += Math.ceil(size / BLOCK) * BLOCK;
        if (type === 'x') pax = paxRecords(data, where);
        else if (type === 'g') globalPax = new Map([...globalPax, ...paxRecords(data, where)]);
        else if (type === 'L') longName = text(data, 0, data.length);
        else longLink = text(data, 0, data.length);
        continue;
      }
      const attrs = new Map([...globalPax, ...pax]);
      const pstr = (key: string): string | undefined => attrs.get(key)?.toString('utf8');
      const prefix = magic === 'ustar\0' ? text(header, 345, 155) : '';
      const rawName = pstr('path') ?? longName ?? (prefix !== '' ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
      const linkname = pstr('linkpath') ?? longLink ?? text(header, 157, 100);
      if (pstr('size') !== undefined) size = Number(pstr('size'));
      pax = new Map();
      longName = undefined;
      longLink = undefined;

      const name = normalize(rawName);
      const mtimeText = pstr('mtime');
      const capability = attrs.get('SCHILY.xattr.security.capability');
      const base = {
        mode: numeric(header, 100, 8, where) & 0o7777,
        uid: pstr('uid') !== undefined ? Number(pstr('uid')) : numeric(header, 108, 8, where),
        gid: pstr('gid') !== undefined ? Number(pstr('gid')) : numeric(header, 116, 8, where),
        mtime: mtimeText !== undefined ? Math.floor(Number(mtimeText)) : numeric(header, 136, 12, where),
        ...(capability !== undefined ? { capability: capability.toString('hex') } : {}),
      };

      if (type === '1') {
        links.push([name, normalize(linkname)]);
        offset += Math.ceil(size / BLOCK) * BLOCK;
        continue;
      }
      const kind = kinds[type];
      if (kind === undefined) throw new Error(`${where}: unsupported tar entry type "${type}" for ${name}`);
      let entry: RootfsEntry;
      if (kind === 'file' && !hashContents) {
        entry = { kind, ...base, size };
      } else if (kind === 'file') {
        const hash = createHash('sha256');
        for (let done = 0; done < size; ) {
          const n = Math.min(CHUNK, size - done);
          await readExactly(chunk, n, offset + done);
          hash.update(chunk.subarray(0, n));
          done += n;
        }
        entry = { kind, ...base, size, sha256: hash.digest('hex') };
      } else if (kind === 'symlink') {
        entry = { kind, ...base, target: linkname };
      } else if (kind === 'char' || kind === 'block') {
        entry = { kind, ...base, device: `${numeric(header, 329, 8, where)},${numeric(header, 337, 8, where)}` };
      } else {
        entry = { kind, ...base };
      }
      offset += Math.ceil(size / BLOCK) * BLOCK;
      if (name !== '' && name !== '.') rootfs.set(name, entry);
    }
  } finally {
    await fh.close();
  }

  // hard links: the same inode as their target
  const groups = new Map<string, string[]>();
  const rootOf = new Map<string, string>();
  for (const [name, target] of links) {
    const targetEntry = rootfs.get(target);
    if (targetEntry === undefined) throw new Error(`${file}: hard link ${name} points to ${target}, which is not in the archive before it`);
    const root = rootOf.get(target) ?? target;
    rootOf.set(name, root);
    groups.set(root, [...(groups.get(root) ?? [root]), name]);
    rootfs.set(name, targetEntry);
  }
  assignLinkGroups(rootfs, groups.values());
  return rootfs;
}
