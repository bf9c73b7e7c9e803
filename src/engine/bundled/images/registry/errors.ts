/**
 * The one error type of the registry client: a RemoteError that also says
 * which registry, what kind of failure, and whether trying again may help.
 */
import { RemoteError } from '../../../errors';

export type RegistryFailure =
  /** Could not connect (refused, no route, DNS, TLS) or the connection broke. */
  | 'unreachable'
  /** Credentials were asked for and are missing or wrong. */
  | 'unauthorized'
  /** Authenticated (or anonymous) but refused access to the repository. */
  | 'denied'
  /** Manifest or blob unknown. */
  | 'not-found'
  /** Bytes did not match their digest (or their announced size). */
  | 'digest-mismatch'
  /** No index entry for the wanted platform. */
  | 'no-platform'
  /** 429 Too Many Requests. */
  | 'rate-limited'
  /** A 5xx, or an answer we cannot use (bad JSON, unknown media type, …). */
  | 'bad-response'
  /** The configuration makes the image unreachable (mirror-only without mirrors …). */
  | 'config';

export class RegistryError extends RemoteError {
  constructor(
    message: string,
    readonly reason: RegistryFailure,
    /** `registry 127.0.0.1:5000` or `mirror http://127.0.0.1:5000`. */
    readonly registry: string,
    /** Whether the same request may succeed when retried (resets, timeouts, 5xx). */
    readonly retryable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
