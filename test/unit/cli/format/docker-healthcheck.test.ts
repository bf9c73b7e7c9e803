import { dockerHealthcheck } from '../../../../src/cli/format/docker-healthcheck';

describe('dockerHealthcheck', () => {
  it('names every field as Docker does, durations in nanoseconds', () => {
    expect(dockerHealthcheck({ test: ['CMD-SHELL', 'curl -f localhost'], intervalNs: 1e9, timeoutNs: 2e9, startPeriodNs: 3e9, startIntervalNs: 4e9, retries: 5 })).toEqual({
      Test: ['CMD-SHELL', 'curl -f localhost'],
      Interval: 1e9,
      Timeout: 2e9,
      StartPeriod: 3e9,
      StartInterval: 4e9,
      Retries: 5,
    });
  });

  it('leaves out what is not set, and keeps zeros', () => {
    expect(dockerHealthcheck({ test: ['NONE'] })).toEqual({ Test: ['NONE'] });
    expect(dockerHealthcheck({ retries: 0, intervalNs: 0 })).toEqual({ Retries: 0, Interval: 0 });
    expect(dockerHealthcheck({})).toEqual({});
  });
});
