/**
 * Health check bookkeeping as pure functions (moby daemon/health.go, see ENGINE-FACTS.md):
 * `starting` until the first success; `retries` consecutive failures make it `unhealthy`,
 * except that failures inside the start period don't count while it is still starting; the
 * last 5 results are kept, each output cut at 4096 bytes.
 */
import type { HealthResult, HealthState, HealthcheckSpec } from '../../../containers';
import type { ImageConfig } from '../../../engine';

export const DEFAULT_INTERVAL_NS = 30e9;
export const DEFAULT_TIMEOUT_NS = 30e9;
export const DEFAULT_START_INTERVAL_NS = 5e9;
export const DEFAULT_RETRIES = 3;
export const KEPT_RESULTS = 5;
export const MAX_OUTPUT = 4096;

/** A check with every default filled in, in milliseconds. */
export interface EffectiveCheck {
  /** The command to exec: `['sh', '-c', cmd]` for CMD-SHELL. */
  readonly command: readonly string[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly startPeriodMs: number;
  readonly startIntervalMs: number;
  readonly retries: number;
}

/** The container's check (its own over the image's, field by field as Docker merges them), or undefined for none/NONE. */
export function effectiveCheck(own: HealthcheckSpec | undefined, image: ImageConfig['healthcheck']): EffectiveCheck | undefined {
  const test = own?.test && own.test.length > 0 ? own.test : image?.test;
  if (!test || test.length === 0 || test[0] === 'NONE') return undefined;
  let command: readonly string[];
  if (test[0] === 'CMD') command = test.slice(1);
  else if (test[0] === 'CMD-SHELL') command = ['/bin/sh', '-c', test.slice(1).join(' ')];
  else command = ['/bin/sh', '-c', test.join(' ')];
  if (command.length === 0) return undefined;
  const pick = (a: number | undefined, b: number | undefined, d: number): number => (a !== undefined && a > 0 ? a : b !== undefined && b > 0 ? b : d);
  return {
    command,
    intervalMs: pick(own?.intervalNs, image?.intervalNs, DEFAULT_INTERVAL_NS) / 1e6,
    timeoutMs: pick(own?.timeoutNs, image?.timeoutNs, DEFAULT_TIMEOUT_NS) / 1e6,
    startPeriodMs: pick(own?.startPeriodNs, image?.startPeriodNs, 0) / 1e6,
    startIntervalMs: pick(own?.startIntervalNs, image?.startIntervalNs, DEFAULT_START_INTERVAL_NS) / 1e6,
    retries: pick(own?.retries, image?.retries, DEFAULT_RETRIES),
  };
}

export function initialHealth(): HealthState {
  return { status: 'starting', failingStreak: 0, log: [] };
}

/** The state after one probe. `inStartPeriod`: the container started less than start_period ago. */
export function recordResult(state: HealthState, result: HealthResult, retries: number, inStartPeriod: boolean): HealthState {
  const log = [...state.log, { ...result, output: cut(result.output) }].slice(-KEPT_RESULTS);
  if (result.exitCode === 0) return { status: 'healthy', failingStreak: 0, log };
  if (inStartPeriod && state.status === 'starting') return { status: 'starting', failingStreak: state.failingStreak, log };
  const failingStreak = state.failingStreak + 1;
  return { status: failingStreak >= retries ? 'unhealthy' : state.status, failingStreak, log };
}

/** The wait before the next probe: start_interval while starting inside the start period. */
export function nextProbeDelay(check: EffectiveCheck, state: HealthState, inStartPeriod: boolean): number {
  return state.status === 'starting' && inStartPeriod ? check.startIntervalMs : check.intervalMs;
}

function cut(output: string): string {
  const bytes = Buffer.from(output);
  return bytes.length <= MAX_OUTPUT ? output : bytes.subarray(0, MAX_OUTPUT).toString('utf8');
}
