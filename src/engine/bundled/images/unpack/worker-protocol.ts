/** Messages between the main thread and an extraction worker (worker-extract.ts ↔ extract-worker.ts). */

/** Main → worker. Chunks are transferred, not copied. */
export type ToWorker =
  | { readonly type: 'start'; readonly target: string; readonly sameOwner: boolean | undefined }
  | { readonly type: 'chunk'; readonly data: Uint8Array }
  | { readonly type: 'end' }
  /** The input failed or the caller aborted: stop and discard. */
  | { readonly type: 'abort'; readonly message: string };

/** A thrown error, as it crosses the thread boundary. */
export interface WorkerFailure {
  readonly name: string;
  readonly message: string;
  /** LayerError's entry name. */
  readonly entry?: string;
  /** errno code (ENOSPC, EACCES …). */
  readonly code?: string;
}

/** Worker → main. */
export type FromWorker =
  /** The extractor wants more: the main thread may send one more chunk (flow control). */
  | { readonly type: 'ack' }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'done'; readonly diffId: string; readonly size: number }
  | { readonly type: 'failed'; readonly error: WorkerFailure };
