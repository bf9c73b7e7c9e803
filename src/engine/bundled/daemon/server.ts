/**
 * Serves an engine over HTTP+JSON on a unix socket (protocol.ts). The socket is made mode
 * 0660; a stale socket (a daemon that died) is removed first; when another daemon answers on
 * it, serving is refused. Closing ends the open streams and connections and removes the
 * socket; the engine itself is the caller's to shut down.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type * as net from 'node:net';
import * as path from 'node:path';
import { InvalidArgumentError, ObjectConflictError, ObjectNotFoundError } from '../../errors';
import type { DaemonEngine } from './daemon-engine';
import { ROUTE_HANDLERS } from './engine-routes';
import { serveExec } from './exec-server';
import { acquireLock } from './file-lock';
import { QueryArgs, sendError, sendJson } from './http-io';
import { probeSocket } from './probe-socket';
import { EXEC_UPGRADE, matchRoute, type RouteName } from './protocol';

/** Routes whose answers may take as long as the client likes: a shutdown cuts them at once. */
const LONG_LIVED: ReadonlySet<RouteName> = new Set<RouteName>(['waitContainer', 'containerLogs', 'events', 'pullImage', 'copyFrom', 'copyTo', 'saveImages', 'loadImages']);

/** Unix socket paths longer than this do not fit `sockaddr_un`. */
const MAX_SOCKET_PATH = 107;

export interface ServeOptions {
  /** Called once `POST /engine/stop` was answered; default: close the server, then shut the engine down. */
  readonly onStopRequested?: () => void;
  /** Where the server reports what it does (one line each); default nowhere. */
  readonly log?: (line: string) => void;
}

export interface EngineServer {
  readonly socketPath: string;
  /** Stops serving: open streams end, connections close, the socket goes. Idempotent. */
  close(): Promise<void>;
}

export async function serveEngine(engine: DaemonEngine, socketPath: string, options: ServeOptions = {}): Promise<EngineServer> {
  const socket = path.resolve(socketPath);
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    throw new InvalidArgumentError(`engine socket path ${socket} is too long (${Buffer.byteLength(socket)} bytes; a unix socket path holds at most ${MAX_SOCKET_PATH})`);
  }
  const log = options.log ?? (() => undefined);
  const active = new Map<AbortController, { readonly res: http.ServerResponse; longLived: boolean }>();
  const upgraded = new Set<net.Socket>();
  let closing: Promise<void> | undefined;

  const server = http.createServer();
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.requestTimeout = 0; // uploads (image load, copy) may take long

  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // streams and waits end now (their clients see the connection close); other requests
      // get a moment to finish
      for (const [c, { res, longLived }] of active) {
        c.abort(new Error('the engine is shutting down'));
        if (longLived) res.destroy();
      }
      for (const s of upgraded) s.destroy();
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), 2_000);
      await closed;
      clearTimeout(timer);
      log(`stopped serving ${socket}`);
    })());

  const stop = options.onStopRequested ?? (() => void close().then(() => engine.shutdown()));

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const controller = new AbortController();
    const entry = { res, longLived: false };
    active.set(controller, entry);
    res.on('close', () => {
      active.delete(controller);
      if (!res.writableFinished) controller.abort(new Error('the client went away'));
    });
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://engine');
        const method = req.method ?? 'GET';
        const match = matchRoute(method, url.pathname);
        if (!match) throw new ObjectNotFoundError(`the engine API has no route ${method} ${url.pathname}`);
        if (match.name === 'stop') {
          res.on('finish', () => stop());
          sendJson(res, 202, { stopping: true });
          return;
        }
        if (match.name === 'exec') throw new InvalidArgumentError(`exec needs an HTTP upgrade to ${EXEC_UPGRADE}`);
        entry.longLived = LONG_LIVED.has(match.name);
        await ROUTE_HANDLERS[match.name]({ engine, req, res, id: match.id ?? '', q: new QueryArgs(url.searchParams), signal: controller.signal });
      } catch (err) {
        if (!controller.signal.aborted) sendError(res, err);
      }
    })();
  });

  server.on('upgrade', (req: http.IncomingMessage, conn: net.Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://engine');
    const match = matchRoute(req.method ?? 'GET', url.pathname);
    if (closing || match?.name !== 'exec' || match.id === undefined || String(req.headers.upgrade).toLowerCase() !== EXEC_UPGRADE) {
      conn.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    upgraded.add(conn);
    conn.on('close', () => upgraded.delete(conn));
    serveExec(engine, match.id, conn, head);
  });

  server.on('clientError', (_err, conn: net.Socket) => {
    if (conn.writable) conn.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  // probe, remove a stale socket and listen under one lock: two daemons starting at once
  // cannot both decide the socket is stale and then take it from each other
  const lock = await acquireLock(`${socket}.lock`, { timeoutMs: 10_000 });
  try {
    await claimSocket(socket);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socket, () => {
        server.off('error', reject);
        resolve();
      });
    });
    fs.chmodSync(socket, 0o660);
  } catch (err) {
    server.close();
    throw err;
  } finally {
    lock.release();
  }
  log(`serving the engine API on ${socket}`);
  return { socketPath: socket, close };
}

async function claimSocket(socket: string): Promise<void> {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(socket);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!stat.isSocket()) throw new InvalidArgumentError(`cannot serve the engine on ${socket}: a file that is not a socket is in the way`);
  const state = await probeSocket(socket);
  if (state === 'alive') throw new ObjectConflictError(`another engine daemon is already serving ${socket}`);
  if (state === 'dead') fs.rmSync(socket, { force: true });
}
