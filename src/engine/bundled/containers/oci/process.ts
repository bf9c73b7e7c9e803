/**
 * What a container runs, by Docker's rules for Entrypoint, Cmd, Env and WorkingDir:
 * - an entrypoint given for the container replaces the image's, and also drops the image's Cmd
 *   unless a command is given too; a command replaces the image's Cmd;
 * - env: the image's, then the container's, which override by key (a bare `KEY` removes it);
 * - working dir: the container's (relative to the image's when relative), else the image's,
 *   else `/`.
 * An entrypoint of [''] is an empty one. Nothing left to run is an InvalidArgumentError "no command specified".
 */
import * as path from 'node:path';
import type { ContainerSpec } from '../../../containers';
import type { ImageConfig } from '../../../engine';
import { InvalidArgumentError } from '../../../errors';

export interface ResolvedProcess {
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
}

function envKey(entry: string): string {
  const i = entry.indexOf('=');
  return i === -1 ? entry : entry.slice(0, i);
}

/** `base` with each of `overrides` replacing the entry of the same key, or appended; a bare `KEY` removes it. */
export function mergeEnv(base: readonly string[], overrides: readonly string[]): string[] {
  const out: (string | undefined)[] = [...base];
  const index = new Map<string, number>();
  out.forEach((e, i) => index.set(envKey(e ?? ''), i));
  for (const entry of overrides) {
    const key = envKey(entry);
    if (key === '') throw new InvalidArgumentError(`invalid environment entry "${entry}": no variable name`);
    const at = index.get(key);
    if (!entry.includes('=')) {
      if (at !== undefined) out[at] = undefined;
      index.delete(key);
    } else if (at !== undefined) {
      out[at] = entry;
    } else {
      index.set(key, out.length);
      out.push(entry);
    }
  }
  return out.filter((e): e is string => e !== undefined);
}

export function resolveProcess(spec: ContainerSpec, image: ImageConfig): ResolvedProcess {
  // `entrypoint: ""` arrives as [''] from Docker-style clients: it clears the entrypoint
  const given = spec.entrypoint !== undefined && spec.entrypoint.length === 1 && spec.entrypoint[0] === '' ? [] : spec.entrypoint;
  const entrypoint = given ?? image.entrypoint ?? [];
  const cmd = spec.command ?? (spec.entrypoint !== undefined ? [] : image.cmd ?? []);
  const args = [...entrypoint, ...cmd];
  if (args.length === 0 || args[0] === '') throw new InvalidArgumentError(`no command specified for container ${spec.name}: neither the service nor image ${spec.image} sets an entrypoint or command`);
  const env = mergeEnv(image.env ?? [], spec.env ?? []);
  const imageDir = image.workingDir !== undefined && image.workingDir !== '' ? path.posix.resolve('/', image.workingDir) : '/';
  const cwd = spec.workingDir !== undefined && spec.workingDir !== '' ? path.posix.resolve(imageDir, spec.workingDir) : imageDir;
  return { args, env, cwd };
}
