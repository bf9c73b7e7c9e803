/**
 * Errors an engine reports. Engine-neutral and independent of the compose
 * layer (adapters never import it); the CLI maps them to messages and exit codes.
 */
export class EngineError extends Error {
  override readonly name: string = 'EngineError';
}

/** Bad input: an invalid image reference, an unknown platform … */
export class InvalidArgumentError extends EngineError {
  override readonly name = 'InvalidArgumentError';
}

/** An image, container, network or volume that does not exist. */
export class ObjectNotFoundError extends EngineError {
  override readonly name = 'ObjectNotFoundError';
}

/** The object exists, or is in use, or is in the wrong state. */
export class ObjectConflictError extends EngineError {
  override readonly name = 'ObjectConflictError';
}

/** A registry or daemon could not be reached, refused us, or sent something wrong. */
export class RemoteError extends EngineError {
  override readonly name = 'RemoteError';
}
