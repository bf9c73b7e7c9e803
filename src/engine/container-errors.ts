/**
 * The errors an engine gives for containers, in Docker's words, made in one place so that
 * the fake and the bundled engine say exactly the same thing (the contract suite compares
 * messages; the CLI prints them as they are). `ref` is what the caller typed, `id` the
 * container's full ID, `name` its name without the leading slash.
 */
import { InvalidArgumentError, ObjectConflictError, ObjectNotFoundError } from './errors';

export const containerErrors = {
  noSuchContainer: (ref: string) => new ObjectNotFoundError(`No such container: ${ref}`),
  ambiguous: (ref: string) => new InvalidArgumentError(`Multiple IDs found with provided prefix: ${ref}`),
  invalidName: (name: string) => new InvalidArgumentError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`),
  nameInUse: (name: string, id: string) =>
    new ObjectConflictError(
      `Conflict. The container name "/${name}" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
    ),
  renameToSame: () => new InvalidArgumentError('Renaming a container with the same name as its current name'),
  notRunning: (id: string) => new ObjectConflictError(`Container ${id} is not running`),
  paused: (id: string) => new ObjectConflictError(`Container ${id} is paused, unpause the container before exec`),
  alreadyPaused: (id: string) => new ObjectConflictError(`Container ${id} is already paused`),
  notPaused: (id: string) => new ObjectConflictError(`Container ${id} is not paused`),
  startPaused: () => new ObjectConflictError('cannot start a paused container, try unpause instead'),
  killNotRunning: (id: string) => new ObjectConflictError(`Cannot kill container: ${id}: Container ${id} is not running`),
  removeRunning: (name: string) =>
    new ObjectConflictError(`cannot remove container "/${name}": container is running: stop the container before removing or force remove`),
  removePaused: (name: string) =>
    new ObjectConflictError(`cannot remove container "/${name}": container is paused: unpause and stop the container before removing or force remove`),
  invalidSignal: (signal: string) => new InvalidArgumentError(`Invalid signal: ${signal}`),
  noSuchPath: (path: string, ref: string) => new ObjectNotFoundError(`Could not find the file ${path} in container ${ref}`),
  notADirectory: (path: string) => new InvalidArgumentError(`extraction point is not a directory: ${path}`),
} as const;
