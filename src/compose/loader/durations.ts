/**
 * Compose durations (`1m30s`, `10s`, `1.5h`, `500ms`) — Go's
 * `time.ParseDuration` syntax — parsed to nanoseconds and printed back the
 * way Go prints them (`1m30s`, `1h0m0s`, `1.5s`, `500ms`), which is the form
 * `docker compose config` shows.
 */

const UNITS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3,
  'μs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Nanoseconds, or undefined when `text` is not a duration. A bare number is seconds only if it is 0. */
export function parseDuration(text: string): number | undefined {
  let s = text.trim();
  if (s === '') return undefined;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  const re = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (s !== '') {
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * UNITS[m[2]];
    s = s.slice(m[0].length);
  }
  return sign * Math.round(total);
}

/** Go's `time.Duration.String()`. */
export function formatDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = Math.abs(Math.round(ns));
  let out: string;
  if (u < 1e9) {
    // Sub-second: the largest unit that keeps a leading non-zero digit.
    const [unit, scale] = u < 1e3 ? ['ns', 1] : u < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    out = fraction(u, scale) + unit;
  } else {
    const h = Math.floor(u / 3600e9);
    u -= h * 3600e9;
    const m = Math.floor(u / 60e9);
    u -= m * 60e9;
    out = fraction(u, 1e9) + 's';
    if (h > 0) out = `${h}h${m}m${out}`;
    else if (m > 0) out = `${m}m${out}`;
  }
  return neg ? `-${out}` : out;
}

/** `value / scale` with trailing zeros of the fraction dropped (exact, integer arithmetic). */
function fraction(value: number, scale: number): string {
  const whole = Math.floor(value / scale);
  const rest = value - whole * scale;
  if (rest === 0) return String(whole);
  const digits = String(scale).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}

/** A duration as Docker Compose prints it, or undefined when it is not one. */
export function normalizeDuration(value: string | number): string | undefined {
  const text = String(value);
  // A model repeats its durations (`interval: 30s` in every service): each is worked out once.
  let known = normalized.get(text);
  if (known === undefined) {
    const ns = parseDuration(text);
    known = ns === undefined ? null : formatDuration(ns);
    if (normalized.size >= MAX_NORMALIZED) normalized.clear();
    normalized.set(text, known);
  }
  return known ?? undefined;
}

const normalized = new Map<string, string | null>();
const MAX_NORMALIZED = 1000;
