/**
 * Extracts a tar stream (plain, gzip or zstd, detected from its first bytes) into a directory
 * of a container's root, entry by entry as the bytes arrive (ArchiveWriter says how). Stops at
 * the tar's end marker and reads the rest of the stream away; on failure what was written
 * stays written (as with Docker) and the rest of the input is discarded without being read
 * into anything — the stream is not destroyed, so an HTTP caller can still be answered.
 */
import { Readable } from 'node:stream';
import { EngineError, InvalidArgumentError } from '../../../errors';
import { ByteSource, isStreamFailure } from '../../images/unpack/byte-source';
import { decompressed } from '../../images/unpack/decompress';
import { LayerError, messageOf } from '../../images/unpack/layer-error';
import { readTar } from '../../images/unpack/tar-reader';
import { ArchiveWriter, type ArchiveWriterOptions } from './archive-writer';
import type { RootFs } from './root-fs';

/** `dest`: the canonical path (symlinks resolved) of an existing directory in the container. */
export async function extractArchive(rootFs: RootFs, dest: readonly string[], tar: NodeJS.ReadableStream, options: ArchiveWriterOptions): Promise<void> {
  const input = tar instanceof Readable ? tar : new Readable().wrap(tar);
  const writer = new ArchiveWriter(rootFs, dest, options);
  try {
    const { stream } = await decompressed(input);
    const source = new ByteSource(stream[Symbol.asyncIterator](), () => undefined);
    for await (const entry of readTar(source)) await writer.apply(entry);
    writer.finish();
    await source.drain();
  } catch (err) {
    input.resume();
    if (err instanceof EngineError && !(err instanceof LayerError)) throw err;
    if (isStreamFailure(err)) throw err;
    const text = messageOf(err).replace(/^layer entry/, 'tar entry').replace(/the layer's tar/g, 'the tar').replace(/layer compression/g, 'compression');
    throw new InvalidArgumentError(`invalid tar archive: ${text}`, { cause: err });
  } finally {
    writer.release();
  }
}
