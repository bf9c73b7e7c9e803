import { bytes, durationMs, envEntry, logTime, restartPolicy, seconds } from '../../../../../src/cli/commands/container/parse-flags';

describe('container flag values', () => {
  it('sizes in binary units, as Docker’s --memory', () => {
    expect(bytes('32m')).toBe(32 * 1024 * 1024);
    expect(bytes('32MB')).toBe(32 * 1024 * 1024);
    expect(bytes('1g')).toBe(1024 ** 3);
    expect(bytes('1.5k')).toBe(1536);
    expect(bytes('100')).toBe(100);
    expect(() => bytes('lots')).toThrow('invalid size "lots"');
  });

  it('Go durations', () => {
    expect(durationMs('30s')).toBe(30_000);
    expect(durationMs('1m30s')).toBe(90_000);
    expect(durationMs('500ms')).toBe(500);
    expect(durationMs('1h')).toBe(3_600_000);
    expect(() => durationMs('10')).toThrow('invalid duration "10"');
    expect(() => durationMs('5x')).toThrow('invalid duration');
  });

  it('restart policies', () => {
    expect(restartPolicy('always')).toEqual({ name: 'always' });
    expect(restartPolicy('on-failure:3')).toEqual({ name: 'on-failure', maxRetries: 3 });
    expect(restartPolicy('unless-stopped')).toEqual({ name: 'unless-stopped' });
    expect(() => restartPolicy('always:3')).toThrow('invalid restart policy "always:3"');
    expect(() => restartPolicy('sometimes')).toThrow('invalid restart policy');
  });

  it('seconds', () => {
    expect(seconds('0')).toBe(0);
    expect(seconds('15')).toBe(15);
    expect(() => seconds('-1')).toThrow('invalid number of seconds');
  });

  it('log times: Unix seconds as they are, durations before now, dates as RFC 3339', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    expect(logTime('1700000000', now)).toBe('1700000000');
    expect(logTime('10m', now)).toBe('2026-11-23T11:50:00.000Z');
    expect(logTime('1h30m', now)).toBe('2026-11-23T10:30:00.000Z');
    expect(logTime('2026-11-23T11:00:00+01:00', now)).toBe('2026-11-23T10:00:00.000Z');
    expect(() => logTime('yesterday', now)).toThrow('invalid time "yesterday"');
  });

  it('-e KEY takes our value when we have one, else stays bare', () => {
    expect(envEntry('A=1', { A: '2' })).toBe('A=1');
    expect(envEntry('A', { A: '2' })).toBe('A=2');
    expect(envEntry('B', { A: '2' })).toBe('B');
  });
});
