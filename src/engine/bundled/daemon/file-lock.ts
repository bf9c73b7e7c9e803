/**
 * A lock file made with O_EXCL that holds its owner's PID: the way two processes starting the
 * engine at once agree on one of them. A lock whose owner is gone (or that is older than
 * `staleMs`) is taken over; no flock, so it works on any file system.
 */
import * as fs from 'node:fs';
import { EngineError } from '../../errors';

export interface FileLock {
  release(): void;
}

/** Takes the lock, or returns undefined when a live process holds it. */
export function tryLock(file: string, staleMs = 60_000): FileLock | undefined {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o600);
      try {
        fs.writeSync(fd, `${process.pid}\n`);
      } finally {
        fs.closeSync(fd);
      }
      const ino = fs.statSync(file).ino;
      return {
        release: () => {
          try {
            // still ours: same file (inode numbers are reused, so also our PID in it)
            if (fs.statSync(file).ino === ino && readPid(file) === process.pid) fs.unlinkSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (!removeIfStale(file, staleMs)) return undefined;
  }
  return undefined;
}

/** Waits for the lock (polling); EngineError naming the holder after `timeoutMs`. */
export async function acquireLock(file: string, options: { readonly timeoutMs: number; readonly staleMs?: number }): Promise<FileLock> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const lock = tryLock(file, options.staleMs);
    if (lock) return lock;
    if (Date.now() >= deadline) throw new EngineError(`timed out after ${options.timeoutMs} ms waiting for the lock ${file} (held by ${holder(file)})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** True while `pid` exists and is not a zombie (EPERM: it exists, owned by someone else). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc: kill(0) said it exists
  }
}

/** The PID a lock or pid file holds, or undefined. */
export function readPid(file: string): number | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

function holder(file: string): string {
  const pid = readPid(file);
  return pid !== undefined ? `pid ${pid}` : 'an unknown process';
}

/** Removes the lock when its owner is gone or it is too old; true when it was removed. */
function removeIfStale(file: string, staleMs: number): boolean {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return true; // released meanwhile
  }
  const pid = readPid(file);
  const age = Date.now() - stat.mtimeMs;
  // a lock just created may not hold its PID yet: only an old one without a PID is stale
  const stale = pid !== undefined ? !isAlive(pid) || age > staleMs : age > 5_000;
  if (!stale) return false;
  try {
    if (fs.statSync(file).ino === stat.ino) fs.unlinkSync(file);
  } catch {
    // someone else removed it
  }
  return true;
}
