/**
 * `runc exec` (or crun's) of one process in a running container, three ways:
 *
 * - **foreground, no TTY**: the runtime runs in the foreground with pipes; the process's
 *   stdout/stderr pass through them to the caller's streams; the exit code is the runtime's
 *   (the process's, 128 + signal when a signal ended it).
 * - **foreground, TTY**: the runtime makes the container's pty itself and copies between it and
 *   its *own* terminal — which must be a terminal (runc opens /dev/tty otherwise and fails
 *   "open /dev/tty: no such device or address"). Node cannot make a pty, so the runtime runs
 *   under util-linux `script` (Debian's essential bsdutils), which gives it one and relays it
 *   over plain pipes: `script -q -e -E never -O /dev/null -c "stty …; exec runc exec …"`.
 *   Everything arrives on stdout, `\n` as `\r\n`, as with `docker exec -t`. Input is echoed by
 *   the container's pty (as a terminal does). The end of the caller's stdin is sent as ^D (EOF
 *   for a canonical-mode reader); script's own stdin is kept open until the process exits,
 *   because at EOF script would inject a byte of its own.
 * - **detached**: `exec -d` with stdio on /dev/null (never a pipe: runc #1721, a detached exec
 *   with piped stdio hangs) and `--pid-file`; resolves once the process runs, without an exit
 *   code. A TTY is not given to a detached process (no one would read it).
 *
 * The runtime writes its own errors to a `--log` file (JSON), not into the process's streams;
 * a process that could not start ("executable file not found") gives 127 (126 for "permission
 * denied"), as the shell and `docker exec` do; the runtime prints that message on its stderr
 * too, so the caller's stderr (stdout with a TTY) shows it. An unknown
 * or stopped container rejects. `signal` kills the process (SIGKILL, by the PID from the pid
 * file) and rejects with the signal's reason.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineError, ObjectConflictError, ObjectNotFoundError } from '../../../errors';
import type { OciProcess } from '../oci/oci-spec-types';
import { runtimeError, runtimeMessage } from './runtime-error';

export interface ExecIo {
  readonly tty: boolean;
  /** Fed to the process; its end closes the process's stdin (sends ^D with a TTY). */
  readonly stdin?: NodeJS.ReadableStream;
  readonly stdout?: NodeJS.WritableStream;
  /** Unused with a TTY: everything comes on stdout. */
  readonly stderr?: NodeJS.WritableStream;
  readonly detach?: boolean;
  readonly signal?: AbortSignal;
  /** The TTY's size; default 24 × 80. */
  readonly consoleSize?: { readonly rows: number; readonly cols: number };
}

export interface ExecOutcome {
  /** Absent for a detached exec. */
  readonly exitCode?: number;
  /** The process's PID on the host (from the runtime's pid file), when it started. */
  readonly pid?: number;
}

export interface ExecTarget {
  readonly runtimeName: string;
  readonly runtimePath: string;
  readonly stateRoot: string;
  /** Where the process.json, pid file and log go for the time of the exec. */
  readonly scratchDir: string;
}

/** A shell word (for script's -c). */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? 128 + (signal ? os.constants.signals[signal] : 0);
}

/** Copies `from` into `to` with back-pressure, without ending `to` (the caller's stream). */
function relay(from: NodeJS.ReadableStream, to: NodeJS.WritableStream | undefined): void {
  if (!to) {
    from.resume();
    return;
  }
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
}

/** The runtime's exit, once its output is read (runc copies it until EOF, so a background child holding it keeps the exec going, as with docker exec). */
function closed(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
}

async function readPid(file: string): Promise<number | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Resolves when `file` exists or `done` settles, whichever comes first (polled every 10 ms). */
async function untilPidFile(file: string, done: Promise<unknown>): Promise<void> {
  let finished = false;
  void done.then(() => (finished = true), () => (finished = true));
  while (!finished && (await readPid(file)) === undefined) await new Promise((r) => setTimeout(r, 10));
}

