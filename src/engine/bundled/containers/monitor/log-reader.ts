/**
 * A container's log as LogLines: the k8s-file conmon writes (k8s-log-record.ts) and the
 * rotated files kept beside it (log-files.ts, log-keeper.ts), oldest first.
 *
 * - stdout/stderr: when neither is given both come; otherwise only the ones set to true.
 * - tail N: the last N lines, found by reading the files backwards from the end (a long log is
 *   not read whole); then since/until apply to those N (Docker's order).
 * - since/until (log-time.ts): by each line's time (its first piece's for a joined line).
 * - Partial records (`P`) are joined with the rest of their line when it is there; an
 *   unfinished line (no newline yet) comes out marked `partial` (partial-joiner.ts).
 * - follow: after what is there, new lines as they are written, until `signal` aborts (ends at
 *   once) or `stopWhen` settles (reads what is left first — e.g. when the container exited) or
 *   `until` passes. Woken by fs.watch on the log's directory, with a poll as fallback.
 *   Rotation is followed: when `<log>` becomes a new file, the old one is read to its end, then
 *   the new one from its start; a file truncated in place is read again from its start.
 */
import { promises as fs, watch, type FSWatcher } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import type { LogLine, LogOptions } from '../../../containers';
import { readLinesBackward, readLinesForward, lastLineEnd } from './file-lines';
import { formatNs, parseLogRecord, type LogRecord, type LogStream } from './k8s-log-record';
import { openLogFiles, type OpenLogFile } from './log-files';
import { parseLogTime } from './log-time';
import { PartialJoiner, type JoinedLine } from './partial-joiner';

export interface ReadLogOptions extends LogOptions {
  /** When it settles, a follow reads what is left and ends. */
  readonly stopWhen?: PromiseLike<unknown>;
  /** Poll interval of a follow, as a fallback to fs.watch; default 250 ms. */
  readonly pollMs?: number;
  /** How long a follow holds back an unfinished line before giving it out as partial; default 100 ms. */
  readonly partialDelayMs?: number;
}

interface Position {
  fh: FileHandle;
  ino: number;
  offset: number;
}

function toLogLine(l: JoinedLine): LogLine {
  return { stream: l.stream, time: formatNs(l.timeNs), text: l.text, ...(l.partial ? { partial: true } : {}) };
}

function wantedStreams(o: LogOptions): ReadonlySet<LogStream> {
  if (o.stdout === undefined && o.stderr === undefined) return new Set(['stdout', 'stderr']);
  const out = new Set<LogStream>();
  if (o.stdout) out.add('stdout');
  if (o.stderr) out.add('stderr');
  return out;
}

/**
 * The last `tail` lines of the wanted streams across `files` (newest last), and where the
 * current file was read up to. Reads backwards: first past the last `tail` line ends (an `F`
 * record, or an unfinished line at the very end), then on until each stream with a line among
 * them shows an earlier `F` — the line after it is whole, its `P` pieces come after that
 * record in the stream — or the log's start.
 */
