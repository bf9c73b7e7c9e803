/**
 * One record of a k8s-file log (the CRI logging format conmon writes):
 *
 *   2026-11-23T17:33:23.438424992+00:00 stdout F line 1
 *   <RFC 3339, nanoseconds, local offset> <stdout|stderr> <F|P> <text>
 *
 * `F` ends a line; `P` is a piece of a line without its newline yet — what the process wrote
 * without a newline, or one 8 KiB piece of a longer line (conmon splits those). The text keeps
 * everything but the newline (a `\r` stays). Times here are nanoseconds since the epoch as
 * bigint (a double cannot hold them) and are shown in UTC (`…Z`), as Docker shows them.
 */

export type LogStream = 'stdout' | 'stderr';

export interface LogRecord {
  readonly timeNs: bigint;
  readonly stream: LogStream;
  readonly partial: boolean;
  readonly text: string;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9})\d*)?([Zz]|[+-]\d{2}:?\d{2})$/;

/** Nanoseconds since the epoch of an RFC 3339 time; undefined when it is not one. */
export function parseRfc3339Ns(text: string): bigint | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) return undefined;
  let offsetMin = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const digits = zone.replace(':', '');
    offsetMin = (digits.startsWith('-') ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  return (BigInt(ms) - BigInt(offsetMin) * 60_000n) * 1_000_000n + BigInt(frac.padEnd(9, '0'));
}

/** RFC 3339 in UTC with nine fractional digits: `2026-11-23T17:33:23.438424992Z`. */
export function formatNs(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const wholeSeconds = (ns >= 0n ? ns / 1_000_000_000n : (ns - 999_999_999n) / 1_000_000_000n) * 1_000_000_000n;
  const fraction = (ns - wholeSeconds).toString().padStart(9, '0');
  return `${new Date(Number(ms)).toISOString().slice(0, 19)}.${fraction}Z`;
}

/** One record; undefined for a line that is not one (a torn write, garbage). */
export function parseLogRecord(line: string): LogRecord | undefined {
  const s1 = line.indexOf(' ');
  if (s1 < 0) return undefined;
  const s2 = line.indexOf(' ', s1 + 1);
  if (s2 < 0) return undefined;
  const stream = line.slice(s1 + 1, s2);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const s3 = line.indexOf(' ', s2 + 1);
  const tags = s3 < 0 ? line.slice(s2 + 1) : line.slice(s2 + 1, s3);
  const timeNs = parseRfc3339Ns(line.slice(0, s1));
  if (timeNs === undefined || tags === '') return undefined;
  return { timeNs, stream, partial: tags.split(':').includes('P'), text: s3 < 0 ? '' : line.slice(s3 + 1) };
}
