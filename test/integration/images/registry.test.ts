/**
 * The registry client against the local stand-in registry (127.0.0.1:5000,
 * started by /work/shared/fixtures/standin-images.sh), in mirror-only mode as
 * the engine is configured for tests: docker.io names are served by the
 * mirror under the same repository path, and Docker Hub is never contacted.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import { parseReference } from '../../../src/engine/image-reference';
import { RegistryClient } from '../../../src/engine/bundled/images/registry/client';
import { registryConfigFrom } from '../../../src/engine/bundled/images/registry/config';
import { RegistryError } from '../../../src/engine/bundled/images/registry/errors';

const MIRROR = process.env.TSCOMPOSE_TEST_REGISTRY ?? 'http://127.0.0.1:5000';
const AMD64 = { os: 'linux', architecture: 'amd64' };
const ARM64 = { os: 'linux', architecture: 'arm64', variant: 'v8' };

const config = registryConfigFrom({}, 'test', { TSCOMPOSE_REGISTRY_MIRROR: MIRROR, TSCOMPOSE_REGISTRY_MIRROR_ONLY: '1' });
let client: RegistryClient;

beforeAll(() => {
  client = new RegistryClient({ config, retryDelayMs: 50 });
});
afterAll(() => client.close());

/** What the registry itself says, fetched without the client. */
function raw(path: string, accept: string): Promise<{ type: string; digest: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${MIRROR}${path}`, { headers: { Accept: accept } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`${path}: HTTP ${res.statusCode}`));
          const body = Buffer.concat(chunks);
          resolve({ type: String(res.headers['content-type']), digest: `sha256:${createHash('sha256').update(body).digest('hex')}`, body });
        });
      })
      .on('error', reject);
  });
}

const ALL = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

test('config: the mirror only, never Docker Hub', () => {
  expect(config).toEqual({ mirrors: [MIRROR], insecure: [], mirrorOnly: true });
});

test('busybox:latest: the OCI index resolves to the amd64 (and arm64) manifest', async () => {
  const index = await raw('/v2/library/busybox/manifests/latest', ALL);
  expect(index.type).toBe('application/vnd.oci.image.index.v1+json');
  const entries = (JSON.parse(index.body.toString()) as { manifests: { digest: string; platform: { architecture: string } }[] }).manifests;
  const amdEntry = entries.find((m) => m.platform.architecture === 'amd64');
  const armEntry = entries.find((m) => m.platform.architecture === 'arm64');
  expect(amdEntry).toBeDefined();
  expect(armEntry).toBeDefined();

  const r = await client.resolve(parseReference('busybox:latest'), AMD64);
  expect(r.ref.canonical).toBe('docker.io/library/busybox:latest');
  expect(r.indexDigest).toBe(index.digest);
  expect(r.manifestDigest).toBe(amdEntry!.digest);
  expect(r.platform).toMatchObject(AMD64);
  expect(r.source).toBe(`mirror ${MIRROR}`);
  expect(r.layers.length).toBeGreaterThan(0);

  const onArm = await client.resolve(parseReference('busybox'), ARM64);
  expect(onArm.indexDigest).toBe(index.digest);
  expect(onArm.manifestDigest).toBe(armEntry!.digest);
  expect(onArm.platform.architecture).toBe('arm64');
  expect(onArm.layers[0].digest).not.toBe(r.layers[0].digest);
});

test('debian:bookworm-slim: an OCI manifest, no index', async () => {
  const m = await raw('/v2/library/debian/manifests/bookworm-slim', ALL);
  const r = await client.resolve(parseReference('debian:bookworm-slim'), AMD64);
  expect(r.manifestMediaType).toBe('application/vnd.oci.image.manifest.v1+json');
  expect(r.indexDigest).toBeUndefined();
  expect(r.manifestDigest).toBe(m.digest);
  expect(r.manifestBytes.equals(m.body)).toBe(true);
  expect(r.config.mediaType).toBe('application/vnd.oci.image.config.v1+json');
  expect(JSON.parse(r.configBytes.toString())).toMatchObject({ os: 'linux', architecture: 'amd64' });
});

test('mysql:5.7: a Docker schema 2 manifest sharing the debian layer; a layer blob fetched and verified', async () => {
  const m = await raw('/v2/library/mysql/manifests/5.7', ALL);
  const r = await client.resolve(parseReference('mysql:5.7'), AMD64);
  expect(r.manifestMediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
  expect(r.manifestDigest).toBe(m.digest);
  expect(r.config.mediaType).toBe('application/vnd.docker.container.image.v1+json');
  const debian = await client.resolve(parseReference('debian:bookworm-slim'), AMD64);
  expect(r.layers[0].digest).toBe(debian.layers[0].digest);

  const layer = r.layers[r.layers.length - 1];
  const hash = createHash('sha256');
  let size = 0;
  let counted = 0;
  const stream = await client.openBlob(r.ref, layer, { onBytes: (n) => (counted += n) });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  expect(`sha256:${hash.digest('hex')}`).toBe(layer.digest);
  expect(size).toBe(layer.size);
  expect(counted).toBe(layer.size);
});

test('an image the mirror does not have: image not found, naming the mirror', async () => {
  const e = await client.resolve(parseReference('mysql:no-such-tag'), AMD64).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(RegistryError);
  expect((e as RegistryError).reason).toBe('not-found');
  expect((e as RegistryError).message).toMatch(new RegExp(`^image not found: mysql:no-such-tag \\(mirror ${MIRROR.replace(/[.]/g, '\\.')} answered`));
});
