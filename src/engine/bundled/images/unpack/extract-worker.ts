/**
 * The extraction worker: runs extractLayer (decompression, hashing, the tar reader and the
 * synchronous file writes) off the main thread, one layer at a time, fed chunk by chunk.
 * See worker-extract.ts for the main thread's side.
 */
import { Readable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { extractLayer } from './extract';
import { LayerError, messageOf } from './layer-error';
import type { FromWorker, ToWorker, WorkerFailure } from './worker-protocol';

const port = parentPort;
if (port === null) throw new Error('extract-worker.ts must run in a worker thread');

let input: Readable | undefined;
let controller: AbortController | undefined;

const post = (m: FromWorker): void => port.postMessage(m);

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'start':
      start(m.target, m.sameOwner);
      break;
    case 'chunk':
      input?.push(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
      break;
    case 'end':
      input?.push(null);
      break;
    case 'abort':
      controller?.abort(new Error(m.message));
      break;
  }
});

function start(target: string, sameOwner: boolean | undefined): void {
  const ac = new AbortController();
  controller = ac;
  // Pull-based: each time the extractor wants more, the main thread may send one more chunk,
  // so only a few chunks are ever in flight or buffered here.
  const stream = new Readable({ read: () => post({ type: 'ack' }), highWaterMark: 1 << 16 });
  input = stream;
  extractLayer(stream, target, {
    signal: ac.signal,
    ...(sameOwner !== undefined ? { sameOwner } : {}),
    onWarning: (message) => post({ type: 'warning', message }),
  }).then(
    (result) => post({ type: 'done', diffId: result.diffId, size: result.size }),
    (err: unknown) => post({ type: 'failed', error: failure(err) }),
  ).finally(() => {
    input = undefined;
    controller = undefined;
  });
}

function failure(err: unknown): WorkerFailure {
  const e = err as Partial<NodeJS.ErrnoException> | null;
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    message: messageOf(err),
    ...(err instanceof LayerError && err.entry !== undefined ? { entry: err.entry } : {}),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
  };
}
