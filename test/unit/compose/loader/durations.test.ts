import { formatDuration, normalizeDuration, parseDuration } from '../../../../src/compose/loader/durations';

describe('durations', () => {
  it.each([
    ['10s', '10s'],
    ['90s', '1m30s'],
    ['60s', '1m0s'],
    ['120s', '2m0s'],
    ['1h', '1h0m0s'],
    ['1.5h', '1h30m0s'],
    ['1h2m3.5s', '1h2m3.5s'],
    ['500ms', '500ms'],
    ['1500ms', '1.5s'],
    ['2us', '2µs'],
    ['2µs', '2µs'],
    ['1.25ms', '1.25ms'],
    ['100ns', '100ns'],
    ['0', '0s'],
    ['0s', '0s'],
    ['-5s', '-5s'],
    ['.5s', '500ms'],
  ])('%s is printed %s, as Go prints it', (input, expected) => {
    expect(normalizeDuration(input)).toBe(expected);
  });

  it('rejects what Go rejects', () => {
    for (const bad of ['', '10', 's', '1x', '10 s', '1h 30m', '.s']) expect(parseDuration(bad)).toBeUndefined();
  });

  it('reads nanoseconds exactly', () => {
    expect(parseDuration('1m30s')).toBe(90e9);
    expect(formatDuration(3_723_000_000_000)).toBe('1h2m3s');
  });
});
