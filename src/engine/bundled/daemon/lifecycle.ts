/**
 * The engine daemon seen from a CLI: reach it, starting it on demand (detached, in its own
 * session, logging to `<run>/engine.log`), ask its status, stop it. Two CLIs starting it at
 * once agree through `<run>/engine.lock`: one starts it, the other waits for it to answer.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../../errors';
import type { Environment } from '../images/open-image-store';
import { EngineClient } from './client';
import type { EngineStatus } from './daemon-engine';
import { type EnginePaths, enginePaths } from './engine-paths';
import { isAlive, readPid, tryLock } from './file-lock';
import { probeSocket } from './probe-socket';

export interface DaemonOptions {
  readonly env: Environment;
  /** The CLI script the daemon runs as `node <cliMain> engine serve`; default the built CLI (dist/cli/main.js). */
  readonly cliMain?: string;
  /** How long to wait for the daemon to answer, or to stop; default 20 s. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;

/** A client of the running daemon, which is started first when nothing answers. */
export async function ensureDaemon(options: DaemonOptions): Promise<EngineClient> {
  const paths = enginePaths(options.env);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const client = new EngineClient(paths.socket);
  try {
    if (await client.ping()) return await sameRoot(client, paths);
    fs.mkdirSync(paths.run, { recursive: true, mode: 0o711 });
    for (;;) {
      const lock = tryLock(paths.lockFile);
      if (lock) {
        try {
          if (!(await client.ping())) await startDaemon(paths, options, client, deadline, timeoutMs);
        } finally {
          lock.release();
        }
        return client;
      }
      // another command is starting the daemon: wait for it to answer (or for its lock to go)
      if (await client.ping(500)) return client;
      if (Date.now() >= deadline) {
        throw new EngineError(`timed out after ${timeoutMs} ms waiting for the engine daemon that pid ${readPid(paths.lockFile) ?? '?'} is starting (lock ${paths.lockFile}); see ${paths.logFile}`);
      }
      await sleep(25);
    }
  } catch (err) {
    client.close();
    throw err;
  }
}

/**
 * A daemon already answering on the socket must serve the root this command asked for: one run
 * directory, one engine (several side by side need a TSCOMPOSE_RUN each).
 */
async function sameRoot(client: EngineClient, paths: EnginePaths): Promise<EngineClient> {
  const { root } = await client.status();
  if (path.resolve(root) !== path.resolve(paths.root)) {
    throw new EngineError(
      `the engine daemon on ${paths.socket} serves ${root}, not ${paths.root} (TSCOMPOSE_ROOT): stop it (tscompose engine stop) or give this root a run directory of its own (TSCOMPOSE_RUN)`,
    );
  }
  return client;
}

/** The daemon's status (starting it when it is not running, as every engine command does). */
export async function engineStatus(options: DaemonOptions): Promise<EngineStatus> {
  const client = await ensureDaemon(options);
  try {
    return await client.status();
  } finally {
    client.close();
  }
}

export interface StopResult {
  /** False when no daemon was running (stale socket and pid files are removed then). */
  readonly stopped: boolean;
  readonly pid?: number;
}

/** Asks the daemon to stop and waits until its process is gone. */
export async function stopDaemon(options: DaemonOptions): Promise<StopResult> {
  const paths = enginePaths(options.env);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const client = new EngineClient(paths.socket);
  try {
    if (!(await client.ping())) {
      if ((await probeSocket(paths.socket)) === 'alive') {
        const pid = readPid(paths.pidFile);
        throw new EngineError(`the engine daemon on ${paths.socket}${pid !== undefined ? ` (pid ${pid})` : ''} accepts connections but does not answer; see ${paths.logFile}`);
      }
      await removeStaleFiles(paths);
      return { stopped: false };
    }
    const { pid } = await client.status();
    await client.stopEngine();
    const deadline = Date.now() + timeoutMs;
    while (isAlive(pid) || fs.existsSync(paths.socket)) {
      if (Date.now() >= deadline) throw new EngineError(`the engine daemon (pid ${pid}) did not stop within ${timeoutMs} ms; see ${paths.logFile}`);
      await sleep(25);
    }
    return { stopped: true, pid };
  } finally {
    client.close();
  }
}

async function startDaemon(paths: EnginePaths, options: DaemonOptions, client: EngineClient, deadline: number, timeoutMs: number): Promise<void> {
  const cliMain = options.cliMain ?? path.resolve(__dirname, '../../../cli/main.js');
  if (!fs.existsSync(cliMain)) throw new EngineError(`cannot start the engine daemon: ${cliMain} does not exist (build tscompose first: npm run build)`);
  const offset = sizeOf(paths.logFile);
  const logFd = fs.openSync(paths.logFile, 'a', 0o640);
  let exited: string | undefined;
  try {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(options.env)) if (v !== undefined) env[k] = v;
    const child = spawn(process.execPath, [cliMain, 'engine', 'serve'], { detached: true, stdio: ['ignore', logFd, logFd], env, cwd: '/' });
    child.on('error', (err) => (exited = `could not be started: ${err.message}`));
    child.on('exit', (code, signal) => (exited = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`));
    child.unref();
  } finally {
    fs.closeSync(logFd);
  }
  for (;;) {
    if (await client.ping(1_000)) return;
    if (exited !== undefined) {
      throw new EngineError(`the engine daemon ${exited} before it answered on ${paths.socket}; the end of ${paths.logFile}:\n${logTail(paths.logFile, offset)}`);
    }
    if (Date.now() >= deadline) {
      throw new EngineError(`the engine daemon did not answer on ${paths.socket} within ${timeoutMs} ms; the end of ${paths.logFile}:\n${logTail(paths.logFile, offset)}`);
    }
    await sleep(25);
  }
}

/** A socket nobody answers on and a pid file of a dead process: what a killed daemon leaves. */
async function removeStaleFiles(paths: EnginePaths): Promise<void> {
  if ((await probeSocket(paths.socket)) === 'dead') fs.rmSync(paths.socket, { force: true });
  const pid = readPid(paths.pidFile);
  if (pid !== undefined && !isAlive(pid)) fs.rmSync(paths.pidFile, { force: true });
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** The last lines written to the log since `offset` (or a note that there are none). */
function logTail(file: string, offset: number, lines = 20): string {
  try {
    const text = fs.readFileSync(file).subarray(offset).toString('utf8').trimEnd();
    return text === '' ? '(nothing was logged)' : text.split('\n').slice(-lines).join('\n');
  } catch (err) {
    return `(cannot read it: ${(err as Error).message})`;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
