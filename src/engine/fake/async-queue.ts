/**
 * A push-to-pull queue: producers `push` values (or `end` it, or `fail` it), one consumer
 * iterates. The consumer ends quietly when the queue ends or its AbortSignal fires; leaving
 * the loop early calls `onClose` (the producer's unsubscribe).
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: (() => void) | undefined;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private closeHandlers: Array<() => void> = [];

  constructor(private readonly signal?: AbortSignal) {
    signal?.addEventListener('abort', () => this.end(), { once: true });
  }

  push(item: T): void {
    if (this.ended) return;
    this.items.push(item);
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  fail(error: unknown): void {
    if (this.ended) return;
    this.failure = { error };
    this.end();
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Called once, when the consumer is done (the queue ended or it left the loop). */
  onClose(handler: () => void): void {
    this.closeHandlers.push(handler);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      if (this.signal?.aborted) return;
      for (;;) {
        const next = this.items.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (this.ended) {
          if (this.failure && !this.signal?.aborted) throw this.failure.error;
          return;
        }
        await new Promise<void>((resolve) => (this.waiting = resolve));
      }
    } finally {
      this.ended = true;
      const handlers = this.closeHandlers;
      this.closeHandlers = [];
      for (const h of handlers) h();
    }
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }
}
