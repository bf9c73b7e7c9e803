/**
 * The one error kind of a bad image archive (`image load`): InvalidArgumentError, with the
 * member (or the metadata entry) at fault named first, so that one line says what and where.
 */
import { EngineError, InvalidArgumentError } from '../../../errors';
import { LayerError, messageOf } from '../unpack/layer-error';
import { DigestMismatchError } from '../store/content-store';

/** `image archive member "blobs/sha256/…": <message>`, or `invalid image archive: <message>`. */
export function archiveError(message: string, member?: string, options?: { cause?: unknown }): InvalidArgumentError {
  const where = member === undefined ? 'invalid image archive' : `image archive member ${JSON.stringify(member)}`;
  return new InvalidArgumentError(`${where}: ${message}`, options);
}

/**
 * `err` re-made with `context` in front. Faults of the archive's content (a digest or diff ID
 * that does not match, a layer the extractor refuses, a bad config) become InvalidArgumentError;
 * anything else (the disk, an abort) keeps its kind or becomes an EngineError.
 */
export function inArchive(err: unknown, context: string): unknown {
  if (err instanceof Error && err.name === 'AbortError') return err;
  const message = `${context}: ${messageOf(err)}`;
  if (err instanceof InvalidArgumentError || err instanceof DigestMismatchError || err instanceof LayerError) {
    return new InvalidArgumentError(message, { cause: err });
  }
  if (err instanceof EngineError) {
    const Kind = err.constructor as new (m: string, o?: { cause?: unknown }) => EngineError;
    return new Kind(message, { cause: err });
  }
  return new EngineError(message, { cause: err });
}
