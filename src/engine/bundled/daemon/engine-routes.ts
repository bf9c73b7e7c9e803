/** What each route of protocol.ts does with the engine (the server's one table of handlers). */
import type * as http from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { ContainerSpec, LogOptions } from '../../containers';
import type { Platform } from '../../engine';
import { InvalidArgumentError } from '../../errors';
import type { DaemonEngine } from './daemon-engine';
import { QueryArgs, readJsonBody, sendEmpty, sendJson, sendLines, sendTar } from './http-io';
import type { PullLine, RouteName } from './protocol';
import { toWireError } from './wire-error';

export interface RouteContext {
  readonly engine: DaemonEngine;
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  readonly id: string;
  readonly q: QueryArgs;
  /** Fires when the client goes away (or the server closes). */
  readonly signal: AbortSignal;
}

type Handler = (ctx: RouteContext) => Promise<void>;

const CONDITIONS = new Set(['not-running', 'next-exit', 'removed']);

export const ROUTE_HANDLERS: Readonly<Record<Exclude<RouteName, 'stop' | 'exec'>, Handler>> = {
  ping: async ({ res }) => {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 2 });
    res.end('OK');
  },
  status: async ({ engine, res }) => sendJson(res, 200, await engine.status()),

  createContainer: async ({ engine, req, res }) => {
    const spec = await readJsonBody(req);
    if (typeof spec !== 'object' || spec === null || typeof (spec as ContainerSpec).name !== 'string' || typeof (spec as ContainerSpec).image !== 'string') {
      throw new InvalidArgumentError('create container: the body must be a ContainerSpec with "name" and "image" strings');
    }
    sendJson(res, 201, await engine.createContainer(spec as ContainerSpec));
  },
  listContainers: async ({ engine, res, q }) => {
    const all = q.flag('all');
    const name = q.string('name');
    const labels = q.all('label');
    sendJson(res, 200, await engine.listContainers({ ...(all !== undefined ? { all } : {}), ...(name !== undefined ? { name } : {}), ...(labels.length > 0 ? { labels } : {}) }));
  },
  inspectContainer: async ({ engine, res, id }) => sendJson(res, 200, await engine.inspectContainer(id)),
  startContainer: async ({ engine, res, id }) => {
    await engine.startContainer(id);
    sendEmpty(res);
  },
  stopContainer: async ({ engine, res, id, q }) => {
    const t = q.number('t');
    await engine.stopContainer(id, t !== undefined ? { timeoutSeconds: t } : {});
    sendEmpty(res);
  },
  killContainer: async ({ engine, res, id, q }) => {
    const signal = q.string('signal');
    await (signal !== undefined ? engine.killContainer(id, signal) : engine.killContainer(id));
    sendEmpty(res);
  },
  restartContainer: async ({ engine, res, id, q }) => {
    const t = q.number('t');
    await engine.restartContainer(id, t !== undefined ? { timeoutSeconds: t } : {});
    sendEmpty(res);
  },
  pauseContainer: async ({ engine, res, id }) => {
    await engine.pauseContainer(id);
    sendEmpty(res);
  },
  unpauseContainer: async ({ engine, res, id }) => {
    await engine.unpauseContainer(id);
    sendEmpty(res);
  },
  removeContainer: async ({ engine, res, id, q }) => {
    const force = q.flag('force');
    const volumes = q.flag('volumes');
    await engine.removeContainer(id, { ...(force !== undefined ? { force } : {}), ...(volumes !== undefined ? { volumes } : {}) });
    sendEmpty(res);
  },
  renameContainer: async ({ engine, res, id, q }) => {
    await engine.renameContainer(id, q.required('name'));
    sendEmpty(res);
  },
  waitContainer: async ({ engine, res, id, q, signal }) => {
    const condition = q.string('condition');
    if (condition !== undefined && !CONDITIONS.has(condition)) {
      throw new InvalidArgumentError(`invalid wait condition ${JSON.stringify(condition)}: expected not-running, next-exit or removed`);
    }
    const result = await engine.waitContainer(id, { ...(condition !== undefined ? { condition: condition as 'not-running' } : {}), signal });
    sendJson(res, 200, result);
  },
  containerLogs: async ({ engine, res, id, q, signal }) => {
    const follow = q.flag('follow');
    const since = q.string('since');
    const until = q.string('until');
    const tail = q.number('tail');
    const stdout = q.flag('stdout');
    const stderr = q.flag('stderr');
    const options: LogOptions = {
      ...(follow !== undefined ? { follow } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(until !== undefined ? { until } : {}),
      ...(tail !== undefined ? { tail } : {}),
      ...(stdout !== undefined ? { stdout } : {}),
      ...(stderr !== undefined ? { stderr } : {}),
      signal,
    };
    await sendLines(res, () => engine.containerLogs(id, options), signal);
  },
  stats: async ({ engine, res, id }) => sendJson(res, 200, await engine.stats(id)),
  top: async ({ engine, res, id, q }) => {
    const args = q.all('ps_args');
    sendJson(res, 200, await (args.length > 0 ? engine.top(id, args) : engine.top(id)));
  },
  copyFrom: async ({ engine, res, id, q, signal }) => {
    const path = q.required('path');
    await sendTar(
      res,
      async (out) => {
        const tar = await engine.copyFrom(id, path);
        await pipeline(tar, out, { signal });
      },
      signal,
    );
  },
  copyTo: async ({ engine, req, res, id, q }) => {
    await engine.copyTo(id, q.required('path'), req);
    sendEmpty(res);
  },
  events: async ({ engine, res, q, signal }) => {
    const since = q.string('since');
    const until = q.string('until');
    const labels = q.all('label');
    await sendLines(
      res,
      () => engine.events({ ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}), ...(labels.length > 0 ? { labels } : {}), signal }),
      signal,
    );
  },

  pullImage: async ({ engine, res, q, signal }) => {
    const ref = q.required('ref');
    const platform = parsePlatform(q.string('platform'));
    await sendLines(
      res,
      async function* () {
        const pending: PullLine[] = [];
        let wake: (() => void) | undefined;
        let outcome: { image?: Awaited<ReturnType<DaemonEngine['pullImage']>>; error?: unknown } | undefined;
        void engine
          .pullImage(ref, {
            ...(platform ? { platform } : {}),
            signal,
            onEvent: (event) => {
              pending.push({ event });
              wake?.();
            },
          })
          .then(
            (image) => (outcome = { image }),
            (error: unknown) => (outcome = { error }),
          )
          .finally(() => wake?.());
        for (;;) {
          const line = pending.shift();
          if (line) {
            yield line;
            continue;
          }
          if (outcome) break;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
        if (outcome.error !== undefined) yield { error: toWireError(outcome.error) } satisfies PullLine;
        else yield { image: outcome.image } as PullLine;
      },
      signal,
    );
  },
  listImages: async ({ engine, res }) => sendJson(res, 200, await engine.listImages()),
  inspectImage: async ({ engine, res, q }) => sendJson(res, 200, await engine.inspectImage(q.required('ref'))),
  removeImage: async ({ engine, res, q }) => {
    const force = q.flag('force');
    sendJson(res, 200, await engine.removeImage(q.required('ref'), force !== undefined ? { force } : {}));
  },
  loadImages: async ({ engine, req, res }) => sendJson(res, 200, await engine.loadImages(req)),
  saveImages: async ({ engine, res, q, signal }) => {
    const refs = q.all('ref');
    if (refs.length === 0) throw new InvalidArgumentError('image save: name at least one image (query parameter "ref")');
    await sendTar(res, (out) => engine.saveImages(refs, out), signal);
  },
};

function parsePlatform(text: string | undefined): Platform | undefined {
  if (text === undefined || text === '') return undefined;
  const [os, architecture, variant, extra] = text.split('/');
  if (!os || !architecture || extra !== undefined) throw new InvalidArgumentError(`invalid platform ${JSON.stringify(text)}: expected os/arch[/variant]`);
  return { os, architecture, ...(variant ? { variant } : {}) };
}
