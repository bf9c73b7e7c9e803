/**
 * The engine daemon's API: HTTP/1.1 + JSON on a unix socket (`<run>/engine.sock`). One route
 * per engine operation; the server (server.ts) and the client (client.ts) both read this table.
 *
 * - Requests carry their arguments in the path (container ID or name), the query (options)
 *   and, for `POST /containers`, a JSON body (the ContainerSpec).
 * - Answers: JSON (200/201), nothing (204), or a stream:
 *   `application/x-ndjson` — one JSON value per line (logs: LogLine, events: EngineEvent,
 *   pull: `{"event": PullEvent}`… then `{"image": ImageInfo}`); a failure after the first line
 *   is a last line `{"error": WireError}`.
 *   `application/x-tar` — chunked; a failure after the first byte is the trailer
 *   `X-Tscompose-Error: <URI-encoded WireError JSON>`.
 * - Failures before an answer started: the HTTP status of the error's kind, body WireError.
 * - Exec: `POST /containers/:id/exec` with `Connection: Upgrade`, `Upgrade: tscompose-exec/1`;
 *   after `101 Switching Protocols` both sides send frames `[type u8][length u32 BE][payload]`
 *   (exec-frames.ts): the client first an `options` frame (ExecRequest JSON), then `stdin`
 *   frames (an empty one closes stdin); the server `stdout`/`stderr` frames and, last, one
 *   `exit` (`{"exitCode": n}`, `{}` when detached) or `error` (WireError) frame. A client that
 *   closes the connection aborts the exec.
 */
import type { ExecOptions } from '../../containers';
import type { ImageInfo, PullEvent } from '../../engine';

export type WireErrorKind = 'not-found' | 'conflict' | 'invalid' | 'remote' | 'engine';

/** An engine error on the wire; revived by the client as the same EngineError class (wire-error.ts). */
export interface WireError {
  readonly kind: WireErrorKind;
  readonly message: string;
}

export const STATUS_OF_KIND: Readonly<Record<WireErrorKind, number>> = {
  invalid: 400,
  'not-found': 404,
  conflict: 409,
  engine: 500,
  remote: 502,
};

export const ERROR_TRAILER = 'x-tscompose-error';
export const EXEC_UPGRADE = 'tscompose-exec/1';
export const NDJSON = 'application/x-ndjson';
export const TAR = 'application/x-tar';

/** The first frame of an exec: its options, with which streams the caller attached. */
export interface ExecRequest extends Omit<ExecOptions, 'stdin' | 'stdout' | 'stderr' | 'signal'> {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
}

export interface ExecExit {
  readonly exitCode?: number;
}

/** One line of `POST /images/pull`. */
export type PullLine = { readonly event: PullEvent } | { readonly image: ImageInfo } | { readonly error: WireError };

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Route {
  readonly method: Method;
  /** `/containers/:id/start`: `:id` is one URI-encoded path segment. */
  readonly path: string;
}

/**
 * Every route, by the operation it serves. Query parameters (all optional unless noted):
 * - listContainers: `all=1`, `label=k[=v]` (repeated), `name=<regexp>`
 * - stopContainer, restartContainer: `t=<seconds>`; killContainer: `signal=<SIG>`
 * - removeContainer: `force=1`, `volumes=1`; renameContainer: `name=<new>` (required)
 * - waitContainer: `condition=not-running|next-exit|removed` (the answer comes at the exit)
 * - containerLogs: `follow=1`, `since`, `until`, `tail=<n>`, `stdout=0|1`, `stderr=0|1`
 * - top: `ps_args=<arg>` (repeated); copyFrom, copyTo: `path=<path>` (required)
 * - events: `since`, `until`, `label=k[=v]` (repeated)
 * - pullImage: `ref` (required), `platform=os/arch[/variant]`
 * - inspectImage, removeImage: `ref` (required); removeImage: `force=1`; saveImages: `ref` (repeated)
 */
export const ROUTES = {
  ping: { method: 'GET', path: '/_ping' },
  status: { method: 'GET', path: '/engine/status' },
  stop: { method: 'POST', path: '/engine/stop' },
  createContainer: { method: 'POST', path: '/containers' },
  listContainers: { method: 'GET', path: '/containers' },
  inspectContainer: { method: 'GET', path: '/containers/:id' },
  startContainer: { method: 'POST', path: '/containers/:id/start' },
  stopContainer: { method: 'POST', path: '/containers/:id/stop' },
  killContainer: { method: 'POST', path: '/containers/:id/kill' },
  restartContainer: { method: 'POST', path: '/containers/:id/restart' },
  pauseContainer: { method: 'POST', path: '/containers/:id/pause' },
  unpauseContainer: { method: 'POST', path: '/containers/:id/unpause' },
  removeContainer: { method: 'DELETE', path: '/containers/:id' },
  renameContainer: { method: 'POST', path: '/containers/:id/rename' },
  waitContainer: { method: 'POST', path: '/containers/:id/wait' },
  containerLogs: { method: 'GET', path: '/containers/:id/logs' },
  exec: { method: 'POST', path: '/containers/:id/exec' },
  stats: { method: 'GET', path: '/containers/:id/stats' },
  top: { method: 'GET', path: '/containers/:id/top' },
  copyFrom: { method: 'GET', path: '/containers/:id/archive' },
  copyTo: { method: 'PUT', path: '/containers/:id/archive' },
  events: { method: 'GET', path: '/events' },
  pullImage: { method: 'POST', path: '/images/pull' },
  listImages: { method: 'GET', path: '/images' },
  inspectImage: { method: 'GET', path: '/images/inspect' },
  removeImage: { method: 'DELETE', path: '/images' },
  loadImages: { method: 'POST', path: '/images/load' },
  saveImages: { method: 'GET', path: '/images/save' },
} as const satisfies Record<string, Route>;

export type RouteName = keyof typeof ROUTES;

export type Query = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

/** The request path of `route` with its `:id` and query filled in. */
export function requestPath(route: Route, id: string | undefined, query: Query = {}): string {
  const p = route.path.replace(':id', () => {
    if (id === undefined || id === '') throw new Error(`${route.method} ${route.path}: a container ID or name is required`);
    return encodeURIComponent(id);
  });
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value as readonly string[]) params.append(key, v);
    else params.append(key, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  }
  const qs = params.toString();
  return qs === '' ? p : `${p}?${qs}`;
}

/** The route `method path` names and its `:id`, or undefined. */
export function matchRoute(method: string, pathname: string): { readonly name: RouteName; readonly id?: string } | undefined {
  for (const [name, route] of Object.entries(ROUTES) as Array<[RouteName, Route]>) {
    if (route.method !== method) continue;
    const [before, after] = route.path.split(':id');
    if (after === undefined) {
      if (pathname === route.path) return { name };
      continue;
    }
    if (!pathname.startsWith(before as string) || !pathname.endsWith(after)) continue;
    const segment = pathname.slice((before as string).length, pathname.length - after.length);
    if (segment === '' || segment.includes('/')) continue;
    try {
      return { name, id: decodeURIComponent(segment) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}
