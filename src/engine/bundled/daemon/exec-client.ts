/**
 * The client's end of an exec (see protocol.ts): upgrades a fresh connection, sends the
 * options frame, feeds the caller's stdin as frames (pausing it while the socket is full),
 * writes stdout/stderr frames to the caller's streams (pausing the socket while they are
 * full) and resolves with the exit frame. Aborting closes the connection, which aborts the
 * exec in the daemon.
 */
import * as http from 'node:http';
import type * as net from 'node:net';
import type { ExecOptions, ExecResult } from '../../containers';
import { RemoteError } from '../../errors';
import { encodeFrame, FrameDecoder, FrameType, WRITE_CHUNK } from './exec-frames';
import { EXEC_UPGRADE, type ExecExit, type ExecRequest } from './protocol';
import { asWireError, reviveError } from './wire-error';

export function execOverSocket(socketPath: string, requestPath: string, options: ExecOptions, connectionError: (err: Error) => Error): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve, reject) => {
    const signal = options.signal;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let settled = false;
    let conn: net.Socket | undefined;
    const cleanups: Array<() => void> = [];
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      for (const c of cleanups) c();
      fn();
    };
    const fail = (err: unknown): void => settle(() => reject(err));
    const onAbort = (): void => {
      req.destroy();
      conn?.destroy();
      fail(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    cleanups.push(() => signal?.removeEventListener('abort', onAbort));

    const req = http.request({ socketPath, method: 'POST', path: requestPath, agent: false, headers: { Connection: 'Upgrade', Upgrade: EXEC_UPGRADE } });
    req.on('error', (err) => fail(signal?.aborted ? signal.reason : connectionError(err)));
    req.on('response', (res) => {
      // an ordinary answer instead of the upgrade: an error
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let wire;
        try {
          wire = asWireError(JSON.parse(text));
        } catch {
          wire = undefined;
        }
        fail(wire ? reviveError(wire) : new RemoteError(`the engine daemon refused the exec (${res.statusCode}): ${text.slice(0, 200)}`));
      });
    });
    req.on('upgrade', (_res, socket: net.Socket, head: Buffer) => {
      conn = socket;
      socket.setNoDelay(true);
      cleanups.push(() => socket.end());
      const request: ExecRequest = {
        cmd: options.cmd,
        ...(options.env !== undefined ? { env: options.env } : {}),
        ...(options.user !== undefined ? { user: options.user } : {}),
        ...(options.workingDir !== undefined ? { workingDir: options.workingDir } : {}),
        ...(options.tty !== undefined ? { tty: options.tty } : {}),
        ...(options.privileged !== undefined ? { privileged: options.privileged } : {}),
        ...(options.detach !== undefined ? { detach: options.detach } : {}),
        stdin: options.stdin !== undefined && options.detach !== true,
        stdout: options.stdout !== undefined,
        stderr: options.stderr !== undefined,
      };
      socket.write(encodeFrame(FrameType.options, JSON.stringify(request)));
      if (request.stdin && options.stdin) pumpStdin(options.stdin, socket, fail, cleanups);
      else socket.write(encodeFrame(FrameType.stdin));

      const decoder = new FrameDecoder();
      const deliver = (target: NodeJS.WritableStream | undefined, payload: Buffer): void => {
        if (!target || target.write(payload)) return;
        socket.pause();
        target.once('drain', () => socket.resume());
      };
      const onData = (chunk: Buffer): void => {
        let frames;
        try {
          frames = decoder.push(chunk);
        } catch (err) {
          fail(new RemoteError(`the engine daemon sent a broken exec stream: ${(err as Error).message}`));
          socket.destroy();
          return;
        }
        for (const frame of frames) {
          if (frame.type === FrameType.stdout) deliver(options.stdout, frame.payload);
          else if (frame.type === FrameType.stderr) deliver(options.stderr, frame.payload);
          else if (frame.type === FrameType.exit) {
            let exit: ExecExit;
            try {
              exit = JSON.parse(frame.payload.toString('utf8')) as ExecExit;
            } catch {
              exit = {};
            }
            settle(() => resolve(typeof exit.exitCode === 'number' ? { exitCode: exit.exitCode } : {}));
          } else if (frame.type === FrameType.error) {
            let wire;
            try {
              wire = asWireError(JSON.parse(frame.payload.toString('utf8')));
            } catch {
              wire = undefined;
            }
            fail(wire ? reviveError(wire) : new RemoteError('the engine daemon sent an unreadable exec error'));
          }
        }
      };
      socket.on('data', onData);
      socket.on('error', () => undefined);
      socket.on('close', () => fail(signal?.aborted ? signal.reason : new RemoteError('the engine daemon closed the exec connection before the exit code')));
      if (head.length > 0) onData(head);
    });
    req.end();
  });
}

function pumpStdin(stdin: NodeJS.ReadableStream, socket: net.Socket, fail: (err: unknown) => void, cleanups: Array<() => void>): void {
  const onData = (chunk: Buffer | string): void => {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let ok = true;
    for (let at = 0; at < buf.length; at += WRITE_CHUNK) ok = socket.write(encodeFrame(FrameType.stdin, buf.subarray(at, at + WRITE_CHUNK)));
    if (!ok) stdin.pause();
  };
  const onDrain = (): void => {
    stdin.resume();
  };
  const onEnd = (): void => {
    if (!socket.destroyed) socket.write(encodeFrame(FrameType.stdin));
  };
  const onError = (err: Error): void => fail(err);
  stdin.on('data', onData);
  stdin.once('end', onEnd);
  stdin.once('error', onError);
  socket.on('drain', onDrain);
  cleanups.push(() => {
    stdin.removeListener('data', onData);
    stdin.removeListener('end', onEnd);
    stdin.removeListener('error', onError);
    socket.off('drain', onDrain);
    stdin.pause();
  });
}
