import { LayerError } from './layer-error';

/** One 512-byte tar header block, decoded (ustar, GNU and v7 layouts). */
export interface TarHeader {
  /** `name`, with the ustar `prefix` joined in front when the format has one. Raw bytes. */
  readonly name: Buffer;
  readonly linkname: Buffer;
  readonly typeflag: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtime: number;
  /** GNU headers carry an access time; 0 when absent. */
  readonly atime: number;
  readonly devmajor: number;
  readonly devminor: number;
}

export const BLOCK = 512;

/** True for an all-zero block (the end-of-archive marker). */
export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/**
 * Decodes a header block; throws LayerError on a bad checksum or a malformed number.
 * `offset` (the block's position in the tar) is only used in error messages.
 */
export function parseTarHeader(block: Buffer, offset: number): TarHeader {
  const where = `tar header at byte ${offset}`;
  const stored = parseNumber(block, 148, 8, where, 'checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  if (stored !== unsigned && stored !== signed) {
    throw new LayerError(`invalid ${where}: checksum mismatch (not a tar, or corrupted)`);
  }

  const magic = block.toString('latin1', 257, 263);
  const version = block.toString('latin1', 263, 265);
  const posix = magic === 'ustar\0' && version === '00';
  const gnu = magic === 'ustar ' && version === ' \0';
  // star puts "tar\0" at 508 and keeps atime/ctime after a shorter prefix.
  const star = posix && block.toString('latin1', 508, 512) === 'tar\0';

  let name = cString(block, 0, 100);
  if (posix) {
    const prefix = cString(block, 345, star ? 131 : 155);
    if (prefix.length > 0) name = Buffer.concat([prefix, Buffer.from('/'), name]);
  }
  const hasDevices = posix || gnu;
  return {
    name,
    linkname: cString(block, 157, 100),
    typeflag: String.fromCharCode(block[156]!),
    mode: parseNumber(block, 100, 8, where, 'mode') & 0o7777,
    uid: parseNumber(block, 108, 8, where, 'uid'),
    gid: parseNumber(block, 116, 8, where, 'gid'),
    size: parseNumber(block, 124, 12, where, 'size'),
    mtime: parseNumber(block, 136, 12, where, 'mtime'),
    atime: gnu ? parseNumber(block, 345, 12, where, 'atime') : 0,
    devmajor: hasDevices ? parseNumber(block, 329, 8, where, 'devmajor') : 0,
    devminor: hasDevices ? parseNumber(block, 337, 8, where, 'devminor') : 0,
  };
}

/** The bytes of a NUL-terminated field (the whole field when it has no NUL). */
export function cString(buf: Buffer, start: number, length: number): Buffer {
  const end = start + length;
  const nul = buf.indexOf(0, start);
  return buf.subarray(start, nul === -1 || nul > end ? end : nul);
}

/**
 * A numeric field: octal ASCII (leading spaces or NULs allowed, ended by a space or NUL), or
 * GNU base-256 when the first byte has its high bit set (0xff starts a negative number).
 */
export function parseNumber(buf: Buffer, start: number, length: number, where: string, field: string): number {
  const first = buf[start]!;
  if (first & 0x80) {
    let value = BigInt(first & 0x7f);
    for (let i = start + 1; i < start + length; i++) value = (value << 8n) | BigInt(buf[i]!);
    // 0xff starts a negative number: two's complement over the field's other bits.
    if (first === 0xff) value -= 1n << BigInt(8 * length - 1);
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new LayerError(`invalid ${where}: ${field} out of range`);
    }
    return Number(value);
  }
  let i = start;
  const end = start + length;
  while (i < end && (buf[i] === 0x20 || buf[i] === 0)) i++;
  let value = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c === 0x20 || c === 0) break;
    if (c < 0x30 || c > 0x37) throw new LayerError(`invalid ${where}: ${field} is not an octal number`);
    value = value * 8 + (c - 0x30);
    digits++;
  }
  for (; i < end; i++) {
    if (buf[i] !== 0x20 && buf[i] !== 0) throw new LayerError(`invalid ${where}: ${field} is not an octal number`);
  }
  return digits === 0 ? 0 : value;
}
