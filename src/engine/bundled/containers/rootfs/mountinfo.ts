/**
 * The mount table as this process sees it (/proc/self/mountinfo, proc(5)): where things are
 * mounted, what file system, with which options — how the overlay code finds out whether a
 * root file system is (still) mounted and with which upper directory.
 */
import { promises as fs } from 'node:fs';

export interface MountEntry {
  readonly mountPoint: string;
  readonly fsType: string;
  readonly source: string;
  /** Per-superblock options (for overlay: lowerdir=…,upperdir=…,workdir=…). */
  readonly superOptions: string;
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    if (dash < 0 || fields.length < dash + 3) continue;
    out.push({
      mountPoint: unescape(fields[4] ?? ''),
      fsType: fields[dash + 1] ?? '',
      source: unescape(fields[dash + 2] ?? ''),
      superOptions: unescape(fields[dash + 3] ?? ''),
    });
  }
  return out;
}

export async function readMountInfo(): Promise<MountEntry[]> {
  return parseMountInfo(await fs.readFile('/proc/self/mountinfo', 'utf8'));
}

/** The topmost mount at exactly `mountPoint` (an absolute, symlink-free path), if any. */
export async function mountAt(mountPoint: string): Promise<MountEntry | undefined> {
  const all = await readMountInfo();
  for (let i = all.length - 1; i >= 0; i--) if (all[i]?.mountPoint === mountPoint) return all[i];
  return undefined;
}

/** The value of `key=` in a comma-separated option string (overlay's values have no commas). */
export function mountOption(options: string, key: string): string | undefined {
  for (const part of options.split(',')) if (part.startsWith(`${key}=`)) return part.slice(key.length + 1);
  return undefined;
}
