/**
 * extractLayer on worker threads. The tar writer uses synchronous file calls (safe path
 * resolution needs them), so on the main thread every layer of a pull would be extracted on
 * one core while the downloads wait. Here each layer is extracted by a worker of a small
 * pool (one per CPU by default); the main thread only moves the downloaded chunks across,
 * transferring them rather than copying them.
 *
 * Same contract as unpack/extract.ts extractLayer: the input stream's own error (a digest
 * mismatch found at its very end) rejects the extraction, and aborting the signal stops it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { EngineError } from '../../../errors';
import type { ExtractOptions, ExtractResult } from './extract';
import { LayerError } from './layer-error';
import type { FromWorker, ToWorker, WorkerFailure } from './worker-protocol';

/** Chunks the main thread may send ahead of the worker's requests. */
const PREFETCH = 4;

export interface WorkerExtractor {
  extractLayer(compressed: NodeJS.ReadableStream, target: string, options?: ExtractOptions): Promise<ExtractResult>;
  /** Ends the idle workers (busy ones end when their layer is done). */
  close(): Promise<void>;
}

export function createWorkerExtractor(options: { readonly maxWorkers?: number } = {}): WorkerExtractor {
  const max = Math.max(1, options.maxWorkers ?? os.availableParallelism());
  const idle: Worker[] = [];
  const waiting: Array<(w: Worker) => void> = [];
  let count = 0;
  let closed = false;

  const acquire = (): Promise<Worker> => {
    const w = idle.pop();
    if (w) {
      w.ref();
      return Promise.resolve(w);
    }
    if (count < max) {
      count++;
      const worker = spawnWorker();
      worker.once('exit', () => {
        count--;
        const i = idle.indexOf(worker);
        if (i >= 0) idle.splice(i, 1);
      });
      return Promise.resolve(worker);
    }
    return new Promise((resolve) => waiting.push(resolve));
  };

  const release = (w: Worker, healthy: boolean): void => {
    if (!healthy || closed) {
      void w.terminate();
      return;
    }
    const next = waiting.shift();
    if (next) return next(w);
    // an idle worker does not keep the process alive
    w.unref();
    idle.push(w);
  };

  return {
    async extractLayer(compressed, target, extractOptions = {}) {
      if (closed) throw new EngineError('the layer extractor is closed');
      extractOptions.signal?.throwIfAborted();
      const worker = await acquire();
      let healthy = true;
      try {
        return await runOn(worker, compressed, target, extractOptions);
      } catch (err) {
        // after an abort or a crash the worker may be mid-layer: do not reuse it
        healthy = err instanceof LayerError;
        throw err;
      } finally {
        release(worker, healthy);
      }
    },
    async close() {
      closed = true;
      await Promise.all(idle.splice(0).map((w) => w.terminate()));
    },
  };
}

function runOn(worker: Worker, compressed: NodeJS.ReadableStream, target: string, options: ExtractOptions): Promise<ExtractResult> {
  return new Promise<ExtractResult>((resolve, reject) => {
    const { signal } = options;
    let credits = PREFETCH;
    let ended = false;
    let settled = false;
    /** The input's own failure wins over what the worker says about the aborted layer. */
    let inputError: unknown;
    const send = (m: ToWorker, transfer?: ArrayBuffer[]): void => worker.postMessage(m, transfer);

    const finish = (err: unknown, result?: ExtractResult): void => {
      if (settled) return;
      settled = true;
      compressed.removeListener('data', onData);
      compressed.removeListener('end', onEnd);
      compressed.removeListener('error', onInputError);
      worker.removeListener('message', onMessage);
      worker.removeListener('error', onWorkerError);
      worker.removeListener('exit', onExit);
      signal?.removeEventListener('abort', onAbort);
      if (err !== undefined) {
        (compressed as Partial<NodeJS.ReadableStream> & { destroy?: () => void }).destroy?.();
        reject(err);
      } else if (result) resolve(result);
    };
    const onData = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      // copy into a buffer of its own so it can be transferred (pooled buffers share memory)
      const own = new Uint8Array(bytes.byteLength);
      own.set(bytes);
      send({ type: 'chunk', data: own }, [own.buffer]);
      if (--credits <= 0) compressed.pause();
    };
    const onEnd = (): void => {
      ended = true;
      send({ type: 'end' });
    };
    const onInputError = (err: Error): void => {
      inputError = err;
      send({ type: 'abort', message: err.message });
    };
    const onAbort = (): void => {
      inputError = signal?.reason ?? new Error('aborted');
      send({ type: 'abort', message: 'aborted' });
    };
    const onMessage = (m: FromWorker): void => {
      switch (m.type) {
        case 'ack':
          credits++;
          if (credits > 0 && !ended && inputError === undefined) compressed.resume();
          break;
        case 'warning':
          options.onWarning?.(m.message);
          break;
        case 'done':
          if (inputError !== undefined) finish(inputError);
          else finish(undefined, { diffId: m.diffId, size: m.size });
          break;
        case 'failed':
          finish(inputError ?? revive(m.error));
          break;
      }
    };
    const onWorkerError = (err: Error): void => finish(inputError ?? new EngineError(`layer extraction worker failed: ${err.message}`));
    const onExit = (code: number): void => finish(inputError ?? new EngineError(`layer extraction worker exited (code ${code})`));

    worker.on('message', onMessage);
    worker.once('error', onWorkerError);
    worker.once('exit', onExit);
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
    send({ type: 'start', target, sameOwner: options.sameOwner });
    compressed.on('data', onData);
    compressed.once('end', onEnd);
    compressed.once('error', onInputError);
  });
}

/** The worker's error as the same kind of error the in-thread extractor throws. */
function revive(f: WorkerFailure): Error {
  if (f.name === 'LayerError') return Object.assign(new LayerError(f.message), f.entry !== undefined ? { entry: f.entry } : {});
  const err: Error & { code?: string } = f.code !== undefined ? new Error(f.message) : new EngineError(f.message);
  if (f.code !== undefined) err.code = f.code;
  return err;
}

/** The compiled worker beside this file; from sources (tests, tsx) through tsx's loader. */
function spawnWorker(): Worker {
  const js = path.join(__dirname, 'extract-worker.js');
  if (fs.existsSync(js)) return new Worker(js);
  const ts = path.join(__dirname, 'extract-worker.ts');
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(ts)});`, { eval: true });
}
