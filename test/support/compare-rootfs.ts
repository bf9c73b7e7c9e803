/**
 * Compares two Rootfs values path by path and says what differs, in words a person can act on:
 * `etc/shadow: mode 0640 ≠ 0600`, `usr/bin/x: only in docker export`.
 */
import type { Rootfs, RootfsEntry } from './rootfs-entry';

export interface RootfsDifference {
  readonly path: string;
  /** One phrase per differing attribute. */
  readonly what: readonly string[];
}

export interface CompareOptions {
  /** Names of the two sides in messages (default 'left', 'right'). */
  readonly names?: readonly [string, string];
  /** Paths whose mtime is not compared. */
  readonly ignoreMtime?: ReadonlySet<string>;
  /** Compare mtimes at all (default true). */
  readonly mtimes?: boolean;
}

const oct = (n: number): string => `0${n.toString(8).padStart(3, '0')}`;
const time = (s: number): string => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

function entryDifferences(a: RootfsEntry, b: RootfsEntry, compareMtime: boolean): string[] {
  const out: string[] = [];
  const field = <T>(label: string, x: T | undefined, y: T | undefined, show: (v: T) => string = String): void => {
    if (x !== y) out.push(`${label} ${x === undefined ? '(none)' : show(x)} ≠ ${y === undefined ? '(none)' : show(y)}`);
  };
  if (a.kind !== b.kind) return [`type ${a.kind} ≠ ${b.kind}`];
  field('mode', a.mode, b.mode, oct);
  field('uid', a.uid, b.uid);
  field('gid', a.gid, b.gid);
  field('size', a.size, b.size);
  if (a.size === b.size) field('sha256', a.sha256, b.sha256, (h) => h.slice(0, 12));
  field('symlink target', a.target, b.target, (t) => JSON.stringify(t));
  field('device', a.device, b.device);
  field('security.capability', a.capability, b.capability);
  field('hard-linked with', a.linkGroup, b.linkGroup);
  if (compareMtime) field('mtime', a.mtime, b.mtime, time);
  return out;
}

/** Every difference, sorted by path. */
export function compareRootfs(left: Rootfs, right: Rootfs, options: CompareOptions = {}): RootfsDifference[] {
  const [l, r] = options.names ?? ['left', 'right'];
  const paths = [...new Set([...left.keys(), ...right.keys()])].sort();
  const out: RootfsDifference[] = [];
  for (const p of paths) {
    const a = left.get(p);
    const b = right.get(p);
    if (a === undefined) out.push({ path: p, what: [`only in ${r}`] });
    else if (b === undefined) out.push({ path: p, what: [`only in ${l}`] });
    else {
      const what = entryDifferences(a, b, (options.mtimes ?? true) && !(options.ignoreMtime?.has(p) ?? false));
      if (what.length > 0) out.push({ path: p, what });
    }
  }
  return out;
}

/** The first `limit` differences, one line each, for a failure message. */
export function describeDifferences(diffs: readonly RootfsDifference[], limit = 25): string {
  const lines = diffs.slice(0, limit).map((d) => `  ${d.path}: ${d.what.join('; ')}`);
  if (diffs.length > limit) lines.push(`  … and ${diffs.length - limit} more`);
  return lines.join('\n');
}
