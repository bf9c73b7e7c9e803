/**
 * The engine over its daemon's socket: every ContainerStore, ImageStore and EventSource
 * operation as a request of protocol.ts, on keep-alive connections. Streams (logs, events,
 * pull progress, archives, image load/save, exec) flow as they come, with backpressure;
 * AbortSignals close the request (a log or event stream then just ends). Errors arrive as the
 * EngineError class and message the engine threw.
 */
import * as http from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import type {
  ContainerFilter,
  ContainerInfo,
  ContainerSpec,
  ContainerStats,
  ContainerStore,
  ExecOptions,
  ExecResult,
  LogLine,
  LogOptions,
  ProcessList,
} from '../../containers';
import type { ImageInfo, ImageStore, PullOptions, RemovedImage } from '../../engine';
import { EngineError, RemoteError } from '../../errors';
import type { EngineEvent, EventFilter, EventSource } from '../../events';
import type { EngineStatus } from './daemon-engine';
import { execOverSocket } from './exec-client';
import { ERROR_TRAILER, type PullLine, type Query, requestPath, ROUTES, type RouteName, TAR, type WireError } from './protocol';
import { asWireError, reviveError } from './wire-error';

type Body = { readonly json: unknown } | { readonly stream: NodeJS.ReadableStream };

const OK = new Set([200, 201, 202, 204]);
const MAX_LINE = 64 << 20;

export class EngineClient implements ContainerStore, ImageStore, EventSource {
  private readonly agent = new http.Agent({ keepAlive: true, scheduling: 'lifo' });

  constructor(readonly socketPath: string) {}

  /** Closes its connections (streams still open break off). */
  close(): void {
    this.agent.destroy();
  }

  // ---- the daemon ---------------------------------------------------------------------------

  /** True when a daemon answers on the socket. */
  async ping(timeoutMs = 2_000): Promise<boolean> {
    try {
      const res = await this.send('ping', undefined, {}, undefined, AbortSignal.timeout(timeoutMs));
      await readText(res);
      return res.statusCode === 200;
    } catch {
      return false;
    }
  }

  status(): Promise<EngineStatus> {
    return this.json('status');
  }

  /** Asks the daemon to shut down (it answers first, then stops). */
  async stopEngine(): Promise<void> {
    await this.json('stop');
  }

  // ---- containers ---------------------------------------------------------------------------

  createContainer(spec: ContainerSpec): Promise<ContainerInfo> {
    return this.json('createContainer', undefined, {}, { json: spec });
  }

  async startContainer(id: string): Promise<void> {
    await this.json('startContainer', id);
  }

  async stopContainer(id: string, options: { readonly timeoutSeconds?: number } = {}): Promise<void> {
    await this.json('stopContainer', id, { t: options.timeoutSeconds });
  }

  async killContainer(id: string, signal?: string): Promise<void> {
    await this.json('killContainer', id, { signal });
  }

  async restartContainer(id: string, options: { readonly timeoutSeconds?: number } = {}): Promise<void> {
    await this.json('restartContainer', id, { t: options.timeoutSeconds });
  }

  async pauseContainer(id: string): Promise<void> {
    await this.json('pauseContainer', id);
  }

  async unpauseContainer(id: string): Promise<void> {
    await this.json('unpauseContainer', id);
  }

  async removeContainer(id: string, options: { readonly force?: boolean; readonly volumes?: boolean } = {}): Promise<void> {
    await this.json('removeContainer', id, { force: options.force, volumes: options.volumes });
  }

  async renameContainer(id: string, newName: string): Promise<void> {
    await this.json('renameContainer', id, { name: newName });
  }

  inspectContainer(id: string): Promise<ContainerInfo> {
    return this.json('inspectContainer', id);
  }

  listContainers(filter: ContainerFilter = {}): Promise<ContainerInfo[]> {
    return this.json('listContainers', undefined, { all: filter.all, name: filter.name, label: filter.labels });
  }

  waitContainer(
    id: string,
    options: { readonly condition?: 'not-running' | 'next-exit' | 'removed'; readonly signal?: AbortSignal } = {},
  ): Promise<{ readonly exitCode: number }> {
    return this.json('waitContainer', id, { condition: options.condition }, undefined, options.signal);
  }

  containerLogs(id: string, options: LogOptions = {}): AsyncIterable<LogLine> {
    return this.stream<LogLine>(
      'containerLogs',
      id,
      { follow: options.follow, since: options.since, until: options.until, tail: options.tail, stdout: options.stdout, stderr: options.stderr },
      options.signal,
    );
  }

