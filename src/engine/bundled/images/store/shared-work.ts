/**
 * Work done once per key however many callers ask for it at the same time: the first
 * caller starts it, later callers join it. Each caller may cancel with its own signal;
 * the work itself is aborted only when every caller has left, and the last one to leave
 * waits until the work has settled (so its clean-up is done when it returns).
 *
 * Each running piece of work has a context (made by `makeContext`) that joining callers
 * can hook into, e.g. to receive the progress events the work broadcasts.
 */
export class SharedWork<T, C = undefined> {
  private readonly running = new Map<string, Entry<T, C>>();

  constructor(private readonly makeContext: () => C = () => undefined as C) {}

  /**
   * Runs `work` for `key`, or joins the run in progress. `join` is called with the run's
   * context when this caller joins, and the function it returns when this caller leaves.
   */
  run(
    key: string,
    work: (signal: AbortSignal, context: C) => Promise<T>,
    signal?: AbortSignal,
    join?: (context: C) => (() => void) | void,
  ): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    let entry = this.running.get(key);
    if (!entry) {
      const controller = new AbortController();
      const context = this.makeContext();
      const promise = Promise.resolve().then(() => work(controller.signal, context));
      const created: Entry<T, C> = { controller, context, promise, waiters: 0 };
      const forget = (): void => {
        if (this.running.get(key) === created) this.running.delete(key);
      };
      promise.then(forget, forget);
      this.running.set(key, created);
      entry = created;
    }
    return this.join(key, entry, signal, join?.(entry.context) ?? undefined);
  }

  /** Keys whose work is running now. */
  keys(): string[] {
    return [...this.running.keys()];
  }

  private join(key: string, entry: Entry<T, C>, signal: AbortSignal | undefined, onLeave: (() => void) | undefined): Promise<T> {
    entry.waiters += 1;
    return new Promise<T>((resolve, reject) => {
      let left = false;
      const leave = (): boolean => {
        if (left) return false;
        left = true;
        entry.waiters -= 1;
        signal?.removeEventListener('abort', onAbort);
        onLeave?.();
        return true;
      };
      const onAbort = (): void => {
        if (!leave()) return;
        const reason = abortReason(signal);
        if (entry.waiters > 0) {
          reject(reason);
          return;
        }
        // last one out: stop the work, let a new caller start afresh, wait for clean-up
        if (this.running.get(key) === entry) this.running.delete(key);
        entry.controller.abort(reason);
        entry.promise.then(
          () => reject(reason),
          () => reject(reason),
        );
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      entry.promise.then(
        (value) => {
          if (leave()) resolve(value);
        },
        (err: unknown) => {
          if (leave()) reject(err);
        },
      );
    });
  }
}

interface Entry<T, C> {
  readonly controller: AbortController;
  readonly context: C;
  readonly promise: Promise<T>;
  waiters: number;
}

export function abortReason(signal: AbortSignal | undefined): unknown {
  const reason: unknown = signal?.reason;
  if (reason !== undefined) return reason;
  const err = new Error('the operation was aborted');
  err.name = 'AbortError';
  return err;
}
