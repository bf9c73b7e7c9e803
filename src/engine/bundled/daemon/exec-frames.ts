/**
 * The frames of an upgraded exec connection: `[type u8][length u32 big-endian][payload]`.
 * The decoder takes bytes as they arrive (frames may span chunks or share one).
 */

export const FrameType = {
  stdin: 1,
  stdout: 2,
  stderr: 3,
  /** Last frame from the server: `{"exitCode": n}` (or `{}` when detached). */
  exit: 4,
  /** Last frame from the server: a WireError. */
  error: 5,
  /** First frame from the client: the ExecRequest. */
  options: 6,
} as const;

export type FrameTypeCode = (typeof FrameType)[keyof typeof FrameType];

export interface Frame {
  readonly type: number;
  readonly payload: Buffer;
}

export const FRAME_HEADER = 5;
/** Larger frames are refused (a peer speaking something else). */
export const MAX_FRAME = 16 << 20;
/** Writers split payloads into frames of at most this size. */
export const WRITE_CHUNK = 256 << 10;

export function encodeFrame(type: FrameTypeCode, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const header = Buffer.allocUnsafe(FRAME_HEADER);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(body.length, 1);
  return Buffer.concat([header, body]);
}

export class FrameDecoder {
  private buffered: Buffer[] = [];
  private size = 0;

  /** The whole frames the bytes so far complete; throws on a frame over MAX_FRAME. */
  push(chunk: Buffer): Frame[] {
    if (chunk.length > 0) {
      this.buffered.push(chunk);
      this.size += chunk.length;
    }
    const frames: Frame[] = [];
    for (;;) {
      if (this.size < FRAME_HEADER) break;
      const head = this.peek(FRAME_HEADER);
      const length = head.readUInt32BE(1);
      if (length > MAX_FRAME) throw new Error(`exec stream: frame of ${length} bytes is larger than ${MAX_FRAME}`);
      if (this.size < FRAME_HEADER + length) break;
      const all = this.take(FRAME_HEADER + length);
      frames.push({ type: all.readUInt8(0), payload: all.subarray(FRAME_HEADER) });
    }
    return frames;
  }

  /** Bytes received but not yet part of a whole frame. */
  get pending(): number {
    return this.size;
  }

  private peek(n: number): Buffer {
    const first = this.buffered[0] as Buffer;
    if (first.length >= n) return first.subarray(0, n);
    const joined = Buffer.concat(this.buffered);
    this.buffered = [joined];
    return joined.subarray(0, n);
  }

  private take(n: number): Buffer {
    const first = this.buffered[0] as Buffer;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.buffered.shift();
      else this.buffered[0] = first.subarray(n);
    } else {
      const joined = Buffer.concat(this.buffered);
      out = joined.subarray(0, n);
      this.buffered = joined.length > n ? [joined.subarray(n)] : [];
    }
    this.size -= n;
    return out;
  }
}