  exec(id: string, options: ExecOptions): Promise<ExecResult> {
    return execOverSocket(this.socketPath, requestPath(ROUTES.exec, id), options, (err) => this.connectionError(err));
  }

  stats(id: string): Promise<ContainerStats> {
    return this.json('stats', id);
  }

  top(id: string, psArgs?: readonly string[]): Promise<ProcessList> {
    return this.json('top', id, { ps_args: psArgs });
  }

  async copyFrom(id: string, path: string): Promise<NodeJS.ReadableStream> {
    const res = await this.send('copyFrom', id, { path });
    await expectOk(res);
    return checkedTar(res, `the archive of ${path} in container ${id}`);
  }

  async copyTo(id: string, path: string, tar: NodeJS.ReadableStream): Promise<void> {
    const res = await this.send('copyTo', id, { path }, { stream: tar });
    await expectOk(res);
    await readText(res);
  }

  events(filter: EventFilter = {}): AsyncIterable<EngineEvent> {
    return this.stream<EngineEvent>('events', undefined, { since: filter.since, until: filter.until, label: filter.labels }, filter.signal);
  }

  // ---- images -------------------------------------------------------------------------------

  async pullImage(ref: string, options: PullOptions = {}): Promise<ImageInfo> {
    const signal = options.signal;
    const p = options.platform;
    const platform = p ? [p.os, p.architecture, ...(p.variant ? [p.variant] : [])].join('/') : undefined;
    const res = await this.send('pullImage', undefined, { ref, platform }, undefined, signal);
    await expectOk(res);
    let image: ImageInfo | undefined;
    for await (const value of lines(res, signal)) {
      const line = value as PullLine;
      if ('event' in line) options.onEvent?.(line.event);
      else if ('image' in line) image = line.image;
      else if ('error' in line) throw reviveError(line.error);
    }
    if (signal?.aborted) throw signal.reason;
    if (!image) throw new RemoteError(`pull ${ref}: the engine daemon ended the pull without its result`);
    return image;
  }

  inspectImage(ref: string): Promise<ImageInfo> {
    return this.json('inspectImage', undefined, { ref });
  }

  listImages(): Promise<ImageInfo[]> {
    return this.json('listImages');
  }

  removeImage(ref: string, options: { readonly force?: boolean } = {}): Promise<RemovedImage> {
    return this.json('removeImage', undefined, { ref, force: options.force });
  }

  loadImages(tar: NodeJS.ReadableStream): Promise<ImageInfo[]> {
    return this.json('loadImages', undefined, {}, { stream: tar });
  }

  /** Writes the daemon's `docker save` tar to `out` and ends it (as the bundled store does). */
  async saveImages(refs: readonly string[], out: NodeJS.WritableStream): Promise<void> {
    const res = await this.send('saveImages', undefined, { ref: refs });
    await expectOk(res);
    await pipeline(res, trailerCheck(res), out);
  }

  // ---- inside -------------------------------------------------------------------------------

