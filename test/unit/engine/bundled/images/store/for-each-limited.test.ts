import { forEachLimited } from '../../../../../../src/engine/bundled/images/store/for-each-limited';
import { delay } from './fakes';

describe('forEachLimited', () => {
  it('runs at most `limit` at once and stops starting new work after a failure', async () => {
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const never = new AbortController().signal;
    const run = forEachLimited([1, 2, 3, 4, 5, 6, 7], 3, never, async (n, signal) => {
      started.push(n);
      running += 1;
      peak = Math.max(peak, running);
      try {
        await delay(n === 2 ? 5 : 30, n === 2 ? undefined : signal);
        if (n === 2) throw new Error('two failed');
      } finally {
        running -= 1;
      }
    });
    await expect(run).rejects.toThrow('two failed');
    expect(peak).toBe(3);
    expect(running).toBe(0); // every started call settled first
    expect(started).toEqual([1, 2, 3]);
  });
});

it('forEachLimited runs everything when nothing fails, and stops at once when already aborted', async () => {
  const done: number[] = [];
  await forEachLimited([1, 2, 3, 4], 2, new AbortController().signal, async (n) => {
    await delay(5 - n);
    done.push(n);
  });
  expect(done.sort()).toEqual([1, 2, 3, 4]);
  const aborted = new AbortController();
  aborted.abort(new Error('stop'));
  const started: number[] = [];
  await expect(forEachLimited([1, 2], 2, aborted.signal, async (n) => void started.push(n))).rejects.toThrow('stop');
  expect(started).toEqual([]);
});
