/**
 * Runs a host program (runc, crun, mount, umount …) to completion and returns what it printed.
 * Never rejects for a non-zero exit — the caller reads `code` and turns `stderr` into its own
 * error; rejects only when the program cannot be started or outlives `timeoutMs` (it is then
 * killed by its PID).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { EngineError } from '../../../errors';

export interface ProgramResult {
  /** Exit code; 128 + the signal's number when a signal ended it. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunProgramOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Written to the program's stdin, which is then closed (default: stdin is /dev/null). */
  readonly input?: string | Buffer;
  /** Default 60 s. */
  readonly timeoutMs?: number;
}

export function runProgram(file: string, args: readonly string[], options: RunProgramOptions = {}): Promise<ProgramResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], {
      stdio: [options.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      ...(options.env !== undefined ? { env: options.env } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new EngineError(`cannot run ${file}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) {
        reject(new EngineError(`${file} ${args.join(' ')} did not finish within ${timeoutMs} ms and was killed${stderr.trim() ? `: ${stderr.trim().slice(-500)}` : ''}`));
        return;
      }
      resolve({ code: code ?? 128 + (signal ? constants.signals[signal] : 0), stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined); // a program that exits without reading its input
      child.stdin.end(options.input);
    }
  });
}
