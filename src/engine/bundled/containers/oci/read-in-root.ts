/**
 * Reading a file of a container's root file system from the host without ever leaving it:
 * every path component is looked up inside the root, and symlinks are resolved as the
 * container would see them (an absolute target starts again at the root, `..` stops at the
 * root), never by the host. The file itself is opened without following a last-moment
 * symlink, without blocking on a FIFO, and read only when it is a regular file — so a
 * hostile image cannot make the engine read the host's /etc/shadow or hang on a device.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError } from '../../../errors';

const MAX_SYMLINKS = 40;
/** Files the engine reads from images are small (passwd, group); refuse absurd ones. */
export const MAX_READ_BYTES = 16 * 1024 * 1024;

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/**
 * The host path of `containerPath` inside `root` with every symlink resolved inside the root,
 * or undefined when it does not exist there. The result's last component is not a symlink.
 */
export function resolveInRoot(root: string, containerPath: string): string | undefined {
  const base = path.resolve(root);
  const pending = containerPath.split('/');
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const hostPath = path.join(base, ...resolved, part);
    const st = lstatOrUndefined(hostPath);
    if (st === undefined) return undefined;
    if (st.isSymbolicLink()) {
      if (++links > MAX_SYMLINKS) throw new InvalidArgumentError(`cannot resolve ${containerPath} in the container: too many levels of symbolic links`);
      const target = fs.readlinkSync(hostPath);
      if (target.startsWith('/')) resolved.length = 0;
      pending.unshift(...target.split('/'));
      continue;
    }
    if (!st.isDirectory() && pending.some((p) => p !== '' && p !== '.')) return undefined;
    resolved.push(part);
  }
  return path.join(base, ...resolved);
}

/** The contents of `containerPath` in the container's root, or undefined when there is no such file. */
export function readFileInRoot(root: string, containerPath: string): string | undefined {
  const hostPath = resolveInRoot(root, containerPath);
  if (hostPath === undefined) return undefined;
  const before = fs.lstatSync(hostPath);
  if (!before.isFile()) throw new InvalidArgumentError(`cannot read ${containerPath} in the container: not a regular file`);
  const fd = fs.openSync(hostPath, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.ino !== before.ino || st.dev !== before.dev) throw new InvalidArgumentError(`cannot read ${containerPath} in the container: it changed while being opened`);
    if (st.size > MAX_READ_BYTES) throw new InvalidArgumentError(`cannot read ${containerPath} in the container: ${st.size} bytes is too large`);
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}
