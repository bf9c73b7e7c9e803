import { Readable, Writable, type PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Meter, tee } from '../../../../../../src/engine/bundled/images/store/tee';
import { delay } from './fakes';

const collect = async (stream: PassThrough, slowMs = 0): Promise<Buffer> => {
  const parts: Buffer[] = [];
  await pipeline(
    stream,
    new Writable({
      write(chunk: Buffer, _e, done) {
        parts.push(chunk);
        setTimeout(done, slowMs);
      },
    }),
  );
  return Buffer.concat(parts);
};

function source(chunks: number, size: number, served: { bytes: number }, failAt?: number): Readable {
  return Readable.from(
    (async function* () {
      for (let i = 0; i < chunks; i++) {
        if (i === failAt) throw new Error('connection reset');
        served.bytes += size;
        yield Buffer.alloc(size, i % 256);
        await delay(0);
      }
    })(),
  );
}

describe('tee', () => {
  it('gives both consumers every byte, at the pace of the slower one, and meters them', async () => {
    const served = { bytes: 0 };
    const progress: number[] = [];
    const result = await tee(source(50, 100_000, served), new Meter(5_000_000, (n) => progress.push(n)), new AbortController().signal, (a, b) => [
      collect(a, 1).then(() => undefined),
      collect(b).then((buf) => buf.length),
    ]);
    expect(result).toBe(5_000_000);
    expect(progress[progress.length - 1]).toBe(5_000_000);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
  });

  it('stops the source and the other consumer when one fails, and throws that first error after both settled', async () => {
    const served = { bytes: 0 };
    let otherSettled = false;
    const err = await tee(source(1000, 100_000, served), new Meter(1e8, () => undefined), new AbortController().signal, (a, b) => [
      collect(a).then(
        () => undefined,
        async (e: unknown) => {
          await delay(20);
          otherSettled = true;
          throw e;
        },
      ),
      (async () => {
        await delay(5);
        b.resume();
        throw new Error('hostile entry');
      })(),
    ]).catch((e: Error) => e);
    expect((err as Error).message).toBe('hostile entry');
    expect(otherSettled).toBe(true);
    expect(served.bytes).toBeLessThan(1e8);
  });

  it('reports a broken source', async () => {
    const err = await tee(source(10, 1000, { bytes: 0 }, 5), new Meter(10_000, () => undefined), new AbortController().signal, (a, b) => [
      collect(a).then(() => undefined),
      collect(b).then(() => 1),
    ]).catch((e: Error) => e);
    expect((err as Error).message).toBe('connection reset');
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const pending = tee(source(1000, 100_000, { bytes: 0 }), new Meter(1e8, () => undefined), controller.signal, (a, b) => [
      collect(a).then(() => undefined),
      collect(b).then(() => 1),
    ]);
    await delay(10);
    controller.abort(new Error('cancelled'));
    await expect(pending).rejects.toThrow('cancelled');
  });
});
