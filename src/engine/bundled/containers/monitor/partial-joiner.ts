/**
 * Puts lines back together from k8s-file records: the `P` pieces of a stream and the `F`
 * record after them (on the same stream; the other stream may interleave) are one line, timed
 * at its first piece.
 *
 * Order: a line comes at the place of its `F` record. A line still unfinished (no `F` yet) is
 * placed at its last piece: when `flush` gives it out, marked `partial`, lines of the other
 * stream that came after that piece wait for it, so the order never depends on where a read
 * stopped. (tail relies on this: it counts line places from the end.) After a flush the rest
 * of an unfinished line comes as a line of its own, so `text + (partial ? '' : '\n')` always
 * rebuilds the output exactly.
 */
import type { LogRecord, LogStream } from './k8s-log-record';

export interface JoinedLine {
  readonly stream: LogStream;
  readonly timeNs: bigint;
  readonly text: string;
  readonly partial: boolean;
}

interface Pending {
  readonly timeNs: bigint;
  readonly parts: string[];
  /** Place of the last piece. */
  place: number;
}

export class PartialJoiner {
  private readonly pending = new Map<LogStream, Pending>();
  /** Whole lines waiting behind an unfinished one, in place order. */
  private held: { readonly place: number; readonly line: JoinedLine }[] = [];
  private places = 0;

  /** The lines that can be given out after `record`, in order. */
  push(record: LogRecord): JoinedLine[] {
    const place = this.places++;
    const open = this.pending.get(record.stream);
    if (record.partial) {
      if (open) {
        open.parts.push(record.text);
        open.place = place;
      } else {
        this.pending.set(record.stream, { timeNs: record.timeNs, parts: [record.text], place });
      }
      return [];
    }
    this.pending.delete(record.stream);
    const line: JoinedLine = open
      ? { stream: record.stream, timeNs: open.timeNs, text: open.parts.join('') + record.text, partial: false }
      : { stream: record.stream, timeNs: record.timeNs, text: record.text, partial: false };
    this.held.push({ place, line });
    return this.release();
  }

  /** An unfinished line is waiting. */
  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** Everything waiting, unfinished lines as partial ones, in order; forgets them. */
  flush(): JoinedLine[] {
    for (const [stream, p] of this.pending) this.held.push({ place: p.place, line: { stream, timeNs: p.timeNs, text: p.parts.join(''), partial: true } });
    this.pending.clear();
    const out = this.held.sort((a, b) => a.place - b.place).map((h) => h.line);
    this.held = [];
    return out;
  }

  private release(): JoinedLine[] {
    let before = Infinity;
    for (const p of this.pending.values()) before = Math.min(before, p.place);
    let n = 0;
    while (n < this.held.length && (this.held[n] as { place: number }).place < before) n++;
    return this.held.splice(0, n).map((h) => h.line);
  }
}
