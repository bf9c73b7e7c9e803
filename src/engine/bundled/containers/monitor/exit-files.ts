/**
 * Container exits as conmon reports them: when the container's init process ends, conmon
 * writes its exit code (decimal, no newline; 128 + n for signal n, e.g. 137 for SIGKILL) to
 * `<exitDir>/<id>`, atomically (a temp file `<id>.XXXXXX` renamed into place), then exits.
 *
 * watchExits watches the directory with inotify (fs.watch), rescans it right away — exits that
 * happened while nobody watched (the engine was down) are reported too — and again every few
 * seconds in case an inotify event was lost. A file is reported once per version (inode and
 * mtime): callers get each exit once per watcher, and every exit file that exists when a new
 * watcher starts; removing a handled exit file is the caller's business (createUnderMonitor
 * removes the previous one when the container runs again).
 */
import { promises as fs, watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../../../errors';

/** The exit code conmon recorded for `id`; undefined while there is none. */
export async function readExitFile(exitDir: string, id: string): Promise<number | undefined> {
  const file = path.join(exitDir, id);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EngineError(`cannot read the exit file ${file}: ${(err as Error).message}`);
  }
  const code = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(code)) throw new EngineError(`the exit file ${file} holds ${JSON.stringify(text.slice(0, 40))}, not an exit code`);
  return code;
}

export interface WatchExitsOptions {
  /** Between rescans; default 5000 ms. */
  readonly rescanMs?: number;
  /** Failures of the watcher or of `onExit` (default: a process warning). */
  readonly onError?: (err: Error) => void;
}

/** A container ID as an exit file name: conmon's temp files carry a `.XXXXXX` suffix. */
function isExitFileName(name: string): boolean {
  return name !== '' && !name.includes('.');
}

export function watchExits(exitDir: string, onExit: (id: string, exitCode: number) => void, options: WatchExitsOptions = {}): { close(): void } {
  const onError = options.onError ?? ((err: Error) => process.emitWarning(err));
  const reported = new Map<string, string>();
  let closed = false;
  let watcher: FSWatcher | undefined;

  const check = async (id: string): Promise<void> => {
    const file = path.join(exitDir, id);
    const st = await fs.stat(file, { bigint: true }).catch(() => undefined);
    if (closed || !st?.isFile()) {
      if (!st) reported.delete(id);
      return;
    }
    const version = `${st.ino}:${st.mtimeNs}`;
    if (reported.get(id) === version) return;
    let code: number | undefined;
    try {
      code = await readExitFile(exitDir, id);
    } catch (err) {
      onError(err as Error);
      return;
    }
    if (closed || code === undefined || reported.get(id) === version) return;
    reported.set(id, version);
    try {
      onExit(id, code);
    } catch (err) {
      onError(new EngineError(`handling the exit of container ${id} failed: ${(err as Error).message}`));
    }
  };

  const rescan = async (): Promise<void> => {
    let names: string[];
    try {
      names = await fs.readdir(exitDir);
    } catch (err) {
      if (!closed) onError(new EngineError(`cannot read the exit directory ${exitDir}: ${(err as Error).message}`));
      return;
    }
    for (const id of [...reported.keys()]) if (!names.includes(id)) reported.delete(id);
    for (const name of names) if (isExitFileName(name)) await check(name);
  };

  try {
    watcher = watch(exitDir, { persistent: false }, (_event, filename) => {
      const name = filename === null ? '' : String(filename);
      if (isExitFileName(name)) void check(name);
      else if (name === '') void rescan();
    });
    watcher.on('error', (err) => onError(new EngineError(`watching the exit directory ${exitDir} failed: ${err.message}`)));
  } catch (err) {
    throw new EngineError(`cannot watch the exit directory ${exitDir}: ${(err as Error).message}`);
  }
  const timer = setInterval(() => void rescan(), options.rescanMs ?? 5000);
  timer.unref();
  setImmediate(() => void rescan());

  return {
    close(): void {
      closed = true;
      clearInterval(timer);
      watcher?.close();
    },
  };
}
