import { LayerError } from './layer-error';

/**
 * The components of a tar entry name, relative to the layer root: `./usr//bin/` → `usr`,`bin`.
 *
 * - `.` and empty components are dropped, `..` pops lexically (names are never resolved
 *   through symlinks here; parents are checked on disk when the entry is written);
 * - a `..` that would climb above the root fails the layer (Docker and containerd fail too);
 * - a leading `/` is neutralized: tar names are relative to the archive root, so `/etc/x` is
 *   `etc/x` (GNU tar strips it, Docker joins it under the root) — it cannot escape;
 * - NUL bytes fail the layer (no file system name can hold one).
 *
 * The empty list is the layer root itself.
 */
export function entryPath(name: string, entryForErrors: string = name, what = 'path'): string[] {
  if (name.includes('\0')) throw new LayerError(`${what} contains a NUL byte`, entryForErrors);
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) throw new LayerError(`${what} ${JSON.stringify(name)} escapes the layer root (".." above the root)`, entryForErrors);
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out;
}
