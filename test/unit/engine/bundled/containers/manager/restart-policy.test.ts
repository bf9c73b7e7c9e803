import { decideRestart, nextDelay, restartsWithEngine, type RestartInput } from '../../../../../../src/engine/bundled/containers/manager/restart-policy';

const base: RestartInput = {
  policy: { name: 'always' },
  exitCode: 1,
  restartCount: 0,
  ranForMs: 50,
  previousDelayMs: 0,
  manuallyStopped: false,
  engineStopping: false,
};

describe('decideRestart', () => {
  it('no: never', () => {
    expect(decideRestart({ ...base, policy: { name: 'no' } })).toEqual({ restart: false });
    expect(decideRestart({ ...base, policy: undefined })).toEqual({ restart: false });
  });

  it('on-failure:3 restarts exactly three times, and never after exit 0', () => {
    const policy = { name: 'on-failure', maxRetries: 3 } as const;
    const outcomes = [0, 1, 2, 3, 4].map((restartCount) => decideRestart({ ...base, policy, restartCount }).restart);
    expect(outcomes).toEqual([true, true, true, false, false]);
    expect(decideRestart({ ...base, policy, exitCode: 0 })).toEqual({ restart: false });
    expect(decideRestart({ ...base, policy: { name: 'on-failure' }, restartCount: 1000 }).restart).toBe(true);
  });

  it('always and unless-stopped restart after any exit, but not after a manual stop or during engine shutdown', () => {
    for (const name of ['always', 'unless-stopped'] as const) {
      expect(decideRestart({ ...base, policy: { name }, exitCode: 0 }).restart).toBe(true);
      expect(decideRestart({ ...base, policy: { name }, manuallyStopped: true }).restart).toBe(false);
      expect(decideRestart({ ...base, policy: { name }, engineStopping: true }).restart).toBe(false);
    }
  });

  it('delays grow 100, 200, 400 … ms up to a minute, and reset after a 10 s run', () => {
    const delays: number[] = [];
    let previous = 0;
    for (let i = 0; i < 12; i++) {
      const d = decideRestart({ ...base, previousDelayMs: previous });
      if (!d.restart) throw new Error('expected a restart');
      delays.push(d.delayMs);
      previous = d.delayMs;
    }
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000]);
    expect(nextDelay(60000, 10_000)).toBe(100);
    expect(nextDelay(400, 9_999)).toBe(800);
  });
});

describe('restartsWithEngine', () => {
  it('always even after a manual stop; unless-stopped only if not stopped by hand; no never', () => {
    expect(restartsWithEngine({ name: 'always' }, true, false)).toBe(true);
    expect(restartsWithEngine({ name: 'unless-stopped' }, true, true)).toBe(false);
    expect(restartsWithEngine({ name: 'unless-stopped' }, false, true)).toBe(true);
    expect(restartsWithEngine({ name: 'no' }, false, true)).toBe(false);
    expect(restartsWithEngine(undefined, false, true)).toBe(false);
  });
});
