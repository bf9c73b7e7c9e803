/**
 * Engine timestamps: nanoseconds since the epoch (bigint), printed as RFC 3339 with nine
 * fraction digits in UTC, and the `since`/`until` forms the engine accepts (RFC 3339 with any
 * offset, or Unix seconds with an optional fraction).
 */
import { InvalidArgumentError } from '../errors';

/** Nanoseconds since the epoch; strictly increasing between calls of one clock. */
export type Clock = () => bigint;

/** The wall clock with the monotonic clock's resolution, never returning the same value twice. */
export function systemClock(): Clock {
  const base = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
  let last = 0n;
  return () => {
    let now = base + process.hrtime.bigint();
    const wall = BigInt(Date.now()) * 1_000_000n; // never behind the wall clock's milliseconds
    if (now < wall) now = wall;
    if (now <= last) now = last + 1n;
    last = now;
    return now;
  };
}

/** `2024-05-01T10:00:00.123456789Z`. */
export function formatTime(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const iso = new Date(Number(ms)).toISOString(); // …:00.123Z
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${iso.slice(0, 19)}.${fraction}Z`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/;
const UNIX = /^(\d{1,12})(?:\.(\d{1,9}))?$/;

/** Parses an RFC 3339 time or Unix seconds (`1700000000`, `1700000000.5`); `what` names the option in errors. */
export function parseTime(input: string, what: string): bigint {
  const unix = UNIX.exec(input);
  if (unix) return BigInt(unix[1] as string) * 1_000_000_000n + fractionNs(unix[2]);
  const m = RFC3339.exec(input);
  if (m) {
    const [, y, mo, d, h, mi, s, frac, zone] = m as unknown as string[];
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
    const offsetMin = zone === 'Z' || zone === 'z' ? 0 : (zone!.startsWith('-') ? -1 : 1) * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6)));
    if (!Number.isNaN(ms)) return (BigInt(ms) - BigInt(offsetMin) * 60_000n) * 1_000_000n + fractionNs(frac);
  }
  throw new InvalidArgumentError(`invalid ${what} time ${JSON.stringify(input)}: expected an RFC 3339 time or Unix seconds`);
}

function fractionNs(digits: string | undefined): bigint {
  return digits === undefined ? 0n : BigInt(digits.padEnd(9, '0'));
}
