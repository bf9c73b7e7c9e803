/**
 * The engine `tscompose engine serve` runs: the bundled engine on the daemon's root and run
 * directories. `TSCOMPOSE_CGROUP_PARENT` (default `/tscompose`) is the cgroup its containers go
 * under, like dockerd's --cgroup-parent; tests give each engine its own.
 */
import { BundledEngine } from '../bundled-engine';
import type { DaemonEngine, EngineContext } from './daemon-engine';

export function createBundledEngine(context: EngineContext, log?: (line: string) => void): Promise<DaemonEngine> {
  const cgroupParent = context.env.TSCOMPOSE_CGROUP_PARENT?.trim();
  return BundledEngine.open({
    env: context.env,
    root: context.root,
    run: context.run,
    ...(cgroupParent ? { cgroupParent } : {}),
    ...(log ? { onWarning: log } : {}),
  });
}
