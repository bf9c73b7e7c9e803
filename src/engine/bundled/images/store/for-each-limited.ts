/** Bounded concurrency with fail-fast and clean settling. Knows nothing of images. */
import { abortReason } from './shared-work';

/**
 * Runs `fn` for each item, at most `limit` at once. On the first failure the others are
 * aborted and not started; the first error is thrown once every started call has settled.
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal,
  fn: (item: T, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const local = new AbortController();
  let first: { error: unknown } | undefined;
  const fail = (err: unknown): void => {
    if (first) return;
    first = { error: err };
    local.abort(err);
  };
  const onAbort = (): void => fail(abortReason(signal));
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!first && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item, local.signal);
      } catch (err) {
        fail(err);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (first) throw first.error;
}
