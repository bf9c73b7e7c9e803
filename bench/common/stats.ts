/** The figures every bench prints for a set of timed runs: median, min, max. */

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export interface RunFigures {
  readonly median: number | undefined;
  readonly min: number | undefined;
  readonly max: number | undefined;
}

/** Median, min and max of the runs of a tool that worked; all undefined for one that failed. */
export function runFigures(ok: boolean, seconds: readonly number[]): RunFigures {
  return {
    median: ok ? median(seconds) : undefined,
    min: ok ? Math.min(...seconds) : undefined,
    max: ok ? Math.max(...seconds) : undefined,
  };
}

/** `1.234 s` */
export const secondsText = (s: number): string => `${s.toFixed(3)} s`;

/** `123.4 ms` (from seconds) */
export const ms = (s: number): string => `${(s * 1000).toFixed(1)} ms`;

/** `median 1.234 s  (min 1.000 s, max 2.000 s, 5 runs)`; a missing figure shows as 0. */
export function runsLine(f: RunFigures, runs: number, unit: (seconds: number) => string): string {
  return `median ${unit(f.median ?? 0)}  (min ${unit(f.min ?? 0)}, max ${unit(f.max ?? 0)}, ${runs} runs)`;
}
