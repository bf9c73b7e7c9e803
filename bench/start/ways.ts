/** The ways bench/start times create + start + wait of busybox `true`: each one run, timed in seconds. */
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { EngineClient } from '../../src/engine/bundled/daemon/client';
import { findRuntime, runOnce, runWithMount, type RawBundle, type RuntimeRun } from './raw-runtime';

const CGROUP_PREFIX = 'tscompose-bench-start';

export interface Way {
  readonly name: string;
  /** One create+start+wait, timed; throws when it fails. */
  run(): Promise<number>;
}

export function engineApiWay(client: EngineClient, removals: number[]): Way {
  let n = 0;
  return {
    name: 'engine API',
    async run() {
      const started = performance.now();
      const info = await client.createContainer({ name: `bench-api-${n++}`, image: 'busybox', command: ['true'] });
      await client.startContainer(info.id);
      const { exitCode } = await client.waitContainer(info.id, { condition: 'not-running' });
      const seconds = (performance.now() - started) / 1000;
      await client.removeContainer(info.id);
      removals.push((performance.now() - started) / 1000);
      if (exitCode !== 0) throw new Error(`busybox true exited ${exitCode} through the engine API`);
      return seconds;
    },
  };
}

export function processWay(name: string, command: () => Promise<{ code: number; stdout: string; stderr: string }>): Way {
  return {
    name,
    async run() {
      const started = performance.now();
      const r = await command();
      const seconds = (performance.now() - started) / 1000;
      if (r.code !== 0) throw new Error(`${name} exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(-500)}`);
      return seconds;
    },
  };
}

/** Cgroups of the raw runtime's containers are named `/<CGROUP_PREFIX>-<runtime>-<pid>-<n>`. */
export { CGROUP_PREFIX };

/** A runtime's ways, or why it is not measured. */
export async function runtimeWays(name: 'runc' | 'crun', bundle: RawBundle, dir: string): Promise<{ ways: Way[]; note?: string }> {
  const binary = await findRuntime(name);
  if (binary === undefined) {
    return { ways: [], note: `${name} run: not measured — ${name} is not installed here${name === 'crun' ? " (Debian 12's crun 1.8 refuses hosts with a hybrid cgroup v1/v2 layout such as this one)" : ''}` };
  }
  const run: RuntimeRun = { runtime: binary, stateRoot: path.join(dir, `${name}-state`), cgroupPrefix: `${CGROUP_PREFIX}-${name}` };
  try {
    await runOnce(bundle, run);
  } catch (err) {
    return { ways: [], note: `${name} run: not measured — ${binary} cannot run the bundle here: ${(err as Error).message.split('\n')[0]}` };
  }
  let n = 0;
  return {
    ways: [
      { name: `${name} run (same bundle)`, run: () => runOnce(bundle, run) },
      { name: `${name} run + overlay mount`, run: () => runWithMount(bundle, run, path.join(dir, `${name}-scratch-${n++}`)) },
    ],
  };
}
