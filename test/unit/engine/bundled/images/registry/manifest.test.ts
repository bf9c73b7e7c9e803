import { configPlatform, MANIFEST_ACCEPT, ManifestError, MediaType, parseManifest } from '../../../../../../src/engine/bundled/images/registry/manifest';

const D = (c: string) => `sha256:${c.repeat(64)}`;
const desc = (c: string, extra: object = {}) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: D(c), size: 10, ...extra });
const buf = (o: unknown) => Buffer.from(JSON.stringify(o));

describe('parseManifest', () => {
  test('media type from the Content-Type, the document, or the shape', () => {
    const manifest = { schemaVersion: 2, config: desc('a', { mediaType: MediaType.ociConfig }), layers: [desc('b')] };
    expect(parseManifest(buf(manifest), `${MediaType.dockerManifest}; charset=utf-8`).mediaType).toBe(MediaType.dockerManifest);
    expect(parseManifest(buf({ ...manifest, mediaType: MediaType.ociManifest }), 'application/json').mediaType).toBe(MediaType.ociManifest);
    expect(parseManifest(buf(manifest), undefined)).toEqual({
      kind: 'manifest',
      mediaType: MediaType.ociManifest,
      config: desc('a', { mediaType: MediaType.ociConfig }),
      layers: [desc('b')],
    });
    const index = { schemaVersion: 2, manifests: [desc('c', { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, annotations: { a: 'b' } })] };
    expect(parseManifest(buf(index), 'text/plain')).toEqual({
      kind: 'index',
      mediaType: MediaType.ociIndex,
      manifests: [desc('c', { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, annotations: { a: 'b' } })],
    });
    expect(parseManifest(buf(index), MediaType.dockerManifestList).mediaType).toBe(MediaType.dockerManifestList);
  });

  test.each([
    ['not json', undefined, /not valid JSON/],
    ['[]', undefined, /not a JSON object/],
    [JSON.stringify({ schemaVersion: 1, name: 'x' }), MediaType.dockerSchema1Signed, /schema 1/],
    [JSON.stringify({ schemaVersion: 1, name: 'x', fsLayers: [] }), undefined, /schema 1/],
    [JSON.stringify({ schemaVersion: 2 }), undefined, /unknown manifest type/],
    [JSON.stringify({ schemaVersion: 3, manifests: [] }), undefined, /unsupported schemaVersion 3/],
    [JSON.stringify({ schemaVersion: 2, config: desc('a'), layers: [{ ...desc('b'), digest: 'sha256:zz' }] }), undefined, /layers\[0\]: digest/],
    [JSON.stringify({ schemaVersion: 2, config: desc('a'), layers: [{ ...desc('b'), size: -1 }] }), undefined, /layers\[0\] has no valid size/],
    [JSON.stringify({ schemaVersion: 2, config: { digest: D('a'), size: 1 }, layers: [] }), undefined, /config has no mediaType/],
    [JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: 'x' }), undefined, /no "manifests" list/],
  ])('rejects %s', (text, contentType, reason) => {
    expect(() => parseManifest(Buffer.from(text), contentType)).toThrow(ManifestError);
    expect(() => parseManifest(Buffer.from(text), contentType)).toThrow(reason);
  });

  test('Accept names all four manifest types', () => {
    for (const t of [MediaType.dockerManifest, MediaType.dockerManifestList, MediaType.ociManifest, MediaType.ociIndex]) {
      expect(MANIFEST_ACCEPT.split(', ')).toContain(t);
    }
  });
});

describe('configPlatform', () => {
  test('os, architecture and variant from an image config', () => {
    expect(configPlatform(buf({ os: 'linux', architecture: 'arm', variant: 'v7', config: {} }))).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(configPlatform(buf({ config: {} }))).toBeUndefined();
    expect(() => configPlatform(Buffer.from('nope'))).toThrow(/not valid JSON/);
  });
});
