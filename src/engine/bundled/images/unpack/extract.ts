import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { ByteSource } from './byte-source';
import { decompressed } from './decompress';
import { LayerError, messageOf } from './layer-error';
import { LayerWriter } from './layer-writer';
import { readTar } from './tar-reader';

export interface ExtractOptions {
  readonly signal?: AbortSignal;
  /**
   * Give entries the uid/gid the tar states. Default: when running as root (GNU tar's rule);
   * without it every entry belongs to the extracting user.
   */
  readonly sameOwner?: boolean;
  /** Entries or attributes skipped on purpose (AUFS metadata, overlay xattrs from the tar …). */
  readonly onWarning?: (message: string) => void;
}

export interface ExtractResult {
  /** `sha256:<hex>` of the uncompressed tar: the layer's diff ID. */
  readonly diffId: string;
  /** Bytes of the uncompressed tar. */
  readonly size: number;
}

/** Decompresses (gzip, zstd or none, detected from the bytes) and extracts one layer into
 *  `target` (an empty, existing directory), overlay-ready: whiteouts become 0:0 char devices,
 *  opaque dirs get trusted.overlay.opaque=y. Never writes outside `target`. Resolves with the
 *  diff ID (sha256 of the uncompressed tar) and the uncompressed size.
 *
 *  Streams from end to end: one chunk at a time is decompressed, hashed and written, and the
 *  next is pulled only when it is written (backpressure reaches the download). The whole
 *  stream is read, past the tar's end marker, so the digest covers every byte and an error at
 *  the very end of `compressed` (a digest mismatch) still rejects. What is refused and why:
 *  see LayerWriter. On rejection (LayerError, the stream's own error, or the signal's reason)
 *  `target` is left half-written: the caller discards it. */
export async function extractLayer(
  compressed: NodeJS.ReadableStream,
  target: string,
  options: ExtractOptions = {},
): Promise<ExtractResult> {
  const { signal } = options;
  const input = isReadable(compressed) ? compressed : new Readable().wrap(compressed);
  const cleanup: Array<() => void> = [() => input.destroy()];
  try {
    signal?.throwIfAborted();
    const root = fs.realpathSync(target);
    if (!fs.statSync(root).isDirectory()) throw new LayerError(`extraction target ${target} is not a directory`);

    let plain: Readable | undefined;
    const abort = (): void => {
      const reason: unknown = signal?.reason;
      const err = typeof reason === 'object' && reason !== null ? (reason as Error) : new Error(`aborted: ${String(reason)}`);
      input.destroy(err);
      plain?.destroy(err);
    };
    if (signal) {
      signal.addEventListener('abort', abort, { once: true });
      cleanup.push(() => signal.removeEventListener('abort', abort));
    }

    const { stream } = await decompressed(input);
    plain = stream;
    cleanup.push(() => stream.destroy());
    signal?.throwIfAborted();

    const hash = createHash('sha256');
    let size = 0;
    const source = new ByteSource(stream[Symbol.asyncIterator](), (chunk) => {
      hash.update(chunk);
      size += chunk.length;
    });
    const writer = new LayerWriter(root, {
      sameOwner: options.sameOwner ?? process.getuid?.() === 0,
      warn: options.onWarning ?? (() => undefined),
    });
    for await (const entry of readTar(source)) {
      signal?.throwIfAborted();
      await writer.apply(entry);
    }
    await source.drain();
    signal?.throwIfAborted();
    await writer.finish();
    return { diffId: `sha256:${hash.digest('hex')}`, size };
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw describe(err);
  } finally {
    for (const step of cleanup.reverse()) step();
  }
}

function isReadable(stream: NodeJS.ReadableStream): stream is Readable {
  return stream instanceof Readable || (typeof (stream as Partial<Readable>).destroy === 'function' && Symbol.asyncIterator in stream);
}

/** zlib's errors say little on their own: name the layer's compression. */
function describe(err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new LayerError(`invalid gzip data: ${messageOf(err)}`, undefined, { cause: err });
  }
  return err;
}
