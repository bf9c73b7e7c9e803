import { EngineError } from '../../../errors';

/**
 * A layer that cannot be extracted: a malformed or truncated tar, an unsupported compression
 * or entry type, or an entry that tries to write outside the layer's directory. The message
 * names the entry (`layer entry "a/../../x": …`) when there is one. Whoever called the
 * extractor discards the half-written target.
 */
export class LayerError extends EngineError {
  override readonly name = 'LayerError';

  constructor(
    message: string,
    /** The entry's name as written in the tar, when the problem is one entry. */
    readonly entry?: string,
    options?: { cause?: unknown },
  ) {
    super(entry === undefined ? message : `layer entry ${JSON.stringify(entry)}: ${message}`, options);
  }
}

/** The message of anything thrown (errors of Node's core may come from another realm). */
export function messageOf(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(err);
}
