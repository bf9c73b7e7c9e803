/** Sizes and ages the way the Docker CLI prints them in tables. */

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** Decimal units with three significant digits: `4.26MB`, `72.8MB`, `1.2GB`, `512B`. */
export function humanSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toPrecision(3))}${UNITS[unit]}`;
}

/** How long ago, as Docker says it: `Less than a second`, `5 minutes`, `About an hour`, `3 weeks`. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const m = Math.floor(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.floor(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.floor(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24 / 30)} months`;
  return `${Math.floor(h / 24 / 365)} years`;
}

/** `2 weeks ago`, or `N/A` when the time is unknown. */
export function humanAge(iso: string | undefined, now: number = Date.now()): string {
  if (iso === undefined) return 'N/A';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 'N/A';
  return `${humanDuration(Math.max(0, now - t))} ago`;
}

/** The 12-hex-digit short form of an ID (`sha256:` dropped). */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** Left-aligned columns separated by three spaces, as `docker … ls` prints them. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('   ').trimEnd() + '\n';
  return line(header) + rows.map(line).join('');
}
