/**
 * Scripted exec for the fake engine: a test registers handlers (`fake.onExec(h)`); the first
 * one that returns an outcome for a call decides its output and exit code. A handler can also
 * stream (`call.write`) and read the caller's stdin (`call.stdin()`). A call no handler takes
 * ends as a missing executable does: exit code 127 and a message on stderr.
 */
import { once } from 'node:events';
import type { ContainerInfo, ExecOptions } from '../containers';

export interface FakeExecCall {
  readonly container: ContainerInfo;
  readonly cmd: readonly string[];
  readonly env: readonly string[];
  readonly user?: string;
  readonly workingDir?: string;
  readonly tty: boolean;
  readonly privileged: boolean;
  readonly detach: boolean;
  /** Everything the caller fed to stdin (empty when it gave none). */
  stdin(): Promise<Buffer>;
  /** Writes to the caller's stdout or stderr (with `tty` both go to stdout), waiting for it to drain. */
  write(stream: 'stdout' | 'stderr', data: string | Buffer): Promise<void>;
  readonly signal: AbortSignal;
}

export interface FakeExecOutcome {
  readonly exitCode: number;
  readonly stdout?: string | Buffer;
  readonly stderr?: string | Buffer;
}

/** Returns an outcome to take the call, undefined to leave it to the next handler. */
export type FakeExecHandler = (call: FakeExecCall) => FakeExecOutcome | undefined | Promise<FakeExecOutcome | undefined>;

/** Runs one exec through the handlers; resolves with its exit code. */
export async function runFakeExec(handlers: readonly FakeExecHandler[], container: ContainerInfo, options: ExecOptions, signal: AbortSignal): Promise<number> {
  let stdinRead: Promise<Buffer> | undefined;
  const tty = options.tty === true;
  const call: FakeExecCall = {
    container,
    cmd: options.cmd,
    env: options.env ?? [],
    ...(options.user !== undefined ? { user: options.user } : {}),
    ...(options.workingDir !== undefined ? { workingDir: options.workingDir } : {}),
    tty,
    privileged: options.privileged === true,
    detach: options.detach === true,
    stdin: () => (stdinRead ??= readAll(options.stdin)),
    write: async (stream, data) => {
      const target = tty || stream === 'stdout' ? options.stdout : options.stderr;
      if (!target || (typeof data === 'string' ? data.length : data.length) === 0) return;
      if (!target.write(data)) await once(target as NodeJS.EventEmitter, 'drain', { signal });
    },
    signal,
  };
  for (const handler of handlers) {
    const outcome = await handler(call);
    if (outcome === undefined) continue;
    if (outcome.stdout !== undefined) await call.write('stdout', outcome.stdout);
    if (outcome.stderr !== undefined) await call.write('stderr', outcome.stderr);
    return outcome.exitCode;
  }
  await call.write('stderr', `fake engine: no exec handler took ${JSON.stringify(options.cmd)}: executable file not found in $PATH\n`);
  return 127;
}

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(parts);
}
