/**
 * Docker's check before extracting into a container: a directory inside a mount must be in a
 * writable one ("mounted volume is marked read-only"); a directory outside every mount cannot
 * be written when the container's root file system is read-only ("container rootfs is marked
 * read-only"). `dest` is the extraction directory's canonical container path.
 */
import * as path from 'node:path';
import { InvalidArgumentError } from '../../../errors';

export interface CopyTargetMount {
  /** Container path of the mount. */
  readonly target: string;
  readonly readOnly: boolean;
}

export function checkCopyTarget(dest: readonly string[], mounts: readonly CopyTargetMount[], readOnlyRootfs: boolean): void {
  const at = `/${dest.join('/')}`;
  let deepest: CopyTargetMount | undefined;
  let depth = -1;
  for (const m of mounts) {
    const target = path.posix.resolve('/', m.target);
    const inside = target === '/' || at === target || at.startsWith(`${target}/`);
    const d = target === '/' ? 0 : target.split('/').length;
    if (inside && d > depth) {
      deepest = m;
      depth = d;
    }
  }
  if (deepest) {
    if (deepest.readOnly) throw new InvalidArgumentError('mounted volume is marked read-only');
    return;
  }
  if (readOnlyRootfs) throw new InvalidArgumentError('container rootfs is marked read-only');
}
