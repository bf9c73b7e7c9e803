/**
 * The OCI runtime's command line (runc or crun — they take the same commands) for containers
 * kept under one state directory (`--root <run>/runtime`). Creating a container is the
 * monitor's job (monitor/conmon.ts runs `create` under conmon); this starts, inspects,
 * signals, pauses, updates and deletes it, and runs processes in it (run-exec.ts).
 *
 * Failures are engine errors naming the runtime, the operation and the container, with the
 * runtime's own message: ObjectNotFoundError for an unknown container, ObjectConflictError for
 * one in the wrong state (not running, already paused …), EngineError otherwise.
 */
import type { OciProcess, OciResources } from '../oci/oci-spec-types';
import type { RuntimeInfo } from './detect';
import { defaultExecScratch, runExec, type ExecIo, type ExecOutcome } from './run-exec';
import { runProgram } from './run-program';
import { runtimeError, runtimeMessage } from './runtime-error';
import { signalNumber } from './signal-number';

export type RuntimeStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

export interface RuntimeState {
  readonly status: RuntimeStatus;
  /** The init process's PID on the host; 0 once stopped. */
  readonly pid: number;
  readonly bundle?: string;
  /** RFC 3339. */
  readonly created?: string;
}

export interface OciRuntimeOptions {
  /** Where exec's process.json and pid files live meanwhile; default <tmpdir>/tscompose-exec. */
  readonly scratchDir?: string;
  /** Per command; default 60 s. */
  readonly timeoutMs?: number;
}

const STATUSES: readonly RuntimeStatus[] = ['creating', 'created', 'running', 'paused', 'stopped'];

export class OciRuntime {
  private readonly scratchDir: string;
  private readonly timeoutMs: number;

  constructor(
    readonly info: RuntimeInfo,
    readonly stateRoot: string,
    options: OciRuntimeOptions = {},
  ) {
    this.scratchDir = options.scratchDir ?? defaultExecScratch();
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Runs the user process of a created container. */
  async start(id: string): Promise<void> {
    await this.run(['start', id], `start container ${id}`);
  }

  /** The runtime's view of the container; undefined when it has none (never created, or deleted). */
  async state(id: string): Promise<RuntimeState | undefined> {
    const r = await runProgram(this.info.path, ['--root', this.stateRoot, 'state', id], { timeoutMs: this.timeoutMs });
    if (r.code !== 0) {
      const err = runtimeError(this.info.name, `state of container ${id}`, runtimeMessage(r.stderr));
      if (err.name === 'ObjectNotFoundError') return undefined;
      throw err;
    }
    return parseState(r.stdout, `${this.info.name} state ${id}`);
  }

  /** Sends `signal` (`SIGTERM`, `TERM`, `15` …) to the init process, or to all its processes. */
  async kill(id: string, signal: string, all = false): Promise<void> {
    const n = signalNumber(signal);
    await this.run(['kill', ...(all ? ['--all'] : []), id, String(n)], `kill container ${id} with signal ${signal}`);
  }

  /** Forgets a stopped container (`force`: kills a running one first). */
  async delete(id: string, force = false): Promise<void> {
    await this.run(['delete', ...(force ? ['--force'] : []), id], `delete container ${id}`);
  }

  /** Freezes every process of the container (cgroup freezer). */
  async pause(id: string): Promise<void> {
    await this.run(['pause', id], `pause container ${id}`);
  }

  async resume(id: string): Promise<void> {
    await this.run(['resume', id], `resume container ${id}`);
  }

  /** Changes the cgroup limits of a created or running container (`update -r -`). */
  async update(id: string, resources: OciResources): Promise<void> {
    await this.run(['update', '--resources', '-', id], `update resources of container ${id}`, JSON.stringify(resources));
  }

  /** Host PIDs of the container's processes. */
  async ps(id: string): Promise<number[]> {
    const out = await this.run(['ps', '--format', 'json', id], `list processes of container ${id}`);
    const parsed: unknown = JSON.parse(out.trim() === '' || out.trim() === 'null' ? '[]' : out);
    if (!Array.isArray(parsed) || !parsed.every((p): p is number => typeof p === 'number')) {
      throw runtimeError(this.info.name, `ps ${id}`, `unexpected output ${JSON.stringify(out.slice(0, 200))}`);
    }
    return parsed;
  }

  /** IDs and states of every container under this state directory. */
  async list(): Promise<{ readonly id: string; readonly status: RuntimeStatus; readonly pid: number }[]> {
    const out = await this.run(['list', '--format', 'json'], 'list containers');
    const parsed: unknown = JSON.parse(out.trim() === '' || out.trim() === 'null' ? '[]' : out);
    if (!Array.isArray(parsed)) throw runtimeError(this.info.name, 'list', `unexpected output ${JSON.stringify(out.slice(0, 200))}`);
    return parsed.map((c: { id?: unknown; status?: unknown; pid?: unknown }) => ({
      id: String(c.id),
      status: STATUSES.includes(c.status as RuntimeStatus) ? (c.status as RuntimeStatus) : 'stopped',
      pid: typeof c.pid === 'number' ? c.pid : 0,
    }));
  }

  /**
   * Runs `process` in the running container — in the foreground (the exit code is returned),
   * with or without a TTY, or detached. See run-exec.ts.
   */
  exec(id: string, process: OciProcess, io: ExecIo): Promise<ExecOutcome> {
    return runExec({ runtimeName: this.info.name, runtimePath: this.info.path, stateRoot: this.stateRoot, scratchDir: this.scratchDir }, id, process, io);
  }

  private async run(args: readonly string[], what: string, input?: string): Promise<string> {
    const r = await runProgram(this.info.path, ['--root', this.stateRoot, ...args], { timeoutMs: this.timeoutMs, ...(input !== undefined ? { input } : {}) });
    if (r.code !== 0) throw runtimeError(this.info.name, what, runtimeMessage(r.stderr) || `exit code ${r.code}`);
    return r.stdout;
  }
}

function parseState(out: string, what: string): RuntimeState {
  let j: { status?: unknown; pid?: unknown; bundle?: unknown; created?: unknown };
  try {
    j = JSON.parse(out) as typeof j;
  } catch {
    throw runtimeError('runtime', what, `not JSON: ${out.slice(0, 200)}`);
  }
  if (!STATUSES.includes(j.status as RuntimeStatus)) throw runtimeError('runtime', what, `unknown status ${JSON.stringify(j.status)}`);
  return {
    status: j.status as RuntimeStatus,
    pid: typeof j.pid === 'number' ? j.pid : 0,
    ...(typeof j.bundle === 'string' ? { bundle: j.bundle } : {}),
    ...(typeof j.created === 'string' ? { created: j.created } : {}),
  };
}