  private async json<T>(name: RouteName, id?: string, query: Query = {}, body?: Body, signal?: AbortSignal): Promise<T> {
    const res = await this.send(name, id, query, body, signal);
    await expectOk(res);
    const text = await readText(res);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** An NDJSON stream that ends quietly when `signal` fires; an error line becomes the error. */
  private async *stream<T>(name: RouteName, id: string | undefined, query: Query, signal: AbortSignal | undefined): AsyncGenerator<T> {
    if (signal?.aborted) return;
    let res: http.IncomingMessage;
    try {
      res = await this.send(name, id, query, undefined, signal);
    } catch (err) {
      if (signal?.aborted) return;
      throw err;
    }
    try {
      await expectOk(res);
      for await (const value of lines(res, signal)) {
        const error = errorOf(value);
        if (error) throw reviveError(error);
        yield value as T;
      }
    } finally {
      if (!res.complete) res.destroy();
    }
  }

  private send(name: RouteName, id: string | undefined, query: Query = {}, body?: Body, signal?: AbortSignal, retried = false): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const route = ROUTES[name];
      const headers: http.OutgoingHttpHeaders = {};
      let payload: Buffer | undefined;
      if (body && 'json' in body) {
        payload = Buffer.from(JSON.stringify(body.json));
        headers['content-type'] = 'application/json';
        headers['content-length'] = payload.length;
      } else if (body && 'stream' in body) {
        headers['content-type'] = TAR;
        headers['transfer-encoding'] = 'chunked';
      } else if (route.method === 'POST' || route.method === 'PUT') {
        headers['content-length'] = 0;
      }
      const req = http.request({
        socketPath: this.socketPath,
        agent: this.agent,
        method: route.method,
        path: requestPath(route, id, query),
        headers,
        ...(signal ? { signal } : {}),
      });
      let inputError: Error | undefined;
      req.on('response', (res) => {
        if (body && 'stream' in body && !OK.has(res.statusCode ?? 0)) body.stream.unpipe(req);
        resolve(res);
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (signal?.aborted) return reject(signal.reason);
        if (inputError) return reject(inputError);
        // a kept-alive connection the daemon closed just as we reused it: once more on a new one
        if (!retried && req.reusedSocket && err.code === 'ECONNRESET' && !(body && 'stream' in body)) {
          this.send(name, id, query, body, signal, true).then(resolve, reject);
          return;
        }
        reject(this.connectionError(err));
      });
      if (body && 'stream' in body) {
        body.stream.once('error', (err: Error) => {
          inputError = err;
          req.destroy(err);
        });
        body.stream.pipe(req);
      } else {
        req.end(payload);
      }
    });
  }

  private connectionError(err: NodeJS.ErrnoException): Error {
    if (err instanceof EngineError) return err;
    const reason =
      err.code === 'ENOENT'
        ? 'no socket there (is the engine daemon running?)'
        : err.code === 'ECONNREFUSED'
          ? 'connection refused (the engine daemon is not running)'
          : err.code === 'EACCES'
            ? 'permission denied'
            : err.message;
    return new RemoteError(`cannot talk to the engine daemon at ${this.socketPath}: ${reason}`, { cause: err });
  }
}

async function readText(res: http.IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of res) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

/** Throws the revived error of a failed answer (its body read). */
async function expectOk(res: http.IncomingMessage): Promise<void> {
  if (OK.has(res.statusCode ?? 0)) return;
  const text = await readText(res);
  let wire: WireError | undefined;
  try {
    wire = asWireError(JSON.parse(text));
  } catch {
    wire = undefined;
  }
  throw wire ? reviveError(wire) : new RemoteError(`the engine daemon answered ${res.statusCode} ${res.statusMessage ?? ''}: ${text.slice(0, 200)}`);
}

function errorOf(value: unknown): WireError | undefined {
  if (typeof value !== 'object' || value === null || !('error' in value)) return undefined;
  return asWireError((value as { error: unknown }).error);
}

/** The JSON values of an NDJSON answer; ends quietly when `signal` fired. */
async function* lines(res: http.IncomingMessage, signal: AbortSignal | undefined): AsyncGenerator<unknown> {
  const decoder = new StringDecoder('utf8');
  let buffered = '';
  try {
    for await (const chunk of res) {
      buffered += decoder.write(chunk as Buffer);
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim() !== '') yield JSON.parse(line) as unknown;
      }
      if (buffered.length > MAX_LINE) throw new RemoteError(`the engine daemon sent a line longer than ${MAX_LINE} bytes`);
    }
  } catch (err) {
    if (signal?.aborted) return;
    if (err instanceof EngineError) throw err;
    throw new RemoteError(`the engine daemon broke off the stream: ${(err as Error).message}`, { cause: err });
  }
  if (signal?.aborted) return;
  if (buffered.trim() !== '') yield JSON.parse(buffered) as unknown;
}

/** Passes the tar through; at its end fails with the error the trailer carries, if any. */
function trailerCheck(res: http.IncomingMessage): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      callback(null, chunk);
    },
    flush(callback) {
      const raw = res.trailers[ERROR_TRAILER];
      if (raw === undefined) return callback();
      let wire: WireError | undefined;
      try {
        wire = asWireError(JSON.parse(decodeURIComponent(raw)));
      } catch {
        wire = undefined;
      }
      callback(wire ? reviveError(wire) : new RemoteError(`the engine daemon failed the archive: ${raw}`));
    },
  });
}

/** The archive stream given to the caller: a broken connection or a trailer error destroys it with a clear error. */
function checkedTar(res: http.IncomingMessage, what: string): NodeJS.ReadableStream {
  const check = trailerCheck(res);
  res.on('error', (err) => check.destroy(new RemoteError(`the engine daemon broke off ${what}: ${err.message}`, { cause: err })));
  res.pipe(check);
  return check;
}
