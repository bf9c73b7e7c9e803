import { parseLogTime } from '../../../../../../src/engine/bundled/containers/monitor/log-time';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

describe('parseLogTime', () => {
  it('reads Unix seconds with a fraction', () => {
    expect(parseLogTime('1700000000')).toBe(1_700_000_000_000_000_000n);
    expect(parseLogTime('1700000000.5')).toBe(1_700_000_000_500_000_000n);
    expect(parseLogTime('1700000000.000000001')).toBe(1_700_000_000_000_000_001n);
  });

  it('reads RFC 3339', () => {
    expect(parseLogTime('2026-11-23T12:00:00Z')).toBe(BigInt(NOW) * 1_000_000n);
    expect(parseLogTime('2026-11-23T13:00:00.25+01:00')).toBe(BigInt(NOW) * 1_000_000n + 250_000_000n);
  });

  it('reads a duration back from now', () => {
    expect(parseLogTime('10m', NOW)).toBe(BigInt(NOW - 600_000) * 1_000_000n);
    expect(parseLogTime('1h30m', NOW)).toBe(BigInt(NOW - 5_400_000) * 1_000_000n);
    expect(parseLogTime('1.5s', NOW)).toBe(BigInt(NOW - 1500) * 1_000_000n);
  });

  it('reads a local date-time without zone', () => {
    expect(parseLogTime('2026-11-23T12:00:00')).toBe(BigInt(new Date('2026-11-23T12:00:00').getTime()) * 1_000_000n);
    expect(parseLogTime('2026-11-23')).toBe(BigInt(new Date('2026-11-23T00:00:00').getTime()) * 1_000_000n);
  });

  it('rejects anything else, naming the option', () => {
    expect(() => parseLogTime('yesterday', NOW, 'until')).toThrow(InvalidArgumentError);
    expect(() => parseLogTime('yesterday', NOW, 'until')).toThrow(/"until": "yesterday"/);
    expect(() => parseLogTime('10 minutes')).toThrow(InvalidArgumentError);
  });
});
