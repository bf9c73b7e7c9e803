/** Where one engine keeps its state (`TSCOMPOSE_ROOT`) and its runtime files (`TSCOMPOSE_RUN`). */
import * as path from 'node:path';
import type { Environment } from '../images/open-image-store';

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

/**
 * `TSCOMPOSE_ROOT`, default /var/lib/tscompose — as images/open-image-store.ts engineRoot, repeated
 * here so that reaching the daemon does not load the whole image store.
 */
export function engineRootDir(env: Environment): string {
  const root = env.TSCOMPOSE_ROOT;
  return root !== undefined && root !== '' ? path.resolve(root) : '/var/lib/tscompose';
}

/** `TSCOMPOSE_RUN`, default /run/tscompose. */
export function engineRunDir(env: Environment): string {
  const run = env.TSCOMPOSE_RUN;
  return run !== undefined && run !== '' ? path.resolve(run) : '/run/tscompose';
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
