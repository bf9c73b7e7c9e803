/**
 * A `since`/`until` value of a logs request as nanoseconds since the epoch. Accepted, as
 * Docker accepts them: Unix seconds with up to nine decimals (`1700000000.5`, what the API
 * sends), RFC 3339 with or without fraction (`2026-11-23T17:33:23.4Z`, `…+01:00`), a date or a
 * date-time without zone (local time), and a Go duration back from now (`10m`, `1h30m`, what
 * `docker logs --since 10m` means).
 */
import { InvalidArgumentError } from '../../../errors';
import { parseRfc3339Ns } from './k8s-log-record';

const UNITS: Readonly<Record<string, bigint>> = { ns: 1n, us: 1_000n, µs: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

function durationNs(text: string): bigint | undefined {
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0n;
  for (const [, num = '0', unit = 's'] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    const [whole = '0', frac = ''] = num.split('.');
    const per = UNITS[unit] ?? 1n;
    total += BigInt(whole) * per + (frac === '' ? 0n : (BigInt(frac.slice(0, 18).padEnd(18, '0')) * per) / 10n ** 18n);
  }
  return total;
}

export function parseLogTime(value: string, nowMs: number = Date.now(), option = 'since'): bigint {
  const text = value.trim();
  const unix = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text);
  if (unix) return BigInt(unix[1] as string) * 1_000_000_000n + BigInt((unix[2] ?? '').padEnd(9, '0'));
  const exact = parseRfc3339Ns(text);
  if (exact !== undefined) return exact;
  const ago = durationNs(text);
  if (ago !== undefined) return BigInt(nowMs) * 1_000_000n - ago;
  if (/^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(text)) {
    const local = new Date(text.length === 10 ? `${text}T00:00:00` : text.replace(' ', 'T')).getTime();
    if (!Number.isNaN(local)) return BigInt(local) * 1_000_000n;
  }
  throw new InvalidArgumentError(`invalid value for "${option}": ${JSON.stringify(value)} is not a Unix time, an RFC 3339 time or a duration like 10m`);
}
