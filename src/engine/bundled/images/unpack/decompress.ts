import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { LayerError } from './layer-error';
import { zstdDecompressed } from './zstd-decompress';

export type Compression = 'gzip' | 'zstd' | 'none';

/** How many leading bytes `detectCompression` needs. */
const MAGIC_BYTES = 6;

/**
 * The compression of a layer, from its first bytes (media types lie; magic numbers don't):
 * gzip `1f 8b`, zstd `28 b5 2f fd` (or a skippable frame `5? 2a 4d 18`), anything else is
 * taken for a plain tar (whose header checksum then decides). bzip2 and xz are recognized
 * only to be refused clearly: OCI layers are gzip, zstd or plain.
 */
export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head.length >= 4 && (head[0]! & 0xf0) === 0x50 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18) return 'zstd';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) {
    throw new LayerError('unsupported layer compression: xz (only gzip, zstd and uncompressed tar are supported)');
  }
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') {
    throw new LayerError('unsupported layer compression: bzip2 (only gzip, zstd and uncompressed tar are supported)');
  }
  return 'none';
}

/**
 * The uncompressed bytes of `input`, decompressed as its first bytes say. Streams all the way
 * (nothing is buffered beyond a few chunks); an error of `input` (a digest mismatch, a reset
 * connection) comes out of the returned stream as an error, never as an early end.
 */
export async function decompressed(input: Readable): Promise<{ stream: Readable; compression: Compression }> {
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let headLength = 0;
  let done = false;
  while (headLength < MAGIC_BYTES) {
    const next = await chunks.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = toBuffer(next.value);
    head.push(chunk);
    headLength += chunk.length;
  }
  const compression = detectCompression(Buffer.concat(head));
  async function* all(): AsyncGenerator<Buffer> {
    yield* head;
    head.length = 0;
    if (done) return;
    for (;;) {
      const next = await chunks.next();
      if (next.done) return;
      yield toBuffer(next.value);
    }
  }
  const raw = Readable.from(all(), { objectMode: false, highWaterMark: 1 << 16 });
  if (compression === 'none') return { stream: raw, compression };
  if (compression === 'zstd') return { stream: zstdDecompressed(raw), compression };
  // A 1 MiB read-ahead lets zlib (in the thread pool) inflate while the tar is being written.
  const decoder = createGunzip({ chunkSize: 1 << 17, ...readAhead });
  pipeline(raw, decoder, (err) => {
    if (err && !decoder.destroyed) decoder.destroy(err);
  });
  return { stream: decoder, compression };
}

/** Stream options that zlib passes on to its Transform (its typings omit them). */
const readAhead = { readableHighWaterMark: 1 << 20 } as object;

function toBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return Buffer.from(value, 'latin1');
  throw new LayerError('the layer stream produced something other than bytes');
}
