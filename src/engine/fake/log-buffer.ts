/**
 * One fake container's output: every line it "wrote" with its time, read back with Docker's
 * log options (stdout/stderr, since, until, tail) and followed until the container stops.
 */
import type { LogLine, LogOptions } from '../containers';
import { AsyncQueue } from './async-queue';
import { type Clock, formatTime, parseTime } from './engine-time';

interface Entry {
  readonly ns: bigint;
  readonly line: LogLine;
}

export class LogBuffer {
  private readonly entries: Entry[] = [];
  private readonly followers = new Set<(e: Entry | undefined) => void>();

  constructor(private readonly clock: Clock) {}

  /** Each line of `text` (split at newlines; a trailing newline adds no empty line). */
  append(stream: 'stdout' | 'stderr', text: string, options: { readonly partial?: boolean } = {}): void {
    const lines = text.split('\n');
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    for (const [i, piece] of lines.entries()) {
      const ns = this.clock();
      const partial = options.partial === true && i === lines.length - 1;
      const entry: Entry = { ns, line: { stream, time: formatTime(ns), text: piece, ...(partial ? { partial: true } : {}) } };
      this.entries.push(entry);
      for (const f of [...this.followers]) f(entry);
    }
  }

  /** Ends every follower (the container stopped or was removed). */
  endFollowers(): void {
    for (const f of [...this.followers]) f(undefined);
  }

  /** The lines `options` select; with `follow` (and `following` true) then the new ones until endFollowers. */
  read(options: LogOptions, following: boolean): AsyncIterable<LogLine> {
    const since = options.since !== undefined ? parseTime(options.since, 'since') : undefined;
    const until = options.until !== undefined ? parseTime(options.until, 'until') : undefined;
    const stdout = options.stdout ?? true;
    const stderr = options.stderr ?? true;
    const wanted = (e: Entry): boolean =>
      (e.line.stream === 'stdout' ? stdout : stderr) && (since === undefined || e.ns >= since) && (until === undefined || e.ns <= until);
    let past = this.entries.filter(wanted);
    if (options.tail !== undefined && options.tail >= 0) past = options.tail === 0 ? [] : past.slice(-options.tail);
    const queue = new AsyncQueue<LogLine>(options.signal);
    for (const e of past) queue.push(e.line);
    if (!options.follow || !following || (until !== undefined && until <= this.clock())) {
      queue.end();
      return queue;
    }
    const follower = (e: Entry | undefined): void => {
      if (e === undefined || (until !== undefined && e.ns > until)) queue.end();
      else if (wanted(e)) queue.push(e.line);
    };
    this.followers.add(follower);
    const stop = (): void => {
      this.followers.delete(follower);
    };
    queue.onClose(stop);
    options.signal?.addEventListener('abort', stop, { once: true });
    return queue;
  }
}
