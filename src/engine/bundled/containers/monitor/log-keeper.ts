/**
 * Log rotation by size and count (Docker's `max-size` and `max-file`) on top of conmon's.
 *
 * What conmon 2.1.6 does with `--log-size-max N` (watched with strace here): before a write
 * that would take the log past N bytes it opens `<log>.tmp` (O_TRUNC), renames it over `<log>`
 * and writes on in the new, empty file. Rotation falls between records, so no record is torn
 * and no file exceeds N — but the old content is unlinked: conmon keeps no `.1`. Its counter
 * starts at 0 with each conmon, so a restarted container appends up to N more bytes to what
 * the previous run left.
 *
 * Keeping `max-file - 1` old files therefore works by hard links: while the container runs, the
 * keeper holds a second name, `<log>.live`, for the file conmon writes. When conmon renames a
 * new file over `<log>`, the old one lives on under `.live`; the keeper shifts `<log>.1…` up
 * (dropping the oldest), renames `.live` to `<log>.1` and links the new `<log>` as `.live`. It
 * reacts to fs.watch events on the log's directory (and polls each second as a fallback), so
 * only a file that filled up before the keeper noticed the previous rotation — max-size bytes
 * written within milliseconds — can be lost. With no keeper running (the engine is down) the
 * size bound still holds; rotated content is then lost as with `max-file: 1`.
 *
 * The reader (log-files.ts) reads `<log>.N … <log>.1`, then `.live` when it is not `<log>`
 * (a rotation the keeper has not filed yet), then `<log>`.
 */
import { promises as fs, watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../../../errors';
import { liveLinkPath, rotatedNumbers, rotatedPath } from './log-files';

export interface LogKeeperOptions {
  /** Docker's max-file: the current file plus max-file - 1 rotated ones. ≤ 1 keeps nothing. */
  readonly maxFiles: number;
  /** Fallback poll; default 1000 ms. */
  readonly pollMs?: number;
  readonly onError?: (err: Error) => void;
}

async function inode(p: string): Promise<number | undefined> {
  return fs.stat(p).then((st) => st.ino, () => undefined);
}

/** Shifts the rotated files up by one, dropping the ones beyond `keep`. */
async function shift(logPath: string, keep: number): Promise<void> {
  const present = await rotatedNumbers(logPath);
  for (const n of present.filter((k) => k >= keep)) await fs.rm(rotatedPath(logPath, n), { force: true });
  for (const n of present.filter((k) => k < keep).reverse()) await fs.rename(rotatedPath(logPath, n), rotatedPath(logPath, n + 1));
}

/**
 * Files the file conmon wrote until now as `<log>.1` (shifting the older ones), while no conmon
 * writes the log — before a container starts again, so that conmon's count starting at 0 does
 * not let the file grow past max-size. Nothing happens for an empty or missing log, or when
 * `maxFiles` ≤ 1 (then conmon's truncation is all there is).
 */
export async function rotateLog(logPath: string, maxFiles: number): Promise<void> {
  if (maxFiles <= 1) return;
  const st = await fs.stat(logPath).catch(() => undefined);
  if (!st || st.size === 0) return;
  await fs.rm(liveLinkPath(logPath), { force: true });
  await shift(logPath, maxFiles - 1);
  await fs.rename(logPath, rotatedPath(logPath, 1));
}

/** Keeps the files conmon rotates away (see above) until close(). */
export function keepRotatedLogs(logPath: string, options: LogKeeperOptions): { close(): void } {
  const keep = Math.floor(options.maxFiles) - 1;
  if (keep < 1) return { close: () => undefined };
  const onError = options.onError ?? ((err: Error) => process.emitWarning(err));
  const live = liveLinkPath(logPath);
  const base = path.basename(logPath);
  let closed = false;
  let running: Promise<void> = Promise.resolve();

  const sync = async (): Promise<void> => {
    if (closed) return;
    const current = await inode(logPath);
    if (current === undefined) return;
    const kept = await inode(live);
    if (kept === current) return;
    if (kept !== undefined) {
      await shift(logPath, keep);
      await fs.rename(live, rotatedPath(logPath, 1));
    }
    try {
      await fs.link(logPath, live);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // rotating right now: next event
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      await fs.rm(live, { force: true });
      await fs.link(logPath, live);
    }
  };
  let queued = false; // a sync is waiting to run: more events need no other one
  const schedule = (): void => {
    if (queued) return;
    queued = true;
    running = running
      .then(() => {
        queued = false;
        return sync();
      })
      .catch((err: Error) => onError(new EngineError(`keeping the rotated logs of ${logPath} failed: ${err.message}`)));
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(path.dirname(logPath), { persistent: false }, (_event, filename) => {
      const name = filename === null ? '' : String(filename);
      if (name === '' || name === base || name === `${base}.tmp`) schedule();
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    watcher = undefined; // the poll alone
  }
  const timer = setInterval(schedule, options.pollMs ?? 1000);
  timer.unref();
  schedule();
  return {
    close(): void {
      closed = true;
      clearInterval(timer);
      watcher?.close();
    },
  };
}
