import { formatTime, parseTime, systemClock } from '../../../../src/engine/fake/engine-time';
import { InvalidArgumentError } from '../../../../src/engine/errors';
import { parseSignal } from '../../../../src/engine/fake/signals';
import { matchesLabels } from '../../../../src/engine/fake/label-filter';

describe('engine times', () => {
  it('print RFC 3339 with nine fraction digits and parse back', () => {
    const ns = 1_700_000_000_123_456_789n;
    expect(formatTime(ns)).toBe('2023-11-14T22:13:20.123456789Z');
    expect(parseTime(formatTime(ns), 'since')).toBe(ns);
  });

  it('parse offsets, short fractions and Unix seconds', () => {
    expect(parseTime('2023-11-14T23:13:20.5+01:00', 'since')).toBe(1_700_000_000_500_000_000n);
    expect(parseTime('1700000000', 'since')).toBe(1_700_000_000_000_000_000n);
    expect(parseTime('1700000000.25', 'until')).toBe(1_700_000_000_250_000_000n);
    expect(() => parseTime('10m', 'until')).toThrow(new InvalidArgumentError('invalid until time "10m": expected an RFC 3339 time or Unix seconds'));
  });

  it('come from a clock that never repeats and never lags the wall clock', () => {
    const clock = systemClock();
    const seen = Array.from({ length: 1000 }, () => clock());
    for (let i = 1; i < seen.length; i++) expect(seen[i]! > seen[i - 1]!).toBe(true);
    expect(clock() >= BigInt(Date.now() - 1) * 1_000_000n).toBe(true);
  });
});

describe('signals', () => {
  it('accept names with or without SIG, numbers and real-time signals', () => {
    expect(parseSignal('SIGTERM')).toEqual({ name: 'SIGTERM', number: 15 });
    expect(parseSignal('kill')).toEqual({ name: 'SIGKILL', number: 9 });
    expect(parseSignal('2')).toEqual({ name: 'SIGINT', number: 2 });
    expect(parseSignal('SIGRTMIN+3')).toEqual({ name: 'SIGRTMIN+3', number: 37 });
    expect(() => parseSignal('SIGFOO')).toThrow(new InvalidArgumentError('Invalid signal: SIGFOO'));
    expect(() => parseSignal('99')).toThrow('Invalid signal: 99');
  });
});

describe('label filters', () => {
  it('match a set key or an exact value, all of them', () => {
    const labels = { a: '1', b: '' };
    expect(matchesLabels(labels, ['a', 'b='])).toBe(true);
    expect(matchesLabels(labels, ['a=1', 'c'])).toBe(false);
    expect(matchesLabels(labels, ['a=2'])).toBe(false);
    expect(matchesLabels(labels, undefined)).toBe(true);
  });
});
