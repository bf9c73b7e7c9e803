/**
 * conmon's command line for one container (conmon 2.1, API version 1). conmon runs the
 * runtime's `create` itself (`<runtime> --root=<runtimeRoot> create --bundle … --pid-file …`),
 * owns the container's stdio, writes the k8s-file log and, at the exit, the exit code to
 * `<exitDir>/<id>` and `<persistDir>/exit`.
 *
 * Why each directory must exist beforehand (checked on conmon 2.1.6):
 * - `--socket-dir-path`: conmon symlinks `<socketDir>/<uuid>` to the bundle (for the attach
 *   socket's short path); without the directory it exits "Failed to create symlink for notify
 *   socket".
 * - `--persist-dir`: conmon writes `exit` there *before* the exit file; when the directory is
 *   missing it gives up silently and no exit file ever appears.
 */
import type { RuntimeInfo } from '../runtime/detect';

export interface MonitorOptions {
  /** Container ID (64 hex): conmon's -c and -u. */
  readonly id: string;
  /** Container name: conmon's -n. */
  readonly name: string;
  readonly runtime: RuntimeInfo;
  /** The runtime's --root (`<run>/runtime`). */
  readonly runtimeRoot: string;
  /** The bundle directory (holds config.json). conmon also makes `ctl` and `winsz` FIFOs here. */
  readonly bundle: string;
  /** `<run>/exits`: the exit code goes to `<exitDir>/<id>`. */
  readonly exitDir: string;
  readonly persistDir: string;
  readonly socketDir: string;
  /** The runtime writes the container's init PID here. */
  readonly pidFile: string;
  /** conmon writes its own PID here. */
  readonly monitorPidFile: string;
  /** The k8s-file log. */
  readonly logPath: string;
  /** Bytes; at this size conmon starts the log file over (see log-keeper.ts for keeping old ones). */
  readonly logSizeMax?: number;
  /** Give the container a pty (its output is logged as stdout). */
  readonly tty: boolean;
  /** Keep a pipe to the container's stdin open (attach). */
  readonly openStdin: boolean;
  /** Default /usr/bin/conmon (or CONMON_PATH-like callers pass their own). */
  readonly conmonPath?: string;
}

export function conmonArgs(o: MonitorOptions): string[] {
  const args = [
    '--api-version', '1',
    '-c', o.id,
    '-u', o.id,
    '-r', o.runtime.path,
    '-b', o.bundle,
    '-p', o.pidFile,
    '-n', o.name,
    '--exit-dir', o.exitDir,
    '--persist-dir', o.persistDir,
    '-l', `k8s-file:${o.logPath}`,
    '--conmon-pidfile', o.monitorPidFile,
    '--socket-dir-path', o.socketDir,
    '--runtime-arg', `--root=${o.runtimeRoot}`,
  ];
  if (o.logSizeMax !== undefined && o.logSizeMax > 0) args.push('--log-size-max', String(Math.floor(o.logSizeMax)));
  if (o.tty) args.push('-t');
  if (o.openStdin) args.push('-i');
  return args;
}
