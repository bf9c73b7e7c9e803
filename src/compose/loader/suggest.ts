/**
 * "Did you mean …?": the candidate closest to a misspelt word, if one is
 * close enough to be a likely intent. Case, `-` versus `_`, transposed
 * letters and a truncated word are all forgiven.
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const w = canonical(word);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const c = canonical(candidate);
    let d = editDistance(w, c);
    // A truncated word ("environ" for "environment") is a near miss however long the rest.
    if (w.length >= 4 && c.startsWith(w)) d = Math.min(d, 1);
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  return bestDistance <= tolerance(w.length) ? best : undefined;
}

function canonical(s: string): string {
  return s.toLowerCase().replace(/-/g, '_');
}

/** How many edits still look like a typo rather than a different word. */
function tolerance(length: number): number {
  if (length <= 3) return 1;
  if (length <= 8) return 2;
  return 3;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
