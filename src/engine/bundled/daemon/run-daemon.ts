/**
 * The engine daemon's process (`tscompose engine serve`): refuses to start when another daemon
 * answers on the socket, makes the engine, serves it, writes `<run>/engine.pid`, and on
 * SIGTERM/SIGINT or `POST /engine/stop` shuts down gracefully — the server closes, the engine
 * releases what it holds (containers keep running under their monitors), the socket and the
 * pid file go. Resolves once all that is done.
 */
import * as fs from 'node:fs';
import { ObjectConflictError } from '../../errors';
import type { Environment } from '../images/open-image-store';
import type { DaemonEngine, EngineContext } from './daemon-engine';
import { enginePaths } from './engine-paths';
import { readPid } from './file-lock';
import { probeSocket } from './probe-socket';
import { type EngineServer, serveEngine } from './server';
import { VERSION } from '../../../version';

export interface RunDaemonOptions {
  readonly env: Environment;
  readonly createEngine: (context: EngineContext) => DaemonEngine | Promise<DaemonEngine>;
  /** One line per event of the daemon's life; default: timestamped lines on stderr (the daemon log). */
  readonly log?: (line: string) => void;
  /** Called once the daemon serves (tests run it in-process). */
  readonly onReady?: (server: EngineServer) => void;
  /** Where SIGTERM/SIGINT come from; default the process. */
  readonly signals?: Pick<NodeJS.Process, 'on' | 'off'>;
}

export async function runDaemon(options: RunDaemonOptions): Promise<void> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`));
  const signals = options.signals ?? process;
  const paths = enginePaths(options.env);
  fs.mkdirSync(paths.run, { recursive: true, mode: 0o711 });

  if ((await probeSocket(paths.socket)) === 'alive') {
    const pid = readPid(paths.pidFile);
    throw new ObjectConflictError(`an engine daemon${pid !== undefined ? ` (pid ${pid})` : ''} is already serving ${paths.socket}`);
  }
  const engine = await options.createEngine({ env: options.env, root: paths.root, run: paths.run });

  let shutdown: ((reason: string) => void) | undefined;
  const done = new Promise<string>((resolve) => (shutdown = resolve));
  let server: EngineServer;
  try {
    server = await serveEngine(engine, paths.socket, { log, onStopRequested: () => shutdown?.('engine stop was requested') });
  } catch (err) {
    await engine.shutdown().catch(() => undefined);
    throw err;
  }
  writePidFile(paths.pidFile);
  const onSignal = (signal: NodeJS.Signals): void => shutdown?.(`received ${signal}`);
  const onRejection = (reason: unknown): void => log(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
  signals.on('SIGTERM', onSignal);
  signals.on('SIGINT', onSignal);
  process.on('unhandledRejection', onRejection);
  log(`tscompose engine ${VERSION} (pid ${process.pid}) serving ${paths.socket}, root ${paths.root}`);
  options.onReady?.(server);

  const reason = await done;
  log(`shutting down: ${reason}`);
  try {
    await server.close();
    await engine.shutdown();
  } finally {
    signals.off('SIGTERM', onSignal);
    signals.off('SIGINT', onSignal);
    process.off('unhandledRejection', onRejection);
    if (readPid(paths.pidFile) === process.pid) fs.rmSync(paths.pidFile, { force: true });
    log('stopped');
  }
}

function writePidFile(file: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${process.pid}\n`, { mode: 0o644 });
  fs.renameSync(temp, file);
}
