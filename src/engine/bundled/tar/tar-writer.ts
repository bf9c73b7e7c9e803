/**
 * The one tar writer: headers as Go's archive/tar writes them in PAX format (what Docker's
 * `docker cp` and `docker save` produce) — a ustar header, preceded by a pax extended header
 * (`x`) for whatever ustar cannot hold: a name or link target that is not ASCII or too long, an
 * id, size or time out of the octal fields' range. Names are bytes (a file name need not be
 * UTF-8). Directories end in `/`. User and group names are left empty (Docker does not look
 * them up either). GNU tar, Go's archive/tar and our reader (images/unpack/tar-reader.ts) read
 * the output. The content is the caller's: header, then `size` bytes, then `tarPadding(size)`;
 * `TAR_END` closes the archive.
 */

export const TAR_BLOCK = 512;

/** The end of an archive: two zero blocks (what Go's tar.Writer.Close writes). */
export const TAR_END: Buffer = Buffer.alloc(2 * TAR_BLOCK);

export type TarHeaderType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface TarEntryHeader {
  readonly name: Buffer;
  readonly type: TarHeaderType;
  /** Permission bits with setuid, setgid and sticky. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Content length (regular files only). */
  readonly size: number;
  /** Whole seconds since the epoch. */
  readonly mtime: number;
  /** Symlink target, or the archived name a hard link points to. */
  readonly linkname?: Buffer;
  readonly devmajor?: number;
  readonly devminor?: number;
}

const FLAG: Readonly<Record<TarHeaderType, string>> = { file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' };
const MAX_ID = 0o7777777;
const MAX_SIZE = 0o77777777777;
const SLASH = 0x2f;

/** The header block(s) of one entry. */
export function tarEntryHeader(h: TarEntryHeader): Buffer {
  const name = h.type === 'dir' && h.name[h.name.length - 1] !== SLASH ? Buffer.concat([h.name, Buffer.from('/')]) : h.name;
  const linkname = h.linkname ?? Buffer.alloc(0);
  const size = h.type === 'file' ? h.size : 0;
  const pax: Array<[string, Buffer]> = [];
  const split = splitName(name);
  if (split === undefined) pax.push(['path', name]);
  if (!fitsField(linkname, 100)) pax.push(['linkpath', linkname]);
  if (size > MAX_SIZE) pax.push(['size', Buffer.from(String(size))]);
  if (h.uid > MAX_ID || h.uid < 0) pax.push(['uid', Buffer.from(String(h.uid))]);
  if (h.gid > MAX_ID || h.gid < 0) pax.push(['gid', Buffer.from(String(h.gid))]);
  const mtime = Math.floor(h.mtime);
  if (mtime < 0 || mtime > MAX_SIZE) pax.push(['mtime', Buffer.from(String(mtime))]);

  const header = ustar({
    name: split?.name ?? fallback(name, 100),
    prefix: split?.prefix ?? Buffer.alloc(0),
    flag: FLAG[h.type],
    mode: h.mode & 0o7777,
    uid: h.uid > MAX_ID || h.uid < 0 ? 0 : h.uid,
    gid: h.gid > MAX_ID || h.gid < 0 ? 0 : h.gid,
    size: size > MAX_SIZE ? 0 : size,
    mtime: mtime < 0 || mtime > MAX_SIZE ? 0 : mtime,
    linkname: fitsField(linkname, 100) ? linkname : fallback(linkname, 100),
    devmajor: h.devmajor ?? 0,
    devminor: h.devminor ?? 0,
  });
  if (pax.length === 0) return header;
  const body = paxBody(pax);
  const paxName = Buffer.concat([Buffer.from('PaxHeaders.0/'), fallback(baseName(name), 87)]);
  const paxHeader = ustar({ name: paxName, prefix: Buffer.alloc(0), flag: 'x', mode: 0o644, uid: 0, gid: 0, size: body.length, mtime: 0, linkname: Buffer.alloc(0), devmajor: 0, devminor: 0 });
  return Buffer.concat([paxHeader, body, tarPadding(body.length), header]);
}

/** Zero bytes that complete `size` bytes of content to whole blocks. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((TAR_BLOCK - (size % TAR_BLOCK)) % TAR_BLOCK);
}

/** A file or directory entry named by a string (UTF-8), owned by root: what `image save` and the fake engine write. */
export interface TarHeaderSpec {
  /** Path in the archive; directories may end in `/` (added when missing). */
  readonly name: string;
  readonly type: 'file' | 'dir';
  /** Content length of a file. */
  readonly size?: number;
  /** Default 0644 for files, 0755 for directories. */
  readonly mode?: number;
  /** Seconds since the epoch; default 0. */
  readonly mtime?: number;
}

/** The header block(s) of a file or directory owned by root; throws a RangeError on a size that is not a whole number ≥ 0. */
export function tarHeader(spec: TarHeaderSpec): Buffer {
  const size = spec.type === 'file' ? (spec.size ?? 0) : 0;
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`tar entry ${spec.name}: invalid size ${size}`);
  return tarEntryHeader({
    name: Buffer.from(spec.name, 'utf8'),
    type: spec.type,
    mode: spec.mode ?? (spec.type === 'dir' ? 0o755 : 0o644),
    uid: 0,
    gid: 0,
    size,
    mtime: spec.mtime ?? 0,
  });
}

