/**
 * The files a container's log is made of, oldest first: the rotated ones that log-keeper.ts
 * keeps (`<log>.N` … `<log>.1`), a rotation not yet filed away (`<log>.live` when it is no
 * longer the same file as `<log>`), then `<log>` itself, which conmon writes. Files are
 * opened at once, so a rotation while they are read changes nothing for the reader.
 */
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';

export interface OpenLogFile {
  readonly path: string;
  readonly fh: FileHandle;
  readonly ino: number;
  /** True for `<log>` itself (the one conmon writes). */
  readonly current: boolean;
}

/** `<log>.live`: the keeper's link to the file conmon writes (log-keeper.ts). */
export function liveLinkPath(logPath: string): string {
  return `${logPath}.live`;
}

/** `<log>.<n>`, n ≥ 1: rotated files, 1 the newest. */
export function rotatedPath(logPath: string, n: number): string {
  return `${logPath}.${n}`;
}

/** The numbers of the rotated files present, ascending. */
export async function rotatedNumbers(logPath: string): Promise<number[]> {
  const base = path.basename(logPath);
  const names = await fs.readdir(path.dirname(logPath)).catch(() => [] as string[]);
  const out: number[] = [];
  for (const name of names) {
    if (!name.startsWith(`${base}.`)) continue;
    const suffix = name.slice(base.length + 1);
    if (/^[1-9]\d*$/.test(suffix)) out.push(Number(suffix));
  }
  return out.sort((a, b) => a - b);
}

async function openIfPresent(p: string): Promise<{ fh: FileHandle; ino: number } | undefined> {
  let fh: FileHandle;
  try {
    fh = await fs.open(p, 'r');
  } catch {
    return undefined;
  }
  return { fh, ino: (await fh.stat()).ino };
}

/** Opens every file of the log, oldest first; the caller closes them. */
export async function openLogFiles(logPath: string): Promise<OpenLogFile[]> {
  const out: OpenLogFile[] = [];
  const seen = new Set<number>();
  const add = (p: string, opened: { fh: FileHandle; ino: number } | undefined, current: boolean): void => {
    if (!opened) return;
    if (seen.has(opened.ino)) {
      void opened.fh.close();
      return;
    }
    seen.add(opened.ino);
    out.push({ path: p, fh: opened.fh, ino: opened.ino, current });
  };
  // the current file first (it is the one that must not be missed), then the older ones
  const current = await openIfPresent(logPath);
  if (current) seen.add(current.ino);
  const older: { p: string; opened: { fh: FileHandle; ino: number } | undefined }[] = [];
  for (const n of (await rotatedNumbers(logPath)).reverse()) older.push({ p: rotatedPath(logPath, n), opened: await openIfPresent(rotatedPath(logPath, n)) });
  older.push({ p: liveLinkPath(logPath), opened: await openIfPresent(liveLinkPath(logPath)) });
  for (const o of older) add(o.p, o.opened, false);
  if (current) out.push({ path: logPath, fh: current.fh, ino: current.ino, current: true });
  return out;
}