export async function runExec(target: ExecTarget, id: string, process_: OciProcess, io: ExecIo): Promise<ExecOutcome> {
  io.signal?.throwIfAborted();
  await fs.mkdir(target.scratchDir, { recursive: true, mode: 0o700 });
  const dir = await fs.mkdtemp(path.join(target.scratchDir, `exec-${randomBytes(3).toString('hex')}-`));
  const processFile = path.join(dir, 'process.json');
  const pidFile = path.join(dir, 'pid');
  const logFile = path.join(dir, 'runtime.log');
  const detach = io.detach === true;
  const tty = io.tty && !detach;
  try {
    await fs.writeFile(processFile, JSON.stringify({ ...process_, terminal: tty }));
    const runtimeArgs = ['--root', target.stateRoot, '--log', logFile, '--log-format', 'json', 'exec', '--pid-file', pidFile, '--process', processFile, ...(detach ? ['--detach'] : []), id];

    let child: ChildProcess;
    if (detach) {
      child = spawn(target.runtimePath, runtimeArgs, { stdio: ['ignore', 'ignore', 'ignore'] });
    } else if (tty) {
      const size = io.consoleSize ?? { rows: 24, cols: 80 };
      const command = `stty raw -echo rows ${Math.floor(size.rows)} cols ${Math.floor(size.cols)} 2>/dev/null; exec ${[target.runtimePath, ...runtimeArgs].map(shellQuote).join(' ')}`;
      child = spawn('script', ['-q', '-e', '-E', 'never', '-O', '/dev/null', '-c', command], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, SHELL: '/bin/sh' },
      });
    } else {
      child = spawn(target.runtimePath, runtimeArgs, { stdio: [io.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    }
    const done = closed(child);

    let scriptErr = '';
    if (!detach) {
      if (child.stdout) relay(child.stdout, io.stdout);
      if (tty) child.stderr?.on('data', (c: Buffer) => (scriptErr += c.toString('utf8')));
      else if (child.stderr) relay(child.stderr, io.stderr);
      const stdin = child.stdin;
      const input = io.stdin;
      if (stdin) {
        stdin.on('error', () => undefined); // the process may exit without reading
        if (input) {
          const onData = (chunk: Buffer | string): void => {
            if (!stdin.destroyed && !stdin.write(chunk)) input.pause();
          };
          const onEnd = (): void => {
            if (stdin.destroyed) return;
            if (tty) stdin.write('\x04');
            else stdin.end();
          };
          let exited = false;
          const attach = (): void => {
            if (exited) return;
            input.on('data', onData);
            input.once('end', onEnd);
            stdin.on('drain', () => input.resume());
          };
          // With a TTY, input must wait until the pty is raw: before that its line discipline
          // would act on it (^C as SIGINT, ^D turned into a NUL, echo). runc writes the pid file
          // once the process runs, after the terminals are set up.
          if (tty) void untilPidFile(pidFile, done).then(attach);
          else attach();
          const detachInput = (): void => {
            exited = true;
            input.removeListener('data', onData);
            input.removeListener('end', onEnd);
            stdin.destroy();
          };
          void done.then(detachInput, detachInput);
        } else {
          void done.then(() => stdin.destroy(), () => stdin.destroy());
        }
      }
    }

    const onAbort = (): void => {
      void readPid(pidFile).then((pid) => {
        if (pid !== undefined) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        } else if (child.pid !== undefined) child.kill('SIGKILL');
      });
    };
    io.signal?.addEventListener('abort', onAbort, { once: true });
    let result: { code: number | null; signal: NodeJS.Signals | null };
    try {
      result = await done.catch((err: Error) => {
        throw new EngineError(`cannot run ${tty ? 'script (util-linux, needed for an exec with a TTY)' : target.runtimeName} to exec in container ${id}: ${err.message}`);
      });
    } finally {
      io.signal?.removeEventListener('abort', onAbort);
    }
    if (io.signal?.aborted) throw io.signal.reason instanceof Error ? io.signal.reason : new EngineError(`exec in container ${id} was aborted`);

    const exitCode = exitCodeOf(result.code, result.signal);
    const pid = await readPid(pidFile);
    const log = await fs.readFile(logFile, 'utf8').catch(() => '');
    const failed = runtimeMessage(log.split('\n').filter((l) => /"level":"(error|fatal)"/.test(l)).join('\n'));
    if (failed !== '' && pid === undefined) {
      const err = runtimeError(target.runtimeName, `exec in container ${id}`, failed);
      if (err instanceof ObjectNotFoundError || err instanceof ObjectConflictError) throw err;
      const notFound = /executable file not found|no such file or directory/i.test(failed);
      const denied = /permission denied/i.test(failed);
      if (!notFound && !denied) throw err;
      return { exitCode: notFound ? 127 : 126 };
    }
    if (tty && exitCode !== 0 && pid === undefined && scriptErr.trim() !== '') {
      throw new EngineError(`exec with a TTY in container ${id} failed: ${scriptErr.trim()}`);
    }
    if (detach) {
      if (exitCode !== 0 || pid === undefined) throw new EngineError(`${target.runtimeName} exec --detach in container ${id} failed (exit ${exitCode})`);
      return { pid };
    }
    return { exitCode, ...(pid !== undefined ? { pid } : {}) };
  } finally {
    await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The default scratch directory for exec files. */
export function defaultExecScratch(): string {
  return path.join(os.tmpdir(), 'tscompose-exec');
}
