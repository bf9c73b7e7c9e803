import { formatNs, parseLogRecord, parseRfc3339Ns } from '../../../../../../src/engine/bundled/containers/monitor/k8s-log-record';

describe('k8s-file records', () => {
  it('parses what conmon writes', () => {
    expect(parseLogRecord('2026-11-23T17:33:23.438424992+00:00 stdout F line 1')).toEqual({ timeNs: 1795455203438424992n, stream: 'stdout', partial: false, text: 'line 1' });
    expect(parseLogRecord('2026-11-23T17:33:23.438424992+00:00 stderr P  two  spaces ')).toEqual({ timeNs: 1795455203438424992n, stream: 'stderr', partial: true, text: ' two  spaces ' });
  });

  it('keeps an empty line and a carriage return', () => {
    expect(parseLogRecord('2026-11-23T17:33:23.5Z stdout F ')?.text).toBe('');
    expect(parseLogRecord('2026-11-23T17:33:23.5Z stdout F')?.text).toBe('');
    expect(parseLogRecord('2026-11-23T17:33:23.5Z stdout F x\r')?.text).toBe('x\r');
  });

  it('reads multiple tags (CRI allows P:…)', () => {
    expect(parseLogRecord('2026-11-23T17:33:23Z stdout P:X text')?.partial).toBe(true);
  });

  it('rejects torn or foreign lines', () => {
    for (const line of ['', 'garbage', '2026-11-23T17:33:23Z stdin F x', 'yesterday stdout F x', '2026-11-23T17:33:23Z stdout', '23T17:33:23Z stdout F x']) {
      expect(parseLogRecord(line)).toBeUndefined();
    }
  });

  it('applies the offset and formats in UTC with nanoseconds', () => {
    const plus = parseRfc3339Ns('2026-11-23T18:33:23.000000001+01:00');
    expect(plus).toBe(parseRfc3339Ns('2026-11-23T17:33:23.000000001Z'));
    expect(formatNs(plus as bigint)).toBe('2026-11-23T17:33:23.000000001Z');
    expect(formatNs(parseRfc3339Ns('2026-11-23T17:33:23-0530') as bigint)).toBe('2026-11-23T23:03:23.000000000Z');
    expect(formatNs(0n)).toBe('1970-01-01T00:00:00.000000000Z');
  });
});
