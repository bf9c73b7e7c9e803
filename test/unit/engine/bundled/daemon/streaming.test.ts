/**
 * Large tar bodies (image load/save, copy to/from a container) flow through the daemon as they
 * are produced: the producer may never run more than WINDOW bytes ahead of the consumer at the
 * other end. A client or server that buffered a whole body first would stall at WINDOW (and
 * the test would time out). Failures after the first byte arrive as the engine's error.
 */
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import type { ImageInfo } from '../../../../../src/engine/engine';
import { ObjectNotFoundError, RemoteError } from '../../../../../src/engine/errors';
import { FakeEngine } from '../../../../../src/engine/fake/fake-engine';
import { type Served, serveFake } from './serve-fake';

jest.setTimeout(60_000);

const TOTAL = 96 << 20; // 96 MiB
const CHUNK = 64 << 10;
const WINDOW = 12 << 20; // far more than the socket and stream buffers hold, far less than TOTAL

/** Counts bytes on both ends; the producer waits while it is WINDOW ahead. */
class Lockstep {
  produced = 0;
  consumed = 0;
  maxAhead = 0;
  private waiters: Array<() => void> = [];

  /** Waits while WINDOW ahead; fails when the other end takes nothing for 5 s (someone buffers the body). */
  async beforeProduce(n: number): Promise<void> {
    while (this.produced + n - this.consumed > WINDOW) {
      const progressed = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 5_000);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (!progressed) throw new Error(`stalled: ${this.produced} bytes produced, ${this.consumed} consumed, nothing more for 5 s — the body is buffered somewhere`);
    }
    this.produced += n;
    this.maxAhead = Math.max(this.maxAhead, this.produced - this.consumed);
  }

  consume(n: number): void {
    this.consumed += n;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** TOTAL bytes of a deterministic pattern, made only as fast as `lock` allows. */
function producer(lock: Lockstep): Readable {
  let i = 0;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      if (i * CHUNK >= TOTAL) {
        this.push(null);
        return;
      }
      const chunk = Buffer.alloc(CHUNK, i % 251);
      i++;
      lock.beforeProduce(chunk.length).then(
        () => this.push(chunk),
        (err: Error) => this.destroy(err),
      );
    },
  });
}

function expectedDigest(): string {
  const h = createHash('sha256');
  for (let i = 0; i * CHUNK < TOTAL; i++) h.update(Buffer.alloc(CHUNK, i % 251));
  return h.digest('hex');
}

/** Consumes a stream, counting into `lock`, and returns the sha256 of what came. */
async function consume(stream: NodeJS.ReadableStream, lock: Lockstep): Promise<string> {
  const h = createHash('sha256');
  for await (const c of stream) {
    h.update(c as Buffer);
    lock.consume((c as Buffer).length);
  }
  return h.digest('hex');
}

class StreamingEngine extends FakeEngine {
  lock = new Lockstep();
  received: string | undefined;
  failAfter: number | undefined;

  override async loadImages(tar: NodeJS.ReadableStream): Promise<ImageInfo[]> {
    this.received = await consume(tar, this.lock);
    return [];
  }

  override async copyTo(_ref: string, _path: string, tar: NodeJS.ReadableStream): Promise<void> {
    this.received = await consume(tar, this.lock);
  }

  override async saveImages(_refs: readonly string[], out: NodeJS.WritableStream): Promise<void> {
    let sent = 0;
    for await (const chunk of producer(this.lock)) {
      if (this.failAfter !== undefined && sent >= this.failAfter) throw new ObjectNotFoundError('blob sha256:abc is not in the content store');
      sent += (chunk as Buffer).length;
      if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
    }
    out.end();
  }

  override async copyFrom(): Promise<NodeJS.ReadableStream> {
    const source = producer(this.lock);
    if (this.failAfter === undefined) return source;
    let sent = 0;
    const limit = this.failAfter;
    return source.pipe(
      new (require('node:stream').Transform)({
        transform(chunk: Buffer, _e: string, cb: (err?: Error | null, data?: Buffer) => void) {
          sent += chunk.length;
          if (sent > limit) cb(new Error('read /app/big: input/output error'));
          else cb(null, chunk);
        },
      }),
    );
  }
}

let s: Served<StreamingEngine>;
beforeEach(async () => {
  s = await serveFake(new StreamingEngine());
});
afterEach(() => s.cleanup());

describe('large tar bodies through the daemon', () => {
  const digest = expectedDigest();

  it('loadImages streams the request body', async () => {
    await s.client.loadImages(producer(s.fake.lock));
    expect(s.fake.received).toBe(digest);
    expect(s.fake.lock.consumed).toBe(TOTAL);
    expect(s.fake.lock.maxAhead).toBeLessThanOrEqual(WINDOW);
  });

  it('copyTo streams the request body', async () => {
    await s.fake.createContainer({ name: 'c1', image: s.fake.addImage('busybox').id });
    await s.client.copyTo('c1', '/', producer(s.fake.lock));
    expect(s.fake.received).toBe(digest);
  });

  it('saveImages streams the answer into the caller’s stream', async () => {
    const lock = s.fake.lock;
    const h = createHash('sha256');
    const out = new Writable({
      write(chunk: Buffer, _e, cb) {
        h.update(chunk);
        lock.consume(chunk.length);
        cb();
      },
    });
    await s.client.saveImages(['anything'], out);
    expect(h.digest('hex')).toBe(digest);
    expect(out.writableEnded).toBe(true);
  });

  it('copyFrom streams the answer', async () => {
    await s.fake.createContainer({ name: 'c2', image: s.fake.addImage('busybox').id });
    const tar = await s.client.copyFrom('c2', '/app');
    expect(await consume(tar, s.fake.lock)).toBe(digest);
  });

  it('a save that fails part way fails the caller with the engine’s error, after the bytes so far', async () => {
    s.fake.failAfter = 1 << 20;
    const lock = s.fake.lock;
    let got = 0;
    const out = new Writable({
      write(chunk: Buffer, _e, cb) {
        got += chunk.length;
        lock.consume(chunk.length);
        cb();
      },
    });
    const saving = s.client.saveImages(['anything'], out);
    await expect(saving).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(saving).rejects.toThrow('blob sha256:abc is not in the content store');
    expect(got).toBe(1 << 20);
  });

  it('a copy that fails part way destroys the caller’s stream with the engine’s error', async () => {
    await s.fake.createContainer({ name: 'c3', image: s.fake.addImage('busybox').id });
    s.fake.failAfter = 2 << 20;
    const tar = await s.client.copyFrom('c3', '/app');
    const failure = await consume(tar, s.fake.lock).catch((e: unknown) => e as Error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe('read /app/big: input/output error');
    // what the server still held when the engine failed is dropped with the stream, nothing more came
    expect(s.fake.lock.consumed).toBeGreaterThan(0);
    expect(s.fake.lock.consumed).toBeLessThanOrEqual(2 << 20);
  });

  it('a daemon that goes away mid-stream fails the copy with a RemoteError', async () => {
    await s.fake.createContainer({ name: 'c4', image: s.fake.addImage('busybox').id });
    const tar = await s.client.copyFrom('c4', '/app');
    let first = true;
    const failure = await (async () => {
      for await (const c of tar) {
        s.fake.lock.consume((c as Buffer).length);
        if (first) {
          first = false;
          void s.server.close();
        }
      }
    })().catch((e: unknown) => e as Error);
    expect(failure).toBeInstanceOf(RemoteError);
    expect((failure as Error).message).toMatch(/^the engine daemon broke off the archive of \/app in container c4: /);
  });
});
