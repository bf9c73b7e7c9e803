/**
 * Containers under a monitor: Debian's conmon (the one podman and CRI-O use) runs the OCI
 * runtime's `create`, then owns the container — its stdio, the k8s-file log, the exit code —
 * so the container and its log outlive the engine process that made it.
 *
 * How it goes (conmon 2.1.6, checked here):
 * 1. We spawn conmon with a pipe as fd 3 and `_OCI_SYNCPIPE=3`. conmon forks: the parent exits
 *    at once, the child calls setsid, becomes a child subreaper, reopens its stdio on
 *    /dev/null, writes its PID to `--conmon-pidfile` and runs `<runtime> create`. So conmon is
 *    re-parented to init and keeps running when our process exits — it is in its own session,
 *    no signal of ours or of our terminal reaches it.
 * 2. When `create` returns, conmon writes `{"data": <pid>}` (or `{"data": -1, "message": …}`)
 *    to the sync pipe; we close our end then (conmon does not write to it again for a
 *    container, and it survives the pipe's closing).
 * 3. The container is `created`; OciRuntime.start(id) runs it. At its exit conmon writes the
 *    exit code to `<persistDir>/exit` and `<exitDir>/<id>` and exits (exit-files.ts).
 *
 * Failures leave nothing behind: the runtime's state is deleted, a conmon still running is
 * killed (by the PID it wrote), and the files conmon made (socket symlink, FIFOs, pid files) go.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../../../errors';
import { runProgram } from '../runtime/run-program';
import { conmonArgs, type MonitorOptions } from './conmon-args';
import { parseSyncMessage, type SyncResult } from './sync-message';

export { readExitFile, watchExits } from './exit-files';
export type { MonitorOptions } from './conmon-args';

export interface Monitored {
  /** conmon's PID (also in MonitorOptions.monitorPidFile). */
  readonly monitorPid: number;
  /** The container's init PID on the host. */
  readonly pid: number;
}

export const DEFAULT_CONMON = '/usr/bin/conmon';
const CREATE_TIMEOUT_MS = 120_000;

async function readPidFile(file: string): Promise<number | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Whether `pid` is a live (not zombie) process. */
async function alive(pid: number): Promise<boolean> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (stat === '') return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/**
 * Runs the runtime's `create` for `o.bundle` under a new conmon. Resolves once the container
 * is `created` (call OciRuntime.start next) with conmon's and the container's PIDs.
 */
export async function createUnderMonitor(o: MonitorOptions): Promise<Monitored> {
  const conmon = o.conmonPath ?? DEFAULT_CONMON;
  for (const dir of [o.exitDir, o.persistDir, o.socketDir, o.runtimeRoot, path.dirname(o.pidFile), path.dirname(o.monitorPidFile), path.dirname(o.logPath)]) {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  }
  // a new run: the previous run's exit code and PIDs are not this one's
  for (const stale of [path.join(o.exitDir, o.id), path.join(o.persistDir, 'exit'), path.join(o.persistDir, 'oom'), o.pidFile, o.monitorPidFile]) {
    await fs.rm(stale, { force: true });
  }

  let result: SyncResult;
  let stderr = '';
  try {
    result = await new Promise<SyncResult>((resolve, reject) => {
      const child = spawn(conmon, conmonArgs(o), {
        stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
        detached: true,
        // conmon writes its `oom` marker relative to its working directory: keep it in the persist dir
        cwd: o.persistDir,
        env: { PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', _OCI_SYNCPIPE: '3' },
      });
      child.unref();
      const sync = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
      let text = '';
      let settled = false;
      const finish = (r: SyncResult | Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sync.destroy();
        child.stderr?.destroy();
        if (r instanceof Error) reject(r);
        else resolve(r);
      };
      const timer = setTimeout(() => finish(new EngineError(`conmon did not report the creation of container ${o.id} within ${CREATE_TIMEOUT_MS / 1000} s`)), CREATE_TIMEOUT_MS);
      child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      child.on('error', (err) => finish(new EngineError(`cannot run ${conmon} for container ${o.id}: ${err.message}`)));
      sync.on('data', (c: Buffer) => {
        text += c.toString('utf8');
        const parsed = parseSyncMessage(text);
        if (parsed) finish(parsed);
      });
      sync.on('error', () => undefined);
      sync.on('end', () => {
        const parsed = parseSyncMessage(`${text}\n`);
        // conmon closed the pipe without a word: it failed before running the runtime
        setTimeout(() => finish(parsed ?? { ok: false, message: `conmon exited without reporting${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join('; ')}` : ' (see the system log)'}` }), 50);
      });
    });
  } catch (err) {
    await cleanUpFailed(o);
    throw err;
  }
  if (!result.ok) {
    await cleanUpFailed(o);
    throw new EngineError(`cannot create container ${o.name} (${o.id.slice(0, 12)}): ${result.message}`);
  }
  const monitorPid = await readPidFile(o.monitorPidFile);
  if (monitorPid === undefined) {
    await cleanUpFailed(o);
    throw new EngineError(`conmon created container ${o.id} but wrote no PID to ${o.monitorPidFile}`);
  }
  return { monitorPid, pid: result.pid };
}

/** After a failed create: no runtime state, no conmon, none of conmon's files. */
async function cleanUpFailed(o: MonitorOptions): Promise<void> {
  await runProgram(o.runtime.path, ['--root', o.runtimeRoot, 'delete', '--force', o.id], { timeoutMs: 30_000 }).catch(() => undefined);
  const monitorPid = await readPidFile(o.monitorPidFile);
  if (monitorPid !== undefined && (await alive(monitorPid))) {
    try {
      process.kill(monitorPid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  for (const f of [o.pidFile, o.monitorPidFile, path.join(o.socketDir, o.id), path.join(o.bundle, 'ctl'), path.join(o.bundle, 'winsz'), path.join(o.bundle, 'attach')]) {
    await fs.rm(f, { force: true }).catch(() => undefined);
  }
}
