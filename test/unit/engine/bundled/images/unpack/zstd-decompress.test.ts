import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { LayerError } from '../../../../../../src/engine/bundled/images/unpack/layer-error';
import { zstdDecompressed, zstdImplementation, type ZstdImplementation } from '../../../../../../src/engine/bundled/images/unpack/zstd-decompress';

const data = Buffer.from(Array.from({ length: 400_000 }, (_, i) => (i * 7 + (i >> 9)) % 256));
const zstd = (input: Buffer, ...args: string[]): Buffer => {
  const r = spawnSync('zstd', ['-q', '-c', ...args], { input, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`zstd failed: ${r.stderr.toString()}`);
  return r.stdout;
};
const pieces = (buf: Buffer, size: number): Readable => {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
};
const collect = async (stream: Readable): Promise<Buffer> => {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
};

test('the zstd command is found on this machine', () => {
  expect(zstdImplementation()).toBe('cli');
});

describe.each<ZstdImplementation>(['cli', 'js'])('zstd through %s', (impl) => {
  test('one frame, fed in small pieces', async () => {
    expect((await collect(zstdDecompressed(pieces(zstd(data), 1000), impl))).equals(data)).toBe(true);
  });

  test('several frames, including an empty one', async () => {
    const stream = Buffer.concat([zstd(data.subarray(0, 1000)), zstd(Buffer.alloc(0)), zstd(data.subarray(1000), '-19')]);
    expect((await collect(zstdDecompressed(pieces(stream, 4096), impl))).equals(data)).toBe(true);
  });

  test('a stream cut inside a frame errors instead of ending', async () => {
    const z = zstd(data);
    await expect(collect(zstdDecompressed(pieces(z.subarray(0, z.length - 7), 4096), impl))).rejects.toThrow(LayerError);
  });

  test('garbage after the zstd magic errors', async () => {
    const junk = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(5000, 0xee)]);
    await expect(collect(zstdDecompressed(pieces(junk, 512), impl))).rejects.toThrow(/invalid zstd data/);
  });

  test("an error of the input comes out as it is", async () => {
    const z = zstd(data);
    async function* failing(): AsyncGenerator<Buffer> {
      yield z.subarray(0, 100);
      throw new Error('digest mismatch');
    }
    await expect(collect(zstdDecompressed(Readable.from(failing()), impl))).rejects.toThrow('digest mismatch');
  });

  test('a consumer that stops early does not hang', async () => {
    const big = zstd(Buffer.alloc(50 << 20, 1));
    const out = zstdDecompressed(pieces(big, 65536), impl);
    for await (const chunk of out) {
      expect((chunk as Buffer).length).toBeGreaterThan(0);
      break;
    }
    expect(out.destroyed).toBe(true);
  });
});
