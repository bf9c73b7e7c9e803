/**
 * Newline-terminated lines of an open file, read in chunks from a byte offset forwards or from
 * an end offset backwards (how `tail` avoids reading a whole log). Only complete lines come
 * out: the bytes after the last newline are a record still being written.
 */
import type { FileHandle } from 'node:fs/promises';

const CHUNK = 64 * 1024;

export interface ForwardRead {
  readonly lines: string[];
  /** The offset after the last complete line read: where to go on from. */
  readonly next: number;
}

/** The complete lines from `start` on, until EOF or once ~`maxBytes` were read. */
export async function readLinesForward(fh: FileHandle, start: number, maxBytes = 256 * 1024): Promise<ForwardRead> {
  const lines: string[] = [];
  let offset = start;
  let carry = Buffer.alloc(0);
  while (offset - start < maxBytes) {
    const buf = Buffer.alloc(CHUNK);
    const { bytesRead } = await fh.read(buf, 0, CHUNK, offset);
    if (bytesRead === 0) break;
    offset += bytesRead;
    const data = carry.length > 0 ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
    let from = 0;
    for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, from)) {
      lines.push(data.toString('utf8', from, nl));
      from = nl + 1;
    }
    carry = Buffer.from(data.subarray(from));
  }
  return { lines, next: offset - carry.length };
}

/** The complete lines before `end`, last first. */
export async function* readLinesBackward(fh: FileHandle, end: number): AsyncGenerator<string, void, undefined> {
  let pos = end;
  let carry = Buffer.alloc(0);
  let started = false; // once the (incomplete) text after the last newline is passed
  while (pos > 0) {
    const size = Math.min(CHUNK, pos);
    pos -= size;
    const buf = Buffer.alloc(size);
    const { bytesRead } = await fh.read(buf, 0, size, pos);
    const data = carry.length > 0 ? Buffer.concat([buf.subarray(0, bytesRead), carry]) : buf.subarray(0, bytesRead);
    let last = data.length;
    let nl = last > 0 ? data.lastIndexOf(0x0a, last - 1) : -1;
    while (nl >= 0) {
      if (started) yield data.toString('utf8', nl + 1, last);
      started = true;
      last = nl;
      nl = last > 0 ? data.lastIndexOf(0x0a, last - 1) : -1;
    }
    carry = Buffer.from(data.subarray(0, last));
  }
  if (started && carry.length > 0) yield carry.toString('utf8');
}

/** The offset just after the last newline before `end` (0 when there is none). */
export async function lastLineEnd(fh: FileHandle, end: number): Promise<number> {
  let pos = end;
  while (pos > 0) {
    const size = Math.min(CHUNK, pos);
    pos -= size;
    const buf = Buffer.alloc(size);
    const { bytesRead } = await fh.read(buf, 0, size, pos);
    const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (nl >= 0) return pos + nl + 1;
  }
  return 0;
}
