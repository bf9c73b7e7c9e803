import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough, pipeline, Transform, type Readable } from 'node:stream';
import { Decompress } from 'fzstd';
import { LayerError, messageOf } from './layer-error';

/**
 * zstd decompression (Node 20 has none built in), two ways:
 * - `cli`: Debian's `zstd -d` in a child process, fed and read through pipes (so backpressure
 *   holds), 5–20× faster than JavaScript, and its default 128 MiB window limit refuses frames
 *   that would need more memory. Used whenever `zstd` is on the PATH.
 * - `js`: fzstd (pure JavaScript) in a Transform, when the command is missing. Slower, much
 *   slower for large windows (it shifts its window buffer per block).
 * Either way, a stream cut inside a frame, or bytes that are not zstd, end in an error, never
 * in a clean end of stream.
 */
export type ZstdImplementation = 'cli' | 'js';

let found: ZstdImplementation | undefined;

/** `cli` when a `zstd` executable is on the PATH (looked up once). */
export function zstdImplementation(): ZstdImplementation {
  if (found === undefined) {
    const dirs = (process.env['PATH'] ?? '/usr/bin:/bin').split(path.delimiter).filter(Boolean);
    found = dirs.some((dir) => isExecutable(path.join(dir, 'zstd'))) ? 'cli' : 'js';
  }
  return found;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The decompressed bytes of `raw`. Errors of `raw` come out of the returned stream. */
export function zstdDecompressed(raw: Readable, implementation: ZstdImplementation = zstdImplementation()): Readable {
  return implementation === 'cli' ? throughCli(raw) : throughJs(raw);
}

const READ_AHEAD = 1 << 20;

function throughCli(raw: Readable): Readable {
  const out = new PassThrough({ highWaterMark: READ_AHEAD });
  const child = spawn('zstd', ['-d', '-c', '-q', '--no-progress'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let failure: unknown;
  const fail = (err: unknown): void => {
    failure ??= err;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (!out.destroyed) out.destroy(failure as Error);
  };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < 4096) stderr += text;
  });
  child.on('error', (err) => fail(new LayerError(`cannot run zstd to decompress the layer: ${messageOf(err)}`, undefined, { cause: err })));
  child.stdout.pipe(out, { end: false });
  child.on('close', (code, signal) => {
    if (failure !== undefined || out.destroyed) return;
    if (code === 0) out.end();
    else fail(new LayerError(`invalid zstd data: ${stderr.trim().replace(/\s+/g, ' ') || `zstd exited with ${code ?? signal}`}`));
  });
  pipeline(raw, child.stdin, (err) => {
    // EPIPE when zstd gave up first: its exit status tells why.
    if (err && (err as NodeJS.ErrnoException).code !== 'EPIPE') fail(err);
  });
  // The consumer stopped (an extraction error): stop zstd and the input too.
  out.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    raw.destroy();
  });
  return out;
}

function throughJs(raw: Readable): Readable {
  let transform: Transform;
  const decoder = new Decompress((data) => {
    if (data.length > 0) transform.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
  const wrap = (err: unknown): Error => new LayerError(`invalid zstd data: ${messageOf(err)}`, undefined, { cause: err });
  transform = new Transform({
    readableHighWaterMark: READ_AHEAD,
    transform(chunk: Buffer, _encoding, callback) {
      try {
        decoder.push(chunk);
        callback();
      } catch (err) {
        callback(wrap(err));
      }
    },
    flush(callback) {
      try {
        decoder.push(new Uint8Array(0), true);
        callback();
      } catch (err) {
        callback(wrap(err));
      }
    },
  });
  pipeline(raw, transform, (err) => {
    if (err && !transform.destroyed) transform.destroy(err);
  });
  return transform;
}