/** A whole entry for content already in memory (small metadata files). */
export function tarFile(name: string, content: Buffer, mode?: number): Buffer {
  return Buffer.concat([tarHeader({ name, type: 'file', size: content.length, ...(mode !== undefined ? { mode } : {}) }), content, tarPadding(content.length)]);
}

interface UstarFields {
  readonly name: Buffer;
  readonly prefix: Buffer;
  readonly flag: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtime: number;
  readonly linkname: Buffer;
  readonly devmajor: number;
  readonly devminor: number;
}

function ustar(f: UstarFields): Buffer {
  const block = Buffer.alloc(TAR_BLOCK);
  f.name.copy(block, 0, 0, 100);
  octal(block, 100, 8, f.mode);
  octal(block, 108, 8, f.uid);
  octal(block, 116, 8, f.gid);
  octal(block, 124, 12, f.size);
  octal(block, 136, 12, f.mtime);
  block.fill(0x20, 148, 156);
  block.write(f.flag, 156, 1, 'latin1');
  f.linkname.copy(block, 157, 0, 100);
  block.write('ustar\0', 257, 6, 'latin1');
  block.write('00', 263, 2, 'latin1');
  octal(block, 329, 8, f.devmajor);
  octal(block, 337, 8, f.devminor);
  f.prefix.copy(block, 345, 0, 155);
  let sum = 0;
  for (const b of block) sum += b;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return block;
}

function octal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'latin1');
}

function isAscii(b: Buffer): boolean {
  for (const c of b) if (c === 0 || c > 0x7e) return false;
  return true;
}

function fitsField(b: Buffer, length: number): boolean {
  return b.length <= length && isAscii(b);
}

/** ustar's name (≤ 100 bytes) and prefix (≤ 155 bytes), split at a slash; undefined when the name needs pax. */
function splitName(name: Buffer): { name: Buffer; prefix: Buffer } | undefined {
  if (!isAscii(name)) return undefined;
  if (name.length <= 100) return { name, prefix: Buffer.alloc(0) };
  // the last part must fit in 100 bytes: split at the first slash that allows it
  for (let slash = name.indexOf(SLASH, 1); slash !== -1; slash = name.indexOf(SLASH, slash + 1)) {
    if (slash > 155) break;
    const rest = name.length - slash - 1;
    if (rest > 0 && rest <= 100) return { prefix: name.subarray(0, slash), name: name.subarray(slash + 1) };
  }
  return undefined;
}

/** What the ustar field holds when the real value is in the pax header: printable ASCII, truncated. */
function fallback(b: Buffer, length: number): Buffer {
  const out = Buffer.from(b.subarray(0, length));
  for (let i = 0; i < out.length; i++) if (out[i]! < 0x20 || out[i]! > 0x7e) out[i] = 0x5f;
  return out;
}

function baseName(name: Buffer): Buffer {
  let end = name.length;
  while (end > 0 && name[end - 1] === SLASH) end--;
  const slash = name.lastIndexOf(SLASH, end - 1);
  return name.subarray(slash + 1, end);
}

/** pax records `<length> <key>=<value>\n`, the length counting itself. */
function paxBody(records: ReadonlyArray<[string, Buffer]>): Buffer {
  return Buffer.concat(
    records.map(([key, value]) => {
      const rest = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
      let length = rest.length + 1;
      while (String(length).length + rest.length !== length) length = String(length).length + rest.length;
      return Buffer.concat([Buffer.from(String(length)), rest]);
    }),
  );
}
