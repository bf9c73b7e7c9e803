import { ByteSource } from '../../../../../../src/engine/bundled/images/unpack/byte-source';

function source(chunks: Buffer[]): { src: ByteSource; seen: Buffer[]; pulled: () => number } {
  const seen: Buffer[] = [];
  let pulled = 0;
  async function* gen(): AsyncGenerator<Buffer> {
    for (const c of chunks) {
      pulled++;
      yield c;
    }
  }
  return { src: new ByteSource(gen(), (c) => seen.push(c)), seen, pulled: () => pulled };
}

const truncated = (got: number): Error => new Error(`truncated after ${got}`);

test('exact reads across chunk boundaries; pulls only what it needs', async () => {
  const { src, pulled } = source([Buffer.from('abc'), Buffer.from('defgh'), Buffer.from('ij')]);
  expect((await src.read(2, truncated))!.toString()).toBe('ab');
  expect(pulled()).toBe(1);
  expect((await src.read(4, truncated))!.toString()).toBe('cdef');
  expect(pulled()).toBe(2);
  expect(src.position).toBe(6);
  const body: string[] = [];
  for await (const piece of src.take(3, truncated)) body.push(piece.toString());
  expect(body).toEqual(['gh', 'i']);
  expect((await src.read(1, truncated))!.toString()).toBe('j');
  expect(await src.read(1, truncated)).toBeNull();
});

test('an early end is reported with what was read', async () => {
  const { src } = source([Buffer.from('abc')]);
  await expect(src.read(5, truncated)).rejects.toThrow('truncated after 3');
  const other = source([Buffer.from('abc')]).src;
  await expect(other.skip(10, truncated)).rejects.toThrow('truncated after 3');
});

test('every chunk is shown once to onChunk, drain included', async () => {
  const chunks = [Buffer.from('12345'), Buffer.from('67'), Buffer.from('890')];
  const { src, seen } = source(chunks);
  await src.read(3, truncated);
  await src.skip(3, truncated);
  await src.drain();
  expect(Buffer.concat(seen).toString()).toBe('1234567890');
  expect(seen).toHaveLength(3);
  expect(src.position).toBe(10);
});
