/**
 * Runs each running container's health check on its schedule: the command is exec'd in the
 * container with the check's timeout (a timeout counts as exit -1), and every result goes to
 * `onResult` with the new state and whether the status changed.
 */
import { Writable } from 'node:stream';
import type { ExecOptions, ExecResult, HealthState } from '../../../containers';
import { effectiveCheck, initialHealth, nextProbeDelay, recordResult, type EffectiveCheck } from './health-state';
import type { ContainerRecord } from './record';

export interface HealthCheckerDeps {
  exec(id: string, options: ExecOptions): Promise<ExecResult>;
  onResult(id: string, state: HealthState, changed: boolean): Promise<void>;
}

interface Running {
  readonly check: EffectiveCheck;
  readonly startedAt: number;
  state: HealthState;
  timer: NodeJS.Timeout | undefined;
  probe: AbortController | undefined;
}

export class HealthChecker {
  private readonly running = new Map<string, Running>();

  constructor(private readonly deps: HealthCheckerDeps) {}

  /**
   * Starts over for this run of the container, from `state` (a fresh `starting` one unless an
   * adopted container's is given). Returns the state to record, or undefined without a check.
   */
  start(record: ContainerRecord, state: HealthState = initialHealth()): HealthState | undefined {
    this.stop(record.id);
    const check = effectiveCheck(record.spec.healthcheck, record.imageConfig.healthcheck);
    if (!check) return undefined;
    const entry: Running = { check, startedAt: Date.now(), state, timer: undefined, probe: undefined };
    this.running.set(record.id, entry);
    this.schedule(record.id, entry);
    return state;
  }

  stop(id: string): void {
    const entry = this.running.get(id);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.probe?.abort(new Error('container stopped'));
    this.running.delete(id);
  }

  stopAll(): void {
    for (const id of [...this.running.keys()]) this.stop(id);
  }

  private schedule(id: string, entry: Running): void {
    const delay = nextProbeDelay(entry.check, entry.state, this.inStartPeriod(entry));
    entry.timer = setTimeout(() => void this.probe(id, entry), delay);
  }

  private inStartPeriod(entry: Running): boolean {
    return Date.now() - entry.startedAt < entry.check.startPeriodMs;
  }

  private async probe(id: string, entry: Running): Promise<void> {
    if (this.running.get(id) !== entry) return;
    const start = new Date().toISOString();
    const probe = new AbortController();
    entry.probe = probe;
    let output = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        if (output.length < 8192) output += chunk.toString('utf8');
        done();
      },
    });
    const timeout = setTimeout(() => probe.abort(new Error('health check timed out')), entry.check.timeoutMs);
    let exitCode: number;
    try {
      const result = await this.deps.exec(id, { cmd: entry.check.command, stdout: sink, stderr: sink, signal: probe.signal });
      exitCode = result.exitCode ?? -1;
    } catch (err) {
      exitCode = -1;
      output = probe.signal.aborted && !this.running.has(id) ? output : `${output}${probe.signal.aborted ? `Health check exceeded timeout (${entry.check.timeoutMs / 1000}s)` : err instanceof Error ? err.message : String(err)}`;
    } finally {
      clearTimeout(timeout);
      entry.probe = undefined;
    }
    if (this.running.get(id) !== entry) return;
    const before = entry.state.status;
    entry.state = recordResult(entry.state, { start, end: new Date().toISOString(), exitCode, output }, entry.check.retries, this.inStartPeriod(entry));
    await this.deps.onResult(id, entry.state, entry.state.status !== before).catch(() => undefined);
    if (this.running.get(id) === entry) this.schedule(id, entry);
  }
}
