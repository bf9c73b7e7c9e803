/**
 * Flag values the way the Docker CLI reads them: sizes (`32m`, binary units), durations
 * (`1m30s`, Go syntax), restart policies, seconds, and times for `logs --since` (RFC 3339,
 * Unix seconds, or a duration before now). Commander calls the single-argument ones as
 * option parsers; each failure names the flag value and what was expected.
 */
import { InvalidArgumentError as CommanderInvalidArgument } from 'commander';
import type { RestartPolicy } from '../../../engine/containers';

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
const DURATION_UNITS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `32m`, `1g`, `512k`, `1.5g`, `100` (bytes), `64mb` → bytes (Docker's RAMInBytes). */
export function bytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgtp]?)b?$/i.exec(text.trim());
  if (!m) throw new CommanderInvalidArgument(`invalid size "${text}": expected a number with an optional unit b, k, m, g (e.g. 32m)`);
  return Math.floor(Number(m[1]) * (SIZE_UNITS[(m[2] ?? '').toLowerCase()] ?? 1));
}

/** A Go duration (`30s`, `1m30s`, `500ms`, `1h`) → milliseconds. */
export function durationMs(text: string): number {
  const parts = text.trim().match(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g);
  if (!parts || parts.join('') !== text.trim()) throw new CommanderInvalidArgument(`invalid duration "${text}": expected e.g. 30s, 1m30s, 500ms`);
  return parts.reduce((sum, p) => {
    const [, n, unit] = /^(\d+(?:\.\d+)?)(.+)$/.exec(p) ?? [];
    return sum + Number(n) * (DURATION_UNITS[unit ?? ''] ?? 0);
  }, 0);
}

/** A whole number of seconds, 0 or more. */
export function seconds(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new CommanderInvalidArgument(`invalid number of seconds "${text}"`);
  return Number(text);
}

/** A whole number, 0 or more. */
export function count(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new CommanderInvalidArgument(`invalid number "${text}": expected a whole number`);
  return Number(text);
}

/** `no`, `always`, `unless-stopped`, `on-failure[:N]`. */
export function restartPolicy(text: string): RestartPolicy {
  const m = /^(no|always|unless-stopped|on-failure)(?::(\d+))?$/.exec(text.trim());
  if (!m || (m[2] !== undefined && m[1] !== 'on-failure')) {
    throw new CommanderInvalidArgument(`invalid restart policy "${text}": expected no, always, unless-stopped or on-failure[:max-retries]`);
  }
  const name = m[1] as RestartPolicy['name'];
  return m[2] !== undefined ? { name, maxRetries: Number(m[2]) } : { name };
}

/**
 * `logs --since/--until`: RFC 3339 (or a date), Unix seconds (`1700000000[.5]`), or a duration
 * before `now` (`10m`, `1h30m`) → what the engine takes (RFC 3339 or Unix seconds).
 */
export function logTime(text: string, now: number = Date.now()): string {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return t;
  if (/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(t)) return new Date(now - durationMs(t)).toISOString();
  const parsed = Date.parse(t);
  if (Number.isNaN(parsed)) throw new CommanderInvalidArgument(`invalid time "${text}": expected an RFC 3339 time, Unix seconds, or a duration like 10m`);
  return new Date(parsed).toISOString();
}

/**
 * `-e KEY=value` as given; `-e KEY` takes KEY's value from the environment when it is set, and
 * otherwise stays bare (the engine then removes KEY from the image's env, as Docker's does).
 */
export function envEntry(entry: string, env: Readonly<Record<string, string | undefined>>): string {
  if (entry.includes('=')) return entry;
  const value = env[entry];
  return value !== undefined ? `${entry}=${value}` : entry;
}
