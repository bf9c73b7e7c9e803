/**
 * The server's ways of answering: JSON, an error, NDJSON lines from an async iterable, and a
 * tar stream whose head is sent only with its first byte (so a failure before it is still an
 * ordinary error answer; one after it travels in the trailer). All honour backpressure and
 * stop when the client goes away (`signal`).
 */
import type * as http from 'node:http';
import { Writable } from 'node:stream';
import { InvalidArgumentError } from '../../errors';
import { ERROR_TRAILER, NDJSON, STATUS_OF_KIND, TAR } from './protocol';
import { toWireError } from './wire-error';

const MAX_JSON_BODY = 16 << 20;

export async function readJsonBody(req: http.IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BODY) throw new InvalidArgumentError(`request body is larger than ${MAX_JSON_BODY} bytes`);
    parts.push(chunk as Buffer);
  }
  const text = Buffer.concat(parts).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InvalidArgumentError(`request body is not JSON: ${(err as Error).message}`);
  }
}

export function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
}

export function sendEmpty(res: http.ServerResponse, status = 204): void {
  res.writeHead(status);
  res.end();
}

export function sendError(res: http.ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const wire = toWireError(err);
  sendJson(res, STATUS_OF_KIND[wire.kind], wire);
}

/** Waits until `res` can take more, or rejects when the client went away. */
export function drained(res: http.ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const done = (): void => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = (): void => {
      res.off('drain', done);
      reject(signal.reason);
    };
    res.once('drain', done);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Writes each value of `items` as a JSON line; a failure becomes a last `{"error": …}` line. */
export async function sendLines(res: http.ServerResponse, items: () => AsyncIterable<unknown>, signal: AbortSignal): Promise<void> {
  res.writeHead(200, { 'Content-Type': NDJSON, 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  try {
    for await (const item of items()) {
      if (!res.write(`${JSON.stringify(item)}\n`)) await drained(res, signal);
    }
  } catch (err) {
    if (signal.aborted) return;
    res.write(`${JSON.stringify({ error: toWireError(err) })}\n`);
  }
  if (!signal.aborted) res.end();
}

/**
 * Answers with the tar `produce` writes into the stream it is given. The head (200, chunked,
 * with the error trailer announced) goes out with the first byte; ending the given stream does
 * not end the answer (the trailer still has to be written).
 */
export async function sendTar(res: http.ServerResponse, produce: (out: Writable) => Promise<void>, signal: AbortSignal): Promise<void> {
  const start = (): void => {
    if (res.headersSent) return;
    res.writeHead(200, { 'Content-Type': TAR, Trailer: ERROR_TRAILER });
  };
  const out = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _encoding, callback) {
      start();
      if (res.write(chunk)) callback();
      else drained(res, signal).then(() => callback(), callback);
    },
    final(callback) {
      callback();
    },
  });
  const onAbort = (): void => {
    out.destroy(signal.reason instanceof Error ? signal.reason : new Error('the client went away'));
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await produce(out);
    // what the stream still holds goes out before the end (ending it twice is harmless)
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err && !out.writableFinished ? reject(err) : resolve())));
    if (signal.aborted) return;
    start();
    res.end();
  } catch (err) {
    if (signal.aborted) return;
    if (!res.headersSent) {
      sendError(res, err);
      return;
    }
    res.addTrailers({ [ERROR_TRAILER]: encodeURIComponent(JSON.stringify(toWireError(err))) });
    res.end();
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Query helpers: typed values, InvalidArgumentError naming the parameter. */
export class QueryArgs {
  constructor(private readonly params: URLSearchParams) {}

  string(name: string): string | undefined {
    const v = this.params.get(name);
    return v === null ? undefined : v;
  }

  required(name: string): string {
    const v = this.string(name);
    if (v === undefined || v === '') throw new InvalidArgumentError(`missing query parameter "${name}"`);
    return v;
  }

  all(name: string): string[] {
    return this.params.getAll(name);
  }

  flag(name: string): boolean | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (v === '1' || v === 'true') return true;
    if (v === '0' || v === 'false') return false;
    throw new InvalidArgumentError(`query parameter "${name}" must be 1 or 0, not ${JSON.stringify(v)}`);
  }

  number(name: string): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`query parameter "${name}" must be a number, not ${JSON.stringify(v)}`);
    return n;
  }
}
