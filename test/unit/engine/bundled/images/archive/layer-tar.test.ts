import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { layerTar, measureLayer } from '../../../../../../src/engine/bundled/images/archive/layer-tar';
import { DigestMismatchError } from '../../../../../../src/engine/bundled/images/store/content-store';
import { sha256, synthLayer } from './archive-builder';

async function collect(gen: AsyncGenerator<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const piece of gen) parts.push(piece);
  return Buffer.concat(parts);
}

const layer = synthLayer({ 'a/': '', 'a/b': 'content of b'.repeat(100) }, { gzip: true });
const from = (bytes: Buffer): Readable => Readable.from([bytes.subarray(0, 100), bytes.subarray(100)]);

describe('layerTar', () => {
  it('gives back the uncompressed tar of a gzip blob, and of a plain one', async () => {
    const identity = { diffId: layer.diffId, size: layer.tar.length };
    expect((await collect(layerTar(from(layer.blob), identity, 'layer 1'))).equals(layer.tar)).toBe(true);
    expect((await collect(layerTar(from(layer.tar), identity, 'layer 1'))).equals(layer.tar)).toBe(true);
  });

  it('refuses a blob that is longer, shorter or other than announced', async () => {
    const longer = layerTar(from(layer.blob), { diffId: layer.diffId, size: layer.tar.length - 512 }, 'layer 1');
    await expect(collect(longer)).rejects.toThrow(`size mismatch: the uncompressed layer 1 should be ${layer.tar.length - 512} bytes but is longer`);
    const shorter = layerTar(from(layer.blob), { diffId: layer.diffId, size: layer.tar.length + 512 }, 'layer 1');
    await expect(collect(shorter)).rejects.toThrow(`should be ${layer.tar.length + 512} bytes but is ${layer.tar.length} bytes`);
    const other = layerTar(from(layer.blob), { diffId: sha256('other'), size: layer.tar.length }, 'layer 1');
    await expect(collect(other)).rejects.toBeInstanceOf(DigestMismatchError);
    await expect(collect(layerTar(from(layer.blob), { diffId: sha256('other'), size: layer.tar.length }, 'layer 1'))).rejects.toThrow(
      `digest mismatch: the uncompressed layer 1 (its diff ID) should be ${sha256('other')} but is ${layer.diffId}`,
    );
  });

  it('stops reading when the consumer stops', async () => {
    const source = from(layer.blob);
    const gen = layerTar(source, { diffId: layer.diffId, size: layer.tar.length }, 'layer 1');
    await gen.next();
    await gen.return(undefined);
    expect(source.destroyed).toBe(true);
  });
});

describe('measureLayer', () => {
  it('gives the diff ID and size of the uncompressed tar', async () => {
    expect(await measureLayer(from(layer.blob))).toEqual({ diffId: layer.diffId, size: layer.tar.length });
    expect(await measureLayer(from(gzipSync(Buffer.alloc(0))))).toEqual({ diffId: sha256(''), size: 0 });
  });
});