async function tailLines(files: readonly OpenLogFile[], tail: number, streams: ReadonlySet<LogStream>): Promise<{ lines: JoinedLine[]; currentEnd: number }> {
  let currentEnd = 0;
  const currentFile = files[files.length - 1];
  if (currentFile?.current) currentEnd = await lastLineEnd(currentFile.fh, (await currentFile.fh.stat()).size);
  if (tail <= 0) return { lines: [], currentEnd };

  const collected: LogRecord[] = []; // newest first
  const seenEnd = new Set<LogStream>(); // streams with a line end (or an unfinished last line) seen
  const needBoundary = new Set<LogStream>();
  let lineEnds = 0;
  let reachedStart = true;
  scan: for (let i = files.length - 1; i >= 0; i--) {
    const file = files[i] as OpenLogFile;
    const end = file.current ? currentEnd : (await file.fh.stat()).size;
    for await (const line of readLinesBackward(file.fh, end)) {
      const rec = parseLogRecord(line);
      if (!rec || !streams.has(rec.stream)) continue;
      collected.push(rec);
      if (rec.partial) {
        if (!seenEnd.has(rec.stream) && lineEnds < tail) {
          lineEnds++; // an unfinished last line counts as one
          needBoundary.add(rec.stream);
        }
      } else if (lineEnds < tail) {
        lineEnds++;
        needBoundary.add(rec.stream);
      } else {
        needBoundary.delete(rec.stream); // the F before this stream's earliest counted line
      }
      seenEnd.add(rec.stream);
      if (lineEnds >= tail && needBoundary.size === 0) {
        reachedStart = false;
        break scan;
      }
    }
  }
  // forwards: each stream from just after its earliest F on (unless the log's start was
  // reached), so no line comes out without its first pieces; the last `tail` are the counted ones
  const joiner = new PartialJoiner();
  const skipping = new Set<LogStream>(reachedStart ? [] : [...streams]);
  const lines: JoinedLine[] = [];
  for (let i = collected.length - 1; i >= 0; i--) {
    const rec = collected[i] as LogRecord;
    if (skipping.has(rec.stream)) {
      if (!rec.partial) skipping.delete(rec.stream);
      continue;
    }
    lines.push(...joiner.push(rec));
  }
  lines.push(...joiner.flush());
  return { lines: lines.slice(-tail), currentEnd };
}

/** Resolves on a change in `dir`, after `ms`, or on abort — whichever comes first. */
class ChangeWaiter {
  private watcher: FSWatcher | undefined;
  private wake: (() => void) | undefined;
  private changed = false;

  constructor(dir: string) {
    try {
      this.watcher = watch(dir, { persistent: false }, () => this.notify());
      this.watcher.on('error', () => this.close());
    } catch {
      this.watcher = undefined; // polling only
    }
  }

  notify(): void {
    this.changed = true;
    this.wake?.();
  }

