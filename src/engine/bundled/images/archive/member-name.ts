/**
 * Names inside an image archive: tar member names, and the paths manifest.json and symbolic
 * links give. An archive is a flat namespace we never resolve on the host's file system, so a
 * name only has to be clean: relative, without `..`, without NUL.
 */
import { archiveError } from './archive-error';

/**
 * `./blobs//sha256/x` → `blobs/sha256/x`. Throws (naming `member`, the name as written) for an
 * absolute name, a `..` component or a NUL byte: such a name points outside the archive, which
 * no docker save or OCI layout writer produces. The archive root itself is `''`.
 */
export function memberName(name: string, member: string = name, what = 'its name'): string {
  if (name.includes('\0')) throw archiveError(`${what} contains a NUL byte`, member);
  if (name.startsWith('/')) throw archiveError(`${what} ${JSON.stringify(name)} is absolute: it points outside the archive`, member);
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw archiveError(`${what} ${JSON.stringify(name)} contains "..": it points outside the archive`, member);
    parts.push(part);
  }
  return parts.join('/');
}

/**
 * Where the symbolic link `link` (a clean member name) with target `target` points, as a clean
 * member name. Targets are relative to the link's directory; an absolute target, or one that
 * climbs above the archive root, throws.
 */
export function linkTarget(link: string, target: string): string {
  if (target.includes('\0')) throw archiveError('its link target contains a NUL byte', link);
  if (target.startsWith('/')) {
    throw archiveError(`a symbolic link to the absolute path ${JSON.stringify(target)}: it points outside the archive`, link);
  }
  const parts = link.split('/').slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) throw archiveError(`a symbolic link to ${JSON.stringify(target)}: it points outside the archive`, link);
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return parts.join('/');
}
