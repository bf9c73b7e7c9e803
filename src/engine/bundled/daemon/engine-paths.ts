/** Where one engine keeps its state (`TSCOMPOSE_ROOT`) and its runtime files (`TSCOMPOSE_RUN`). */
import * as path from 'node:path';
import { engineRootDir, engineRunDir, type Environment } from '../engine-dirs';

export interface EnginePaths {
  readonly root: string;
  readonly run: string;
  /** `<run>/engine.sock`: the daemon's API. */
  readonly socket: string;
  /** `<run>/engine.pid`: the daemon's process ID while it serves. */
  readonly pidFile: string;
  /** `<run>/engine.log`: what a daemon started on demand writes. */
  readonly logFile: string;
  /** `<run>/engine.lock`: held while a CLI starts the daemon. */
  readonly lockFile: string;
}

export function enginePaths(env: Environment): EnginePaths {
  const run = engineRunDir(env);
  return {
    root: engineRootDir(env),
    run,
    socket: path.join(run, 'engine.sock'),
    pidFile: path.join(run, 'engine.pid'),
    logFile: path.join(run, 'engine.log'),
    lockFile: path.join(run, 'engine.lock'),
  };
}
