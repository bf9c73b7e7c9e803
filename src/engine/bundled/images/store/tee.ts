/**
 * Stream plumbing for pulls: one source fed to two consumers at once, and a byte meter.
 * Knows nothing of images.
 */
import { PassThrough, Transform, type TransformCallback } from 'node:stream';
import { abortReason } from './shared-work';

/**
 * Feeds `source` (through `meter`) to two consumers at once, with backpressure from both.
 * When either fails (or `signal` aborts), both are stopped, and the first error is thrown
 * only after both have settled (so their clean-up is done).
 */
export async function tee<R>(
  source: NodeJS.ReadableStream,
  meter: Transform,
  signal: AbortSignal,
  consumers: (a: PassThrough, b: PassThrough, signal: AbortSignal) => [Promise<void>, Promise<R>],
): Promise<R> {
  const a = new PassThrough({ highWaterMark: 1 << 20 });
  const b = new PassThrough({ highWaterMark: 1 << 20 });
  const local = new AbortController();
  let first: { error: unknown } | undefined;
  const stop = (err: unknown): void => {
    if (first) return;
    first = { error: err };
    local.abort(err);
    const e = err instanceof Error ? err : new Error(String(err));
    destroy(source, e);
    meter.destroy(e);
    a.destroy(e);
    b.destroy(e);
  };
  const onAbort = (): void => stop(abortReason(signal));
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  source.on('error', stop);
  meter.on('error', stop);
  // the consumers see errors through their own promises; a late one must not go unhandled
  a.on('error', () => undefined);
  b.on('error', () => undefined);
  source.pipe(meter);
  meter.pipe(a);
  meter.pipe(b);
  const [stored, extracted] = consumers(a, b, local.signal);
  const guard = <T>(p: Promise<T>): Promise<T> =>
    p.catch((err: unknown) => {
      stop(err);
      throw err;
    });
  try {
    const results = await Promise.allSettled([guard(stored), guard(extracted)]);
    if (first) throw first.error;
    const last = results[1];
    if (last.status === 'rejected') throw last.reason;
    return last.value;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Counts bytes passing through; reports at most about every 1% (and at the end). */
export class Meter extends Transform {
  private bytes = 0;
  private reported = 0;
  private readonly step: number;

  constructor(total: number, private readonly onProgress: (bytes: number) => void) {
    super({ highWaterMark: 1 << 20 });
    this.step = Math.max(64 * 1024, Math.floor(total / 100));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes - this.reported >= this.step) {
      this.reported = this.bytes;
      this.onProgress(this.bytes);
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.bytes !== this.reported) this.onProgress(this.bytes);
    done();
  }
}

export function destroy(stream: NodeJS.ReadableStream, err: Error): void {
  const d = (stream as { destroy?: (e?: Error) => void }).destroy;
  if (typeof d === 'function') d.call(stream, err);
}

