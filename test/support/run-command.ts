/**
 * Runs a program to completion and collects what it printed: the small `spawn` wrapper the
 * test harnesses share. Never throws for a non-zero exit (the caller reads `code`); throws only
 * when the program cannot be started or outlives its timeout (then it is killed by its PID).
 */
import { spawn } from 'node:child_process';

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  /** Exit code; 128 + signal number when a signal ended it. */
  readonly code: number;
}

export interface RunCommandOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Written to the program's stdin, which is then closed. */
  readonly input?: string | Buffer;
  /** Default 5 minutes. */
  readonly timeoutMs?: number;
}

const signalNumbers: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

export function runCommand(command: string, args: readonly string[], options: RunCommandOptions = {}): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      env: options.env ?? process.env,
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) {
        reject(new Error(`${command} ${args.join(' ')} did not finish within ${timeoutMs} ms (killed); stderr: ${stderr.trim().slice(-2000)}`));
        return;
      }
      resolve({ stdout, stderr, code: code ?? 128 + (signal ? signalNumbers[signal] ?? 0 : 0) });
    });
    child.stdin.on('error', () => undefined); // a program that exits without reading its input
    child.stdin.end(options.input ?? '');
  });
}
