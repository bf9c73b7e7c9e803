/**
 * Docker's rules for the names in a tar extracted into a container (archive PUT), checked
 * lexically before anything is written:
 *
 * - an entry's name is relative to the extraction directory: a leading `/` is dropped,
 *   `.` and empty components too, `..` pops a name — and an entry that would land above the
 *   extraction directory is refused ("is outside of"), as Docker refuses it (breakout error);
 * - a hard link's target is a name of the same kind (relative to the extraction directory,
 *   never above it);
 * - a symlink's target, taken relative to the symlink's own directory, must not climb above
 *   the extraction directory either (Docker: `invalid symlink`); an absolute target passes
 *   (Docker joins it under the directory: it is read inside the container, never here).
 *
 * Symlinks already in the container are not part of these rules: they are resolved inside the
 * container's root when the entry is written (see RootFs).
 */
import { InvalidArgumentError } from '../../../errors';

/** The components of `name` under the extraction directory; `[]` is the directory itself. */
export function entryComponents(name: string, dest: string, what = `tar entry ${JSON.stringify(name)}`): string[] {
  if (name.includes('\0')) throw new InvalidArgumentError(`${what} contains a NUL byte`);
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) throw new InvalidArgumentError(`${what} is outside of ${JSON.stringify(dest)}`);
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out;
}

/** True when the symlink `entry` (its components) → `target` points above the extraction directory. */
export function symlinkClimbsOut(entry: readonly string[], target: string): boolean {
  if (target.startsWith('/')) return false;
  const at = entry.slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (at.length === 0) return true;
      at.pop();
      continue;
    }
    at.push(part);
  }
  return false;
}
