/**
 * Where one bundled engine keeps its state and its runtime files. Small on purpose: the CLI
 * reaches the daemon through it without loading the image store or the container code.
 */
import * as path from 'node:path';

export type Environment = Readonly<Record<string, string | undefined>>;

/** `TSCOMPOSE_ROOT`, default /var/lib/tscompose: images, layers, containers. */
export function engineRootDir(env: Environment): string {
  const root = env.TSCOMPOSE_ROOT;
  return root !== undefined && root !== '' ? path.resolve(root) : '/var/lib/tscompose';
}

/** `TSCOMPOSE_RUN`, default /run/tscompose: socket, pid file, runtime state, exit files. */
export function engineRunDir(env: Environment): string {
  const run = env.TSCOMPOSE_RUN;
  return run !== undefined && run !== '' ? path.resolve(run) : '/run/tscompose';
}
