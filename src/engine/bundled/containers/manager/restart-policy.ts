/**
 * Docker's restart manager as a pure function: whether a container that just exited is
 * started again, and after how long (moby restartmanager, see ENGINE-FACTS.md).
 *
 * - The delay starts at 100 ms and doubles with each restart, up to 1 minute; it starts over
 *   when the container had been up for 10 s or more.
 * - `on-failure[:N]` restarts only after a non-zero exit, at most N times (0 = no limit);
 *   `always` and `unless-stopped` after any exit; `no` never.
 * - Nothing restarts after an explicit stop or kill, nor while the engine shuts down.
 */
import type { RestartPolicy } from '../../../containers';

export const INITIAL_DELAY_MS = 100;
export const MAX_DELAY_MS = 60_000;
/** A run at least this long resets the back-off. */
export const RESET_AFTER_MS = 10_000;

export interface RestartInput {
  readonly policy: RestartPolicy | undefined;
  readonly exitCode: number;
  /** Restarts done so far by the policy (reset by an explicit start). */
  readonly restartCount: number;
  /** How long the process ran before it exited. */
  readonly ranForMs: number;
  /** The delay used for the previous restart (0 when there was none). */
  readonly previousDelayMs: number;
  readonly manuallyStopped: boolean;
  readonly engineStopping: boolean;
}

export type RestartDecision = { readonly restart: false } | { readonly restart: true; readonly delayMs: number };

export function decideRestart(input: RestartInput): RestartDecision {
  const policy = input.policy ?? { name: 'no' };
  if (input.manuallyStopped || input.engineStopping) return { restart: false };
  switch (policy.name) {
    case 'no':
      return { restart: false };
    case 'on-failure': {
      if (input.exitCode === 0) return { restart: false };
      const max = policy.maxRetries ?? 0;
      if (max > 0 && input.restartCount >= max) return { restart: false };
      break;
    }
    case 'always':
    case 'unless-stopped':
      break;
  }
  return { restart: true, delayMs: nextDelay(input.previousDelayMs, input.ranForMs) };
}

/** The back-off: 100 ms, doubled each time, capped at 1 min, reset after a run of 10 s or more. */
export function nextDelay(previousDelayMs: number, ranForMs: number): number {
  if (previousDelayMs <= 0 || ranForMs >= RESET_AFTER_MS) return INITIAL_DELAY_MS;
  return Math.min(previousDelayMs * 2, MAX_DELAY_MS);
}

/** At engine start: which stopped containers come back (`always` even after a manual stop). */
export function restartsWithEngine(policy: RestartPolicy | undefined, manuallyStopped: boolean, wasRunning: boolean): boolean {
  switch (policy?.name) {
    case 'always':
      return true;
    case 'unless-stopped':
      return !manuallyStopped;
    case 'on-failure':
      return wasRunning;
    default:
      return false;
  }
}
