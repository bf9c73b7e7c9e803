/**
 * A tiny tar writer for the extractor's tests: ustar headers, pax `x`/`g` headers, GNU long
 * names (`L`/`K`), raw type flags and raw header overrides, so that tests can craft exactly the
 * (hostile) archive they need. Not a general tar writer.
 */
import { Readable } from 'node:stream';

export type EntryKind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

const FLAGS: Record<EntryKind, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

export interface TarSpec {
  readonly name: string;
  readonly type?: EntryKind;
  /** A raw type flag instead of `type` (`'S'`, `'V'`, `'x'` …). */
  readonly flag?: string;
  readonly content?: string | Buffer;
  readonly linkname?: string;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  /** Seconds; base-256 encoded when it does not fit in octal. */
  readonly mtime?: number;
  readonly devmajor?: number;
  readonly devminor?: number;
  /** pax records put in an `x` header before the entry. */
  readonly pax?: Readonly<Record<string, string | Buffer>>;
  /** Shorthand for `SCHILY.xattr.<name>` pax records. */
  readonly xattrs?: Readonly<Record<string, string | Buffer>>;
  /** Put the name (and link name) in GNU `L`/`K` headers instead of the ustar fields. */
  readonly gnuLongNames?: boolean;
  /** Header layout: POSIX ustar (default, with prefix), GNU (`ustar  `), or v7 (no magic). */
  readonly format?: 'ustar' | 'gnu' | 'v7';
  /** Value of the size field when it should differ from the content's length. */
  readonly headerSize?: number;
}

export const DEFAULT_UID = process.getuid?.() ?? 0;
export const DEFAULT_GID = process.getgid?.() ?? 0;
export const DEFAULT_MTIME = 1_600_000_000;

export function buildTar(specs: readonly TarSpec[], options: { endBlocks?: number; recordSize?: number } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const spec of specs) parts.push(...entryBlocks(spec));
  parts.push(Buffer.alloc(512 * (options.endBlocks ?? 2)));
  let tar = Buffer.concat(parts);
  const record = options.recordSize ?? 0;
  if (record > 0 && tar.length % record !== 0) tar = Buffer.concat([tar, Buffer.alloc(record - (tar.length % record))]);
  return tar;
}

function entryBlocks(spec: TarSpec): Buffer[] {
  const out: Buffer[] = [];
  const pax: Record<string, string | Buffer> = { ...(spec.pax ?? {}) };
  for (const [k, v] of Object.entries(spec.xattrs ?? {})) pax[`SCHILY.xattr.${k}`] = v;
  if (Object.keys(pax).length > 0) out.push(...withBody({ name: 'PaxHeader', flag: 'x' }, paxBody(pax)));
  let name = spec.name;
  let linkname = spec.linkname ?? '';
  if (spec.gnuLongNames) {
    out.push(...withBody({ name: '././@LongLink', flag: 'L', format: 'gnu' }, Buffer.concat([Buffer.from(name), Buffer.alloc(1)])));
    name = name.slice(0, 99);
    if (linkname !== '') {
      out.push(...withBody({ name: '././@LongLink', flag: 'K', format: 'gnu' }, Buffer.concat([Buffer.from(linkname), Buffer.alloc(1)])));
      linkname = linkname.slice(0, 99);
    }
  }
  const content = typeof spec.content === 'string' ? Buffer.from(spec.content) : (spec.content ?? Buffer.alloc(0));
  out.push(...withBody({ ...spec, name, linkname }, content));
  return out;
}

/** Bodies of `x` headers: `<len> key=value\n` with the length counting itself. */
export function paxBody(records: Readonly<Record<string, string | Buffer>>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(records)) {
    const payload = Buffer.concat([Buffer.from(` ${key}=`), typeof value === 'string' ? Buffer.from(value) : value, Buffer.from('\n')]);
    let length = payload.length + 1;
    while (String(length).length + payload.length !== length) length = String(length).length + payload.length;
    parts.push(Buffer.concat([Buffer.from(String(length)), payload]));
  }
  return Buffer.concat(parts);
}

function withBody(spec: TarSpec, body: Buffer): Buffer[] {
  const header = headerBlock(spec, spec.headerSize ?? body.length);
  const padding = (512 - (body.length % 512)) % 512;
  return [header, body, Buffer.alloc(padding)];
}

export function headerBlock(spec: TarSpec, size: number): Buffer {
  const block = Buffer.alloc(512);
  const format = spec.format ?? 'ustar';
  let name = Buffer.from(spec.name);
  if (name.length > 100) {
    if (format !== 'ustar') throw new Error(`name too long for ${format}: ${spec.name}`);
    const cut = spec.name.lastIndexOf('/', spec.name.length - 2);
    const prefix = Buffer.from(spec.name.slice(0, cut));
    name = Buffer.from(spec.name.slice(cut + 1));
    if (cut <= 0 || prefix.length > 155 || name.length > 100) throw new Error(`name cannot be split: ${spec.name}`);
    prefix.copy(block, 345);
  }
  name.copy(block, 0);
  octal(block, 100, 8, spec.mode ?? (spec.type === 'dir' ? 0o755 : 0o644));
  octal(block, 108, 8, spec.uid ?? DEFAULT_UID);
  octal(block, 116, 8, spec.gid ?? DEFAULT_GID);
  octal(block, 124, 12, size);
  octal(block, 136, 12, spec.mtime ?? DEFAULT_MTIME);
  block.write(spec.flag ?? FLAGS[spec.type ?? 'file'], 156, 'latin1');
  Buffer.from(spec.linkname ?? '').copy(block, 157, 0, 100);
  if (format === 'ustar') {
    block.write('ustar\0', 257, 'latin1');
    block.write('00', 263, 'latin1');
  } else if (format === 'gnu') {
    block.write('ustar ', 257, 'latin1');
    block.write(' \0', 263, 'latin1');
  }
  if (format !== 'v7') {
    octal(block, 329, 8, spec.devmajor ?? 0);
    octal(block, 337, 8, spec.devminor ?? 0);
  }
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

/** Octal, or GNU base-256 when the value does not fit (negative or too large). */
function octal(block: Buffer, at: number, length: number, value: number): void {
  const text = value >= 0 ? value.toString(8) : '';
  if (value >= 0 && text.length <= length - 1) {
    block.write(`${text.padStart(length - 1, '0')}\0`, at, 'latin1');
    return;
  }
  let v = BigInt(value);
  if (v < 0n) v += 1n << BigInt(8 * length);
  for (let i = length - 1; i >= 0; i--) {
    block[at + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  block[at] = value < 0 ? 0xff : 0x80;
}

/** A tar archive as a readable stream, cut in chunks of `chunk` bytes (to cross boundaries). */
export function chunked(data: Buffer, chunk = 700): NodeJS.ReadableStream {
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunk) pieces.push(data.subarray(i, i + chunk));
  return Readable.from(pieces);
}
