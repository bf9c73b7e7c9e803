/**
 * A stored layer blob (gzip, zstd or plain tar) back as the uncompressed tar its diff ID is the
 * digest of, for `image save`; and the diff ID of a blob, for checking one before it is kept.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { EngineError } from '../../../errors';
import { DigestMismatchError } from '../store/content-store';
import { decompressed } from '../unpack/decompress';

export interface LayerIdentity {
  /** `sha256:` of the uncompressed tar. */
  readonly diffId: string;
  /** Bytes of the uncompressed tar. */
  readonly size: number;
}

/**
 * The uncompressed bytes of `blob`, checked as they pass: more bytes than `expected.size`
 * throw before they are yielded, and at the end the count and the sha256 must be
 * `expected`'s, else the generator throws (a DigestMismatchError naming `what`).
 */
export async function* layerTar(blob: NodeJS.ReadableStream, expected: LayerIdentity, what: string): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of uncompressed(blob)) {
    size += chunk.length;
    if (size > expected.size) throw new DigestMismatchError(`${expected.size} bytes`, 'longer', `the uncompressed ${what}`, 'size');
    hash.update(chunk);
    yield chunk;
  }
  if (size !== expected.size) throw new DigestMismatchError(`${expected.size} bytes`, `${size} bytes`, `the uncompressed ${what}`, 'size');
  const actual = `sha256:${hash.digest('hex')}`;
  if (actual !== expected.diffId) throw new DigestMismatchError(expected.diffId, actual, `the uncompressed ${what} (its diff ID)`);
}

/** The diff ID and uncompressed size of a layer blob, read to its end. */
export async function measureLayer(blob: NodeJS.ReadableStream): Promise<LayerIdentity> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of uncompressed(blob)) {
    size += chunk.length;
    hash.update(chunk);
  }
  return { diffId: `sha256:${hash.digest('hex')}`, size };
}

/** The blob's uncompressed bytes; the streams are closed however the reading ends (also when the consumer stops early). */
async function* uncompressed(blob: NodeJS.ReadableStream): AsyncGenerator<Buffer> {
  const input = toReadable(blob);
  const { stream } = await decompressed(input).catch((err: unknown) => {
    input.destroy();
    throw err;
  });
  try {
    yield* stream as AsyncIterable<Buffer>;
  } finally {
    stream.destroy();
    input.destroy();
  }
}

function toReadable(stream: NodeJS.ReadableStream): Readable {
  if (stream instanceof Readable) return stream;
  if (typeof (stream as Partial<Readable>).pipe !== 'function') throw new EngineError('not a readable stream');
  return new Readable().wrap(stream);
}
