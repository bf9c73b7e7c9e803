/**
 * Engine errors across the socket: the server sends the kind and the message, the client
 * makes the same EngineError class with the same message (a RegistryError or LayerError
 * arrives as its base class: RemoteError, EngineError).
 */
import {
  EngineError,
  InvalidArgumentError,
  ObjectConflictError,
  ObjectNotFoundError,
  RemoteError,
} from '../../errors';
import type { WireError, WireErrorKind } from './protocol';

const KINDS: ReadonlyArray<readonly [abstract new (...args: never[]) => EngineError, WireErrorKind]> = [
  [InvalidArgumentError, 'invalid'],
  [ObjectNotFoundError, 'not-found'],
  [ObjectConflictError, 'conflict'],
  [RemoteError, 'remote'],
];

const CLASSES: Readonly<Record<WireErrorKind, new (message: string) => EngineError>> = {
  invalid: InvalidArgumentError,
  'not-found': ObjectNotFoundError,
  conflict: ObjectConflictError,
  remote: RemoteError,
  engine: EngineError,
};

/** What the server sends for anything thrown (a plain Error becomes kind `engine`). */
export function toWireError(err: unknown): WireError {
  const message = typeof (err as { message?: unknown } | null)?.message === 'string' ? (err as Error).message : String(err);
  for (const [cls, kind] of KINDS) if (err instanceof cls) return { kind, message };
  return { kind: 'engine', message };
}

/** The client's error for what the server sent. */
export function reviveError(wire: WireError): EngineError {
  const cls = CLASSES[wire.kind] ?? EngineError;
  return new cls(wire.message);
}

/** A WireError from a parsed JSON value, or undefined when it is not one. */
export function asWireError(value: unknown): WireError | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { kind, message } = value as { kind?: unknown; message?: unknown };
  if (typeof message !== 'string' || typeof kind !== 'string' || !(kind in CLASSES)) return undefined;
  return { kind: kind as WireErrorKind, message };
}
