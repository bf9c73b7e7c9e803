/**
 * Docker's archive GET on an opened container root: the tar of `containerPath` as a stream.
 * The path is looked up before the stream is returned (a missing path rejects with Docker's
 * "Could not find the file … in container …"); the tree is read as the stream is consumed, and
 * the root is released when the stream ends, fails or is destroyed.
 */
import { Readable } from 'node:stream';
import { containerErrors } from '../../../container-errors';
import { InvalidArgumentError } from '../../../errors';
import { type ArchiveTop, archiveTree } from './archive-tree';
import type { ContainerRoot } from './container-root';
import { parseCopyPath } from './copy-path';

/** `ref`: the container as the caller named it (for messages). Takes over `root`: it is released in every case. */
export async function copyFromContainer(root: ContainerRoot, containerPath: string, ref: string): Promise<NodeJS.ReadableStream> {
  let top: ArchiveTop;
  let releaseTop: () => void;
  try {
    const source = parseCopyPath(containerPath);
    if (source.followFinal) {
      const found = root.fs.openDir(source.components);
      if (found.kind !== 'dir') {
        const entry = root.fs.locate(source.components);
        const exists = entry.kind === 'entry' && entry.stat !== undefined;
        if (entry.kind === 'entry') entry.parent.release();
        if (exists) throw new InvalidArgumentError(`cannot copy ${containerPath} from container ${ref}: not a directory`);
        throw containerErrors.noSuchPath(containerPath, ref);
      }
      top = { kind: 'dir', fd: found.dir.fd, path: found.dir.path };
      releaseTop = () => found.dir.release();
    } else {
      const found = root.fs.locate(source.components);
      if (found.kind !== 'entry' || found.stat === undefined) {
        if (found.kind === 'entry') found.parent.release();
        throw containerErrors.noSuchPath(containerPath, ref);
      }
      top = { kind: 'entry', place: found.place, path: found.path };
      releaseTop = () => found.parent.release();
    }
    return archiveStream(archiveTree(root.fs, top, source.topName), async () => {
      releaseTop();
      await root.release();
    });
  } catch (err) {
    await root.release();
    throw err;
  }
}

/** A byte stream of `chunks` that calls `release` once, when it ends, fails or is destroyed (even unread). */
function archiveStream(chunks: AsyncGenerator<Buffer>, release: () => Promise<void>): Readable {
  let released: Promise<void> | undefined;
  const releaseOnce = (): Promise<void> => (released ??= release());
  return new Readable({
    highWaterMark: 1 << 16,
    read() {
      chunks.next().then(
        ({ done, value }) => {
          if (!done) {
            this.push(value);
            return;
          }
          releaseOnce().then(
            () => this.push(null),
            (err: unknown) => this.destroy(err instanceof Error ? err : new Error(String(err))),
          );
        },
        (err: unknown) => this.destroy(err instanceof Error ? err : new Error(String(err))),
      );
    },
    destroy(err, callback) {
      chunks
        .return(undefined)
        .catch(() => undefined)
        .then(releaseOnce)
        .then(
          () => callback(err),
          (releaseErr: unknown) => callback(err ?? (releaseErr instanceof Error ? releaseErr : new Error(String(releaseErr)))),
        );
    },
  });
}
