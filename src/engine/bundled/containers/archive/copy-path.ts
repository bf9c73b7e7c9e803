/**
 * Docker's reading of the `path` of an archive GET (`docker cp ctr:PATH -`), before anything
 * is looked up: the path is taken as absolute in the container and cleaned lexically (`..`
 * pops a name, never above `/`); a trailing `/` or `/.` means "the directory itself, following
 * a symlink in the last component"; otherwise the last component is archived as it is (a
 * symlink stays a symlink). The top entry of the archive is named by the path as the caller
 * wrote it: its base name, `.` for `dir/.` (the contents only), or the empty name for `/`
 * (whose entries then start with `/`, as Docker's do).
 */
import * as path from 'node:path';
import { InvalidArgumentError } from '../../../errors';

export interface CopySource {
  /** The cleaned absolute path, for messages. */
  readonly clean: string;
  /** Its components (`[]` for the root). */
  readonly components: readonly string[];
  /** The path must name a directory, reached through a symlink in its last component. */
  readonly followFinal: boolean;
  /** The name of the top entry in the archive. */
  readonly topName: string;
}

export function parseCopyPath(containerPath: string): CopySource {
  if (containerPath === '') throw new InvalidArgumentError('a path in the container is required');
  if (containerPath.includes('\0')) throw new InvalidArgumentError(`invalid path ${JSON.stringify(containerPath)}: it contains a NUL byte`);
  const clean = path.posix.resolve('/', containerPath);
  const components = clean.split('/').filter((c) => c !== '');
  const trailingDot = /(^|\/)\.\/*$/.test(containerPath);
  const trailingSlash = containerPath.endsWith('/');
  const followFinal = trailingDot || trailingSlash || components.length === 0;
  const topName = trailingDot ? '.' : (components[components.length - 1] ?? '');
  return { clean, components, followFinal, topName };
}
