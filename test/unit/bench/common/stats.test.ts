import { median, ms, runFigures, runsLine, secondsText } from '../../../../bench/common/stats';

describe('bench stats', () => {
  it('takes the middle run, or the mean of the two middle ones, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('gives median, min and max of a tool that worked, nothing for one that failed', () => {
    expect(runFigures(true, [0.5, 0.2, 0.9])).toEqual({ median: 0.5, min: 0.2, max: 0.9 });
    expect(runFigures(false, [0.5])).toEqual({ median: undefined, min: undefined, max: undefined });
  });

  it('prints the line docs/benchmarks.md shows, in seconds or milliseconds', () => {
    expect(runsLine(runFigures(true, [6.924, 6.66, 7.379, 7.0, 6.8]), 5, secondsText)).toBe('median 6.924 s  (min 6.660 s, max 7.379 s, 5 runs)');
    expect(runsLine(runFigures(true, [0.0816, 0.0614, 0.1201]), 3, ms)).toBe('median 81.6 ms  (min 61.4 ms, max 120.1 ms, 3 runs)');
  });
});
