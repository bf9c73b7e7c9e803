import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { decompressed, detectCompression } from '../../../../../../src/engine/bundled/images/unpack/decompress';
import { buildTar } from './tar-builder';

test.each([
  ['gzip', [0x1f, 0x8b, 8, 0], 'gzip'],
  ['zstd frame', [0x28, 0xb5, 0x2f, 0xfd, 0], 'zstd'],
  ['zstd skippable frame', [0x5a, 0x2a, 0x4d, 0x18, 0], 'zstd'],
  ['tar', [...Buffer.from('etc/passwd')], 'none'],
  ['too short to tell', [0x1f], 'none'],
  ['empty', [], 'none'],
] as const)('%s', (_, bytes, kind) => {
  expect(detectCompression(Buffer.from(bytes))).toBe(kind);
});

test('xz and bzip2 are refused', () => {
  expect(() => detectCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))).toThrow(/xz/);
  expect(() => detectCompression(Buffer.from('BZh91AY'))).toThrow(/bzip2/);
});

test('the magic is found across tiny first chunks, and no byte is lost', async () => {
  const tar = buildTar([{ name: 'a', content: 'x'.repeat(3000) }]);
  const gz = gzipSync(tar);
  const chunks = [gz.subarray(0, 1), gz.subarray(1, 2), gz.subarray(2, 3), gz.subarray(3)];
  const { stream, compression } = await decompressed(Readable.from(chunks));
  expect(compression).toBe('gzip');
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  expect(Buffer.concat(parts).equals(tar)).toBe(true);
});
