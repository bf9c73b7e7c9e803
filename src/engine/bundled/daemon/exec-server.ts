/**
 * The server's end of an exec connection (see protocol.ts): after the 101 answer it reads the
 * options frame, runs `engine.exec` with stdin fed from stdin frames and stdout/stderr written
 * as frames (waiting for the socket to drain), and ends with an exit or error frame. The
 * client closing the connection aborts the exec.
 */
import type * as net from 'node:net';
import { Readable, Writable } from 'node:stream';
import type { ContainerStore } from '../../containers';
import { InvalidArgumentError } from '../../errors';
import { EXEC_UPGRADE, type ExecRequest } from './protocol';
import { encodeFrame, FrameDecoder, FrameType, type FrameTypeCode, WRITE_CHUNK } from './exec-frames';
import { toWireError } from './wire-error';

export function serveExec(engine: ContainerStore, id: string, socket: net.Socket, head: Buffer): void {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${EXEC_UPGRADE}\r\n\r\n`);
  socket.setNoDelay(true);
  const controller = new AbortController();
  const decoder = new FrameDecoder();
  let stdin: Readable | undefined;
  let started = false;
  let finished = false;

  const fail = (err: unknown): void => {
    if (finished) return;
    finished = true;
    if (!socket.destroyed) socket.end(encodeFrame(FrameType.error, JSON.stringify(toWireError(err))));
  };

  const onFrame = (type: number, payload: Buffer): void => {
    if (!started) {
      if (type !== FrameType.options) throw new InvalidArgumentError(`exec stream: expected the options frame first, got frame type ${type}`);
      started = true;
      let request: ExecRequest;
      try {
        request = JSON.parse(payload.toString('utf8')) as ExecRequest;
      } catch (err) {
        throw new InvalidArgumentError(`exec stream: the options frame is not JSON: ${(err as Error).message}`);
      }
      if (!Array.isArray(request.cmd)) throw new InvalidArgumentError('exec stream: the options frame has no "cmd" list');
      if (request.stdin) {
        stdin = new Readable({
          read() {
            socket.resume();
          },
        });
      }
      run(request);
      return;
    }
    if (type !== FrameType.stdin) throw new InvalidArgumentError(`exec stream: unexpected frame type ${type} from the client`);
    if (!stdin) return;
    if (payload.length === 0) stdin.push(null);
    else if (!stdin.push(payload)) socket.pause();
  };

  const run = (request: ExecRequest): void => {
    const { stdout: wantOut, stderr: wantErr, ...rest } = request;
    const { stdin: _wantIn, ...options } = rest; // stdin is the stream made from the frames
    const stdout = wantOut ? frameWriter(socket, FrameType.stdout, controller.signal) : undefined;
    const stderr = wantErr ? frameWriter(socket, FrameType.stderr, controller.signal) : undefined;
    // what the writers still hold goes out before the exit frame
    const flushed = (w: Writable | undefined): Promise<void> => new Promise((resolve) => (w ? w.end(() => resolve()) : resolve()));
    engine
      .exec(id, {
        ...options,
        ...(stdin ? { stdin } : {}),
        ...(stdout ? { stdout } : {}),
        ...(stderr ? { stderr } : {}),
        signal: controller.signal,
      })
      .then(async (result) => {
        await Promise.all([flushed(stdout), flushed(stderr)]);
        return result;
      })
      .then(
        (result) => {
          if (finished) return;
          finished = true;
          if (!socket.destroyed) socket.end(encodeFrame(FrameType.exit, JSON.stringify(result.exitCode !== undefined ? { exitCode: result.exitCode } : {})));
        },
        (err) => {
          if (!controller.signal.aborted) fail(err);
        },
      );
  };

  const onData = (chunk: Buffer): void => {
    try {
      for (const frame of decoder.push(chunk)) onFrame(frame.type, frame.payload);
    } catch (err) {
      socket.off('data', onData);
      controller.abort(err);
      fail(err);
    }
  };
  socket.on('data', onData);
  socket.on('error', () => undefined);
  // the client never half-closes before the exit frame: its end means it is gone
  // (http server sockets allow half-open connections, so 'close' alone would not come)
  socket.on('end', () => socket.destroy());
  socket.on('close', () => {
    if (!finished) controller.abort(new Error('the exec client went away'));
    stdin?.push(null);
  });
  if (head.length > 0) onData(head);
}

/** A Writable that sends what is written as frames of `type`; ending it sends nothing. */
function frameWriter(socket: net.Socket, type: FrameTypeCode, signal: AbortSignal): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (socket.destroyed) return callback(signal.reason instanceof Error ? signal.reason : new Error('the exec client went away'));
      let ok = true;
      for (let at = 0; at < chunk.length; at += WRITE_CHUNK) ok = socket.write(encodeFrame(type, chunk.subarray(at, at + WRITE_CHUNK)));
      if (ok) return callback();
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        callback();
      };
      socket.once('drain', done);
      socket.once('close', done);
    },
    final(callback) {
      callback();
    },
  });
}
