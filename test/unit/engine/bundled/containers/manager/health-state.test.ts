import { effectiveCheck, initialHealth, nextProbeDelay, recordResult } from '../../../../../../src/engine/bundled/containers/manager/health-state';
import type { HealthResult, HealthState } from '../../../../../../src/engine/containers';

const result = (exitCode: number, output = ''): HealthResult => ({ start: 's', end: 'e', exitCode, output });

describe('effectiveCheck', () => {
  it('CMD runs the words, CMD-SHELL through /bin/sh -c, NONE turns the image’s check off', () => {
    expect(effectiveCheck({ test: ['CMD', 'true', 'x'] }, undefined)?.command).toEqual(['true', 'x']);
    expect(effectiveCheck({ test: ['CMD-SHELL', 'curl -f localhost || exit 1'] }, undefined)?.command).toEqual(['/bin/sh', '-c', 'curl -f localhost || exit 1']);
    expect(effectiveCheck({ test: ['NONE'] }, { test: ['CMD', 'true'] })).toBeUndefined();
    expect(effectiveCheck(undefined, undefined)).toBeUndefined();
  });

  it('fills Docker’s defaults and takes the image’s fields where the container has none', () => {
    expect(effectiveCheck(undefined, { test: ['CMD', 'true'], intervalNs: 2e9 })).toEqual({
      command: ['true'],
      intervalMs: 2000,
      timeoutMs: 30000,
      startPeriodMs: 0,
      startIntervalMs: 5000,
      retries: 3,
    });
    expect(effectiveCheck({ retries: 5, timeoutNs: 1e9 }, { test: ['CMD', 'true'], retries: 2 })).toMatchObject({ retries: 5, timeoutMs: 1000 });
  });
});

describe('recordResult', () => {
  it('starting → healthy on the first success; unhealthy after `retries` failures in a row', () => {
    let s: HealthState = initialHealth();
    s = recordResult(s, result(0), 3, false);
    expect(s.status).toBe('healthy');
    s = recordResult(s, result(1), 3, false);
    s = recordResult(s, result(1), 3, false);
    expect(s).toMatchObject({ status: 'healthy', failingStreak: 2 });
    s = recordResult(s, result(1), 3, false);
    expect(s).toMatchObject({ status: 'unhealthy', failingStreak: 3 });
    s = recordResult(s, result(0), 3, false);
    expect(s).toMatchObject({ status: 'healthy', failingStreak: 0 });
  });

  it('failures inside the start period do not count while starting', () => {
    let s = initialHealth();
    for (let i = 0; i < 5; i++) s = recordResult(s, result(1), 1, true);
    expect(s).toMatchObject({ status: 'starting', failingStreak: 0 });
    s = recordResult(s, result(1), 1, false);
    expect(s.status).toBe('unhealthy');
  });

  it('keeps the last 5 results and cuts output at 4096 bytes', () => {
    let s = initialHealth();
    for (let i = 0; i < 7; i++) s = recordResult(s, result(i === 6 ? 0 : 1, `run ${i}`), 100, false);
    expect(s.log.map((r) => r.output)).toEqual(['run 2', 'run 3', 'run 4', 'run 5', 'run 6']);
    s = recordResult(s, result(0, 'x'.repeat(10000)), 3, false);
    expect(s.log[s.log.length - 1]?.output.length).toBe(4096);
  });
});

it('nextProbeDelay uses start_interval while starting in the start period, else interval', () => {
  const check = effectiveCheck({ test: ['CMD', 'true'], intervalNs: 30e9, startIntervalNs: 1e9, startPeriodNs: 60e9 }, undefined);
  if (!check) throw new Error('no check');
  expect(nextProbeDelay(check, initialHealth(), true)).toBe(1000);
  expect(nextProbeDelay(check, initialHealth(), false)).toBe(30000);
  expect(nextProbeDelay(check, { status: 'healthy', failingStreak: 0, log: [] }, true)).toBe(30000);
});
