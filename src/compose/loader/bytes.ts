/**
 * Compose byte sizes (`mem_limit: 50M`, `shm_size: 1gb`, `tmpfs.size: 10000`)
 * in bytes, as Docker reads them: an integer is bytes; a string is a number
 * (fractions allowed) with an optional binary unit `b k m g t p`, optionally
 * followed by `i` and/or `b`, case-insensitive (`50M` = 50 × 1024²).
 */

const MULTIPLIERS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

/** Bytes, or undefined when `value` is not a size. */
export function parseBytes(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : Math.trunc(value);
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(value.trim());
  if (!m) return /^-\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
  const size = parseFloat(m[1]);
  return Math.trunc(size * MULTIPLIERS[(m[2] ?? '').toLowerCase()]);
}
