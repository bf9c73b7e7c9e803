/**
 * Mount points at or below a directory, read from /proc/self/mountinfo, and their removal:
 * what a test that mounts (or starts something that mounts) uses to leave nothing behind.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCommand } from './run-command';

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

function isAtOrBelow(candidate: string, dir: string): boolean {
  return candidate === dir || candidate.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

/** Mount points at or below `dir` (as this process sees them), deepest first. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const root = path.resolve(dir);
  const info = await fs.readFile('/proc/self/mountinfo', 'utf8');
  const points = info
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => unescapeMountPath(line.split(' ')[4] ?? ''))
    .filter((point) => isAtOrBelow(point, root));
  return points.sort((a, b) => b.length - a.length || b.localeCompare(a));
}

/**
 * Unmounts everything at or below `dir`, deepest first, a mount point mounted several times
 * as often as it is; falls back to a lazy unmount for one that stays busy. Rejects, naming
 * them, when mounts remain.
 */
export async function unmountUnder(dir: string): Promise<void> {
  for (let round = 0; round < 10; round++) {
    const points = await mountsUnder(dir);
    if (points.length === 0) return;
    for (const point of points) {
      const r = await runCommand('umount', [point], { timeoutMs: 60_000 });
      if (r.code !== 0 && round >= 2) await runCommand('umount', ['-l', point], { timeoutMs: 60_000 });
    }
  }
  const left = await mountsUnder(dir);
  if (left.length > 0) throw new Error(`cannot unmount ${left.length} mount(s) under ${dir}: ${left.slice(0, 5).join(', ')}`);
}