  wait(ms: number): Promise<void> {
    if (this.changed) {
      this.changed = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.wake = undefined;
        self.changed = false;
        resolve();
      }
      this.wake = done;
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}

export async function* readLog(logPath: string, options: ReadLogOptions = {}): AsyncGenerator<LogLine, void, undefined> {
  const signal = options.signal;
  if (signal?.aborted) return;
  const streams = wantedStreams(options);
  const now = Date.now();
  const since = options.since !== undefined && options.since !== '' ? parseLogTime(options.since, now, 'since') : undefined;
  const until = options.until !== undefined && options.until !== '' ? parseLogTime(options.until, now, 'until') : undefined;
  const inRange = (l: JoinedLine): boolean => (since === undefined || l.timeNs >= since) && (until === undefined || l.timeNs <= until);
  if (streams.size === 0) return;

  const files = await openLogFiles(logPath);
  const joiner = new PartialJoiner();
  let position: Position | undefined;
  const closeAll = async (): Promise<void> => {
    for (const f of files) await f.fh.close().catch(() => undefined);
    if (position && !files.some((f) => f.fh === position?.fh)) await position.fh.close().catch(() => undefined);
  };
  let waiter: ChangeWaiter | undefined;
  try {
    const currentFile = files.find((f) => f.current);
    if (options.tail !== undefined && options.tail >= 0) {
      const { lines, currentEnd } = await tailLines(files, options.tail, streams);
      for (const l of lines) if (inRange(l)) yield toLogLine(l);
      if (currentFile) position = { fh: currentFile.fh, ino: currentFile.ino, offset: currentEnd };
    } else {
      for (const file of files) {
        if (!file.current && since !== undefined && (await endsBefore(file, since))) continue;
        let offset = 0;
        const size = (await file.fh.stat()).size;
        while (offset < size) {
          const read = await readLinesForward(file.fh, offset);
          if (read.next === offset) break;
          offset = read.next;
          for (const line of read.lines) {
            const rec = parseLogRecord(line);
            if (!rec || !streams.has(rec.stream)) continue;
            for (const joined of joiner.push(rec)) if (inRange(joined)) yield toLogLine(joined);
          }
          if (signal?.aborted) return;
        }
        if (file.current) position = { fh: file.fh, ino: file.ino, offset };
      }
    }
    if (!options.follow) {
      for (const l of joiner.flush()) if (inRange(l)) yield toLogLine(l);
      return;
    }

    // follow
    let stopping = false;
    let stopRead = false;
    waiter = new ChangeWaiter(path.dirname(logPath));
    const w = waiter;
    const onAbort = (): void => w.notify();
    signal?.addEventListener('abort', onAbort, { once: true });
    void Promise.resolve(options.stopWhen).then(() => {
      if (options.stopWhen !== undefined) {
        stopping = true;
        w.notify();
      }
    }, () => {
      stopping = true;
      w.notify();
    });
    const pollMs = options.pollMs ?? 250;
    const partialDelayMs = options.partialDelayMs ?? 100;
    let pendingSince: number | undefined;
    try {
      for (;;) {
        if (signal?.aborted) return;
        if (until !== undefined && BigInt(Date.now()) * 1_000_000n > until) break;
        const finalRound = stopping;
        let progressed = false;
        if (!position) {
          const opened = await fs.open(logPath, 'r').catch(() => undefined);
          if (opened) position = { fh: opened, ino: (await opened.stat()).ino, offset: 0 };
        }
        if (position) {
          const read = await readLinesForward(position.fh, position.offset);
          if (read.next > position.offset) progressed = true;
          position.offset = read.next;
          for (const line of read.lines) {
            const rec = parseLogRecord(line);
            if (!rec || !streams.has(rec.stream)) continue;
            for (const joined of joiner.push(rec)) {
              if (until !== undefined && joined.timeNs > until) {
                stopRead = true;
                break;
              }
              if (inRange(joined)) yield toLogLine(joined);
              if (signal?.aborted) return;
            }
            if (stopRead) break;
          }
          if (stopRead) break;
          if (!progressed) {
            const st = await fs.stat(logPath).catch(() => undefined);
            if (st && st.ino !== position.ino) {
              // rotated: the old file is read to its end above; go on with the new one
              const old = position;
              const again = await readLinesForward(old.fh, old.offset);
              if (again.next > old.offset) {
                position.offset = again.next;
                for (const line of again.lines) {
                  const rec = parseLogRecord(line);
                  if (!rec || !streams.has(rec.stream)) continue;
                  for (const joined of joiner.push(rec)) if (inRange(joined)) yield toLogLine(joined);
                }
                continue;
              }
              if (!files.some((f) => f.fh === old.fh)) await old.fh.close().catch(() => undefined);
              position = undefined;
              continue;
            }
            if (st && st.size < position.offset) {
              position.offset = 0; // truncated in place
              continue;
            }
          }
        }
        // an unfinished line (and what waits behind it) goes out after partialDelayMs, even
        // while other lines keep coming
        if (!joiner.hasPending) pendingSince = undefined;
        else {
          pendingSince ??= Date.now();
          if (Date.now() - pendingSince >= partialDelayMs) {
            for (const l of joiner.flush()) if (inRange(l)) yield toLogLine(l);
            pendingSince = undefined;
          }
        }
        if (progressed) continue;
        if (finalRound) {
          for (const l of joiner.flush()) if (inRange(l)) yield toLogLine(l);
          return;
        }
        await w.wait(joiner.hasPending ? Math.min(pollMs, partialDelayMs) : pollMs);
      }
      for (const l of joiner.flush()) if (inRange(l)) yield toLogLine(l);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  } finally {
    waiter?.close();
    await closeAll();
  }
}

/** Whether the last record of a (rotated) file is older than `since`. */
async function endsBefore(file: OpenLogFile, since: bigint): Promise<boolean> {
  const size = (await file.fh.stat()).size;
  for await (const line of readLinesBackward(file.fh, size)) {
    const rec = parseLogRecord(line);
    if (rec) return rec.timeNs < since;
  }
  return true;
}
