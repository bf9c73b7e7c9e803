import { SharedWork } from '../../../../../../src/engine/bundled/images/store/shared-work';
import { delay } from './fakes';

describe('SharedWork', () => {
  it('runs the work once for concurrent callers of one key, again after it finished', async () => {
    const work = new SharedWork<number>();
    let runs = 0;
    const job = async (): Promise<number> => {
      const mine = ++runs;
      await delay(10);
      return mine;
    };
    expect(await Promise.all([work.run('k', job), work.run('k', job), work.run('other', job)])).toEqual([1, 1, 2]);
    expect(await work.run('k', job)).toBe(3);
    expect(work.keys()).toEqual([]);
  });

  it('gives every caller the failure', async () => {
    const work = new SharedWork<void>();
    const job = async (): Promise<void> => {
      await delay(5);
      throw new Error('boom');
    };
    const results = await Promise.allSettled([work.run('k', job), work.run('k', job)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('keeps working for the others when one caller cancels', async () => {
    const work = new SharedWork<string>();
    let aborted = false;
    const job = async (signal: AbortSignal): Promise<string> => {
      signal.addEventListener('abort', () => (aborted = true));
      await delay(20);
      return 'done';
    };
    const leaving = new AbortController();
    const first = work.run('k', job, leaving.signal);
    const second = work.run('k', job);
    leaving.abort(new Error('user pressed ctrl-c'));
    await expect(first).rejects.toThrow('user pressed ctrl-c');
    expect(await second).toBe('done');
    expect(aborted).toBe(false);
  });

  it('aborts the work when every caller left, and returns only after it cleaned up', async () => {
    const work = new SharedWork<string>();
    let cleanedUp = false;
    const job = async (signal: AbortSignal): Promise<string> => {
      try {
        await delay(1000, signal);
        return 'done';
      } finally {
        await delay(10);
        cleanedUp = true;
      }
    };
    const a = new AbortController();
    const b = new AbortController();
    const runs = [work.run('k', job, a.signal), work.run('k', job, b.signal)].map((p) => p.catch((e: Error) => e.message));
    a.abort(new Error('a'));
    expect(await runs[0]).toBe('a');
    expect(cleanedUp).toBe(false);
    b.abort(new Error('b'));
    expect(await runs[1]).toBe('b');
    expect(cleanedUp).toBe(true);
  });

  it('hands each joining caller the run context', async () => {
    const work = new SharedWork<void, string[]>(() => []);
    const seen: string[][] = [];
    const job = async (_s: AbortSignal, ctx: string[]): Promise<void> => {
      await delay(5);
      ctx.push('x');
    };
    const left: string[] = [];
    await Promise.all(
      ['one', 'two'].map((who) =>
        work.run('k', job, undefined, (ctx) => {
          seen.push(ctx);
          return () => left.push(who);
        }),
      ),
    );
    expect(seen[0]).toBe(seen[1]);
    expect(seen[0]).toEqual(['x']);
    expect(left.sort()).toEqual(['one', 'two']);
  });
});
