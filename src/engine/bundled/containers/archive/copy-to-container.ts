/**
 * Docker's archive PUT on an opened container root: extracts `tar` into the existing
 * directory `containerPath` (every symlink in it followed inside the container's root).
 * A missing path rejects with Docker's "Could not find the file … in container …", a path
 * that is not a directory with "extraction point is not a directory: …".
 */
import * as path from 'node:path';
import { containerErrors } from '../../../container-errors';
import { EngineError, InvalidArgumentError } from '../../../errors';
import type { ContainerRoot } from './container-root';
import { checkCopyTarget, type CopyTargetMount } from './copy-target-check';
import { extractArchive } from './extract-archive';

export interface CopyToOptions {
  /** The container as the caller named it (for messages). */
  readonly ref: string;
  /** Give entries the tar's owner (true when the engine runs as root). */
  readonly sameOwner: boolean;
  /** The container's mounts that count as volumes for Docker's read-only checks. */
  readonly mounts: readonly CopyTargetMount[];
  readonly readOnlyRootfs: boolean;
  /** Refuse to replace a directory by a non-directory or the reverse (the API's default: no). */
  readonly noOverwriteDirNonDir?: boolean;
}

/** Takes over `root`: it is released in every case. */
export async function copyToContainer(root: ContainerRoot, containerPath: string, tar: NodeJS.ReadableStream, options: CopyToOptions): Promise<void> {
  try {
    if (containerPath === '') throw new InvalidArgumentError('a path in the container is required');
    if (containerPath.includes('\0')) throw new InvalidArgumentError(`invalid path ${JSON.stringify(containerPath)}: it contains a NUL byte`);
    const components = path.posix.resolve('/', containerPath).split('/').filter((c) => c !== '');
    const found = root.fs.openDir(components);
    if (found.kind !== 'dir') {
      const entry = root.fs.locate(components);
      const exists = entry.kind === 'entry' && entry.stat !== undefined;
      if (entry.kind === 'entry') entry.parent.release();
      throw exists ? containerErrors.notADirectory(containerPath) : containerErrors.noSuchPath(containerPath, options.ref);
    }
    const dest = found.dir.path;
    found.dir.release();
    checkCopyTarget(dest, options.mounts, options.readOnlyRootfs);
    try {
      await extractArchive(root.fs, dest, tar, {
        sameOwner: options.sameOwner,
        label: containerPath,
        ...(options.noOverwriteDirNonDir ? { noOverwriteDirNonDir: true } : {}),
      });
    } catch (err) {
      throw inContext(err, `copying into ${containerPath} of container ${options.ref}`);
    }
  } finally {
    await root.release();
  }
}

function inContext(err: unknown, context: string): unknown {
  if (err instanceof InvalidArgumentError) return new InvalidArgumentError(`${context}: ${err.message}`, { cause: err });
  if (err instanceof EngineError && err.constructor === EngineError) return new EngineError(`${context}: ${err.message}`, { cause: err });
  return err;
}
