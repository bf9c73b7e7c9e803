/** Small file-system helpers shared by the stores. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export async function fsyncFile(file: string): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function readdirIfPresent(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}

/** Removes the entries of `dir` that `match` and were not modified for `staleAfterMs` (all of them when it is 0). */
export async function removeStale(dir: string, match: (name: string) => boolean, staleAfterMs: number): Promise<void> {
  const now = Date.now();
  for (const name of await readdirIfPresent(dir)) {
    if (!match(name)) continue;
    const entry = path.join(dir, name);
    try {
      const stat = await fs.lstat(entry);
      if (staleAfterMs <= 0 || now - stat.mtimeMs >= staleAfterMs) await fs.rm(entry, { recursive: true, force: true });
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }
}

export function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

