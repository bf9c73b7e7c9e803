/** The engine `tscompose engine serve` runs: the bundled engine on the daemon's root and run directories. */
import { BundledEngine } from '../bundled-engine';
import type { DaemonEngine, EngineContext } from './daemon-engine';

export function createBundledEngine(context: EngineContext, log?: (line: string) => void): Promise<DaemonEngine> {
  return BundledEngine.open({ env: context.env, root: context.root, run: context.run, ...(log ? { onWarning: log } : {}) });
}
