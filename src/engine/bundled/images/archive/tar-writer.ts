/**
 * A small tar writer for `image save`: POSIX ustar headers for regular files and directories,
 * with a pax extended header when a name or a size does not fit ustar (GNU tar, Go's
 * archive/tar and our reader all read those). Owner root, fixed times: the output of a save is
 * reproducible. The content is the caller's: header, then `size` bytes, then `tarPadding(size)`.
 */

export const TAR_BLOCK = 512;

/** The end-of-archive marker: two zero blocks. */
export const TAR_END: Buffer = Buffer.alloc(2 * TAR_BLOCK);

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

const MAX_OCTAL_SIZE = 0o77777777777; // 11 octal digits: 8 GiB - 1

/** The header block(s) of one entry: a pax header first when needed, then the ustar header. */
export function tarHeader(spec: TarHeaderSpec): Buffer {
  const name = spec.type === 'dir' && !spec.name.endsWith('/') ? `${spec.name}/` : spec.name;
  const size = spec.type === 'file' ? (spec.size ?? 0) : 0;
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`tar entry ${name}: invalid size ${size}`);
  const pax: Array<[string, string]> = [];
  const fields = splitName(name);
  if (fields === undefined) pax.push(['path', name]);
  if (size > MAX_OCTAL_SIZE) pax.push(['size', String(size)]);
  const header = ustar({
    name: fields?.name ?? asciiFallback(name),
    prefix: fields?.prefix ?? '',
    type: spec.type === 'dir' ? '5' : '0',
    size: size > MAX_OCTAL_SIZE ? 0 : size,
    mode: spec.mode ?? (spec.type === 'dir' ? 0o755 : 0o644),
    mtime: spec.mtime ?? 0,
  });
  if (pax.length === 0) return header;
  const body = paxBody(pax);
  const paxHeader = ustar({ name: asciiFallback(`PaxHeaders/${name}`), prefix: '', type: 'x', size: body.length, mode: 0o644, mtime: spec.mtime ?? 0 });
  return Buffer.concat([paxHeader, body, tarPadding(body.length), header]);
}

/** Zero bytes that complete a content of `size` bytes to whole blocks. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((TAR_BLOCK - (size % TAR_BLOCK)) % TAR_BLOCK);
}

/** A whole entry for content already in memory (small metadata files). */
export function tarFile(name: string, content: Buffer, mode?: number): Buffer {
  return Buffer.concat([tarHeader({ name, type: 'file', size: content.length, ...(mode !== undefined ? { mode } : {}) }), content, tarPadding(content.length)]);
}

interface UstarFields {
  readonly name: string;
  readonly prefix: string;
  readonly type: string;
  readonly size: number;
  readonly mode: number;
  readonly mtime: number;
}

function ustar(f: UstarFields): Buffer {
  const block = Buffer.alloc(TAR_BLOCK);
  block.write(f.name, 0, 100, 'utf8');
  octal(block, 100, 8, f.mode);
  octal(block, 108, 8, 0); // uid
  octal(block, 116, 8, 0); // gid
  octal(block, 124, 12, f.size);
  octal(block, 136, 12, f.mtime);
  block.fill(0x20, 148, 156); // checksum counted as spaces
  block.write(f.type, 156, 1, 'latin1');
  block.write('ustar\0', 257, 6, 'latin1');
  block.write('00', 263, 2, 'latin1');
  octal(block, 329, 8, 0); // devmajor
  octal(block, 337, 8, 0); // devminor
  block.write(f.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of block) sum += b;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return block;
}

/** `length` bytes at `at`: zero-padded octal digits and a NUL. */
function octal(block: Buffer, at: number, length: number, value: number): void {
  block.write(`${Math.floor(value).toString(8).padStart(length - 1, '0')}\0`, at, length, 'latin1');
}

/** The name as ustar's name (≤ 100 bytes) and prefix (≤ 155 bytes) fields, or undefined when it does not fit. */
function splitName(name: string): { name: string; prefix: string } | undefined {
  if (!/^[\x20-\x7e]*$/.test(name)) return undefined; // non-ASCII names go in a pax header (UTF-8 by definition)
  if (name.length <= 100) return { name, prefix: '' };
  for (let slash = name.indexOf('/'); slash !== -1; slash = name.indexOf('/', slash + 1)) {
    if (slash <= 155 && name.length - slash - 1 <= 100 && slash < name.length - 1) return { prefix: name.slice(0, slash), name: name.slice(slash + 1) };
  }
  return undefined;
}

/** What the ustar field holds when the real name is in a pax header: a truncated ASCII form. */
function asciiFallback(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, '_').slice(0, 99);
}

/** pax records `<length> <key>=<value>\n`, the length counting itself. */
function paxBody(records: ReadonlyArray<[string, string]>): Buffer {
  const lines = records.map(([key, value]) => {
    const rest = ` ${key}=${value}\n`;
    const restBytes = Buffer.byteLength(rest);
    let length = restBytes + 1;
    while (String(length).length + restBytes !== length) length = String(length).length + restBytes;
    return `${length}${rest}`;
  });
  return Buffer.from(lines.join(''), 'utf8');
}
