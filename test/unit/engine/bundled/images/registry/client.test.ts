import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseReference } from '../../../../../../src/engine/image-reference';
import { RegistryClient, type RegistryClientOptions, type ResolvedImage } from '../../../../../../src/engine/bundled/images/registry/client';
import type { RegistryConfig } from '../../../../../../src/engine/bundled/images/registry/config';
import { staticCredentials, type RegistryCredentials } from '../../../../../../src/engine/bundled/images/registry/credentials';
import { RegistryError } from '../../../../../../src/engine/bundled/images/registry/errors';
import { MediaType } from '../../../../../../src/engine/bundled/images/registry/manifest';
import {
  basic,
  failTimes,
  FakeRegistry,
  MT,
  resetBlobAfter,
  serveInstead,
  sha256,
  stallBlobAfter,
} from './fake-registry';

const AMD64 = { os: 'linux', architecture: 'amd64' };
const ARM64 = { os: 'linux', architecture: 'arm64', variant: 'v8' };
const DIRECT: RegistryConfig = { mirrors: [], insecure: [], mirrorOnly: true };

let registry: FakeRegistry;
const clients: RegistryClient[] = [];

beforeEach(async () => {
  registry = await FakeRegistry.start();
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await registry.close();
});

function client(options: Partial<RegistryClientOptions> & { creds?: RegistryCredentials; credsHost?: string } = {}): RegistryClient {
  const { creds, credsHost, ...rest } = options;
  const c = new RegistryClient({
    config: DIRECT,
    retryDelayMs: 5,
    timeoutMs: 2000,
    ...(creds !== undefined ? { credentials: staticCredentials({ [credsHost ?? registry.host]: creds }) } : {}),
    ...rest,
  });
  clients.push(c);
  return c;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

async function failure(p: Promise<unknown>): Promise<RegistryError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RegistryError) return e;
    throw e;
  }
  throw new Error('expected a RegistryError, got success');
}

function ref(name: string) {
  return parseReference(`${registry.host}/${name}`);
}

describe('resolving manifests', () => {
  test('a Docker schema 2 image by tag: manifest, config and layers, verified, with the Accept types', async () => {
    const img = registry.addImage('team/app', ['1.0'], { kind: 'docker', layers: [randomBytes(1000), randomBytes(10)] });
    const r = await client().resolve(ref('team/app:1.0'), AMD64);
    expect(r.manifestDigest).toBe(img.manifest.digest);
    expect(r.indexDigest).toBeUndefined();
    expect(r.manifestMediaType).toBe(MT.dockerManifest);
    expect(sha256(r.manifestBytes)).toBe(img.manifest.digest);
    expect(r.config).toEqual({ mediaType: MT.dockerConfig, digest: img.config.digest, size: img.config.size });
    expect(r.configBytes.equals(img.config.bytes)).toBe(true);
    expect(r.layers.map((l) => l.digest)).toEqual(img.layers.map((l) => l.digest));
    expect(r.platform).toEqual(AMD64);
    expect(r.ref.canonical).toBe(`${registry.host}/team/app:1.0`);
    expect(r.source).toBe(`registry ${registry.host}`);
    const accept = registry.requestsTo(/manifests\/1\.0$/)[0].headers.accept ?? '';
    for (const t of [MT.dockerManifest, MT.dockerList, MT.ociManifest, MT.ociIndex]) expect(accept).toContain(t);
    // the registry was pinged once
    expect(registry.requestsTo(/^\/v2\/$/)).toHaveLength(1);
  });

  test('by digest: the reference digest wins over the tag', async () => {
    const a = registry.addImage('team/app', ['1.0'], { layers: [Buffer.from('a')] });
    const b = registry.addImage('team/app', [], { layers: [Buffer.from('b')] });
    const r = await client().resolve(ref(`team/app:1.0@${b.manifest.digest}`), AMD64);
    expect(r.manifestDigest).toBe(b.manifest.digest);
    expect(r.manifestDigest).not.toBe(a.manifest.digest);
    expect(registry.requestsTo(/manifests\/1\.0$/)).toHaveLength(0);
  });

  test('an OCI index with several platforms: the entry of the asked platform, skipping attestations', async () => {
    const amd = registry.addImage('lib/multi', [], { kind: 'oci', platform: AMD64 });
    const arm = registry.addImage('lib/multi', [], { kind: 'oci', platform: { os: 'linux', architecture: 'arm64' } });
    const armv7 = registry.addImage('lib/multi', [], { kind: 'oci', platform: { os: 'linux', architecture: 'arm', variant: 'v7' } });
    const att = registry.addImage('lib/multi', [], { kind: 'oci', platform: { os: 'unknown', architecture: 'unknown' } });
    const index = registry.addIndex('lib/multi', ['latest'], 'oci', [
      { manifest: att.manifest, mediaType: att.mediaType, platform: { os: 'unknown', architecture: 'unknown' } },
      { manifest: amd.manifest, mediaType: amd.mediaType, platform: AMD64 },
      { manifest: arm.manifest, mediaType: arm.mediaType, platform: { os: 'linux', architecture: 'arm64' } },
      { manifest: armv7.manifest, mediaType: armv7.mediaType, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
    ]);
    const c = client();
    const onAmd = await c.resolve(ref('lib/multi'), AMD64);
    expect(onAmd.indexDigest).toBe(index.digest);
    expect(onAmd.manifestDigest).toBe(amd.manifest.digest);
    expect(onAmd.manifestMediaType).toBe(MediaType.ociManifest);
    expect(onAmd.layers[0].digest).toBe(amd.layers[0].digest);

    const onArm = await c.resolve(ref('lib/multi'), ARM64); // entry without variant = arm64/v8
    expect(onArm.manifestDigest).toBe(arm.manifest.digest);
    expect(onArm.platform).toEqual({ os: 'linux', architecture: 'arm64' });

    const onArmV6 = await failure(c.resolve(ref('lib/multi'), { os: 'linux', architecture: 'arm', variant: 'v6' }));
    expect(onArmV6.reason).toBe('no-platform');
    expect(onArmV6.message).toBe(
      `no matching manifest for linux/arm/v6 in the manifest list entries of ${registry.host}/lib/multi:latest ` +
        '(it has linux/amd64, linux/arm64, linux/arm/v7)',
    );
    const onArmV8 = await c.resolve(ref('lib/multi'), { os: 'linux', architecture: 'arm', variant: 'v8' });
    expect(onArmV8.manifestDigest).toBe(armv7.manifest.digest);
  });

  test('a Docker manifest list', async () => {
    const amd = registry.addImage('lib/list', [], { kind: 'docker', platform: AMD64 });
    const arm = registry.addImage('lib/list', [], { kind: 'docker', platform: ARM64 });
    const list = registry.addIndex('lib/list', ['v1'], 'docker', [
      { manifest: arm.manifest, mediaType: arm.mediaType, platform: ARM64 },
      { manifest: amd.manifest, mediaType: amd.mediaType, platform: AMD64 },
    ]);
    const r = await client().resolve(ref('lib/list:v1'), AMD64);
    expect(r.indexDigest).toBe(list.digest);
    expect(r.manifestDigest).toBe(amd.manifest.digest);
    expect(r.manifestMediaType).toBe(MT.dockerManifest);
  });

  test('unknown tag and unknown repository: "image not found"', async () => {
    registry.addImage('team/app', ['1.0']);
    const e = await failure(client().resolve(ref('team/app:nope'), AMD64));
    expect(e.reason).toBe('not-found');
    expect(e.message).toBe(`image not found: ${registry.host}/team/app:nope (registry ${registry.host} answered manifest unknown)`);
    const e2 = await failure(client().resolve(ref('other/app'), AMD64));
    expect(e2.message).toMatch(/^image not found: 127\.0\.0\.1:\d+\/other\/app:latest/);
  });

  test('an index entry whose manifest is missing names the digest', async () => {
    const amd = registry.addImage('lib/broken', [], { platform: AMD64 });
    registry.addIndex('lib/broken', ['latest'], 'oci', [{ manifest: amd.manifest, mediaType: amd.mediaType, platform: AMD64 }]);
    registry.manifests.delete(`lib/broken@${amd.manifest.digest}`);
    const e = await failure(client().resolve(ref('lib/broken'), AMD64));
    expect(e.reason).toBe('not-found');
    expect(e.message).toContain(`the manifest ${amd.manifest.digest} listed in the index of ${registry.host}/lib/broken:latest is missing`);
  });

  test('schema 1 and non-image artifacts are refused with the reason', async () => {
    registry.putManifest('old/app', ['v1'], 'application/vnd.docker.distribution.manifest.v1+prettyjws', { schemaVersion: 1, name: 'old/app' });
    const e = await failure(client().resolve(ref('old/app:v1'), AMD64));
    expect(e.message).toMatch(/schema 1 manifest, which is not supported/);
    const cfg = registry.addBlob(Buffer.from('{}'));
    registry.putManifest('helm/chart', ['1'], MT.ociManifest, {
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: cfg.digest, size: cfg.size },
      layers: [],
    });
    const e2 = await failure(client().resolve(ref('helm/chart:1'), AMD64));
    expect(e2.message).toMatch(/is not a container image: its config has media type application\/vnd\.cncf\.helm/);
  });
});

describe('digest verification', () => {
  test('a manifest whose bytes do not match the digest asked for', async () => {
    const amd = registry.addImage('lib/x', [], { platform: AMD64 });
    registry.addIndex('lib/x', ['latest'], 'oci', [{ manifest: amd.manifest, mediaType: amd.mediaType, platform: AMD64 }]);
    const tampered = Buffer.from(amd.manifest.bytes.toString().replace('"schemaVersion": 2', '"schemaVersion":  2'));
    registry.fault(serveInstead(amd.manifest.digest, tampered));
    const e = await failure(client().resolve(ref('lib/x'), AMD64));
    expect(e.reason).toBe('digest-mismatch');
    expect(e.message).toBe(
      `digest mismatch for the manifest ${amd.manifest.digest} listed in the index of ${registry.host}/lib/x:latest ` +
        `from registry ${registry.host}: expected ${amd.manifest.digest}, got ${sha256(tampered)}`,
    );
  });

  test("a manifest that does not match the registry's Docker-Content-Digest", async () => {
    registry.addImage('team/app', ['1.0']);
    registry.wrongDigestHeader.set('team/app@1.0', 'sha256:' + '0'.repeat(64));
    const e = await failure(client().resolve(ref('team/app:1.0'), AMD64));
    expect(e.reason).toBe('digest-mismatch');
    expect(e.message).toContain('per its Docker-Content-Digest header');
  });

  test('a config whose bytes do not match', async () => {
    const img = registry.addImage('team/app', ['1.0']);
    registry.fault(serveInstead(img.config.digest, Buffer.alloc(img.config.size, 'x')));
    const e = await failure(client().resolve(ref('team/app:1.0'), AMD64));
    expect(e.reason).toBe('digest-mismatch');
    expect(e.message).toContain(`the config ${img.config.digest} of ${registry.host}/team/app:1.0`);
  });

  test('a blob whose bytes do not match: the stream errors instead of ending', async () => {
    const img = registry.addImage('team/app', ['1.0'], { layers: [randomBytes(5000)] });
    const corrupt = Buffer.from(img.layers[0].bytes);
    corrupt[4000] ^= 0xff;
    registry.fault(serveInstead(img.layers[0].digest, corrupt));
    const c = client();
    const r = await c.resolve(ref('team/app:1.0'), AMD64);
    const stream = await c.openBlob(r.ref, r.layers[0]);
    const e = await failure(readAll(stream));
    expect(e.reason).toBe('digest-mismatch');
    expect(e.message).toBe(
      `digest mismatch for blob ${img.layers[0].digest} of ${registry.host}/team/app:1.0 from registry ${registry.host}: ` +
        `expected ${img.layers[0].digest}, got ${sha256(corrupt)}`,
    );
  });

  test('a blob longer than its descriptor says is cut off as a mismatch', async () => {
    const img = registry.addImage('team/app', ['1.0'], { layers: [randomBytes(100)] });
    registry.fault(serveInstead(img.layers[0].digest, Buffer.concat([img.layers[0].bytes, Buffer.from('extra')])));
    const c = client();
    const r = await c.resolve(ref('team/app:1.0'), AMD64);
    const e = await failure(readAll(await c.openBlob(r.ref, r.layers[0])));
    expect(e.reason).toBe('digest-mismatch');
    expect(e.message).toContain('more than the 100 bytes the manifest announces');
  });
});

describe('blobs', () => {
  test('streamed as stored, with onBytes counting every byte', async () => {
    const layer = randomBytes(3 * 1024 * 1024);
    registry.addImage('team/app', ['1.0'], { layers: [layer] });
    const c = client();
    const r = await c.resolve(ref('team/app:1.0'), AMD64);
    let counted = 0;
    const got = await readAll(await c.openBlob(r.ref, r.layers[0], { onBytes: (n) => (counted += n) }));
    expect(got.equals(layer)).toBe(true);
    expect(counted).toBe(layer.length);
  });

  test('a connection reset halfway through is resumed with Range', async () => {
    const layer = randomBytes(2 * 1024 * 1024);
    const img = registry.addImage('team/app', ['1.0'], { layers: [layer] });
    registry.fault(resetBlobAfter(registry, img.layers[0].digest, 700_000, 2));
    const c = client();
    const r = await c.resolve(ref('team/app:1.0'), AMD64);
    let counted = 0;
    const got = await readAll(await c.openBlob(r.ref, r.layers[0], { onBytes: (n) => (counted += n) }));
    expect(got.equals(layer)).toBe(true);
    expect(counted).toBe(layer.length);
    const ranges = registry.requestsTo(new RegExp(`blobs/${img.layers[0].digest}$`)).map((q) => q.headers.range);
    expect(ranges[0]).toBeUndefined();
    expect(ranges.length).toBeGreaterThanOrEqual(2);
    // the resume asked for the rest, not the whole blob again
    const resumed = ranges.filter((x) => x !== undefined);
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    expect(Number(/^bytes=(\d+)-$/.exec(resumed[0] as string)?.[1])).toBeGreaterThan(0);
  });

  test('a registry that ignores Range: the bytes already received are skipped', async () => {
    const layer = randomBytes(1024 * 1024);
    const img = registry.addImage('team/app', ['1.0'], { layers: [layer] });
    registry.honourRange = false;
    registry.fault(resetBlobAfter(registry, img.layers[0].digest, 300_000));
    const c = client();
    const r = await c.resolve(ref('team/app:1.0'), AMD64);
    const got = await readAll(await c.openBlob(r.ref, r.layers[0]));
    expect(got.equals(layer)).toBe(true);
  });

  test('a download that stalls is dropped after the timeout and resumed', async () => {
    const layer = randomBytes(200_000);
    const img = registry.addImage('team/app', ['1.0'], { layers: [layer] });
    registry.fault(stallBlobAfter(registry, img.layers[0].digest, 50_000));
    const c = client({ timeoutMs: 300 });
    const r = await c.resolve(ref('team/app:1.0'), AMD64);
    const got = await readAll(await c.openBlob(r.ref, r.layers[0]));
    expect(got.equals(layer)).toBe(true);
    expect(registry.requestsTo(/blobs/).some((q) => q.headers.range === 'bytes=50000-')).toBe(true);
  });

  test('an unknown blob rejects openBlob with the digest and the image', async () => {
    const img = registry.addImage('team/app', ['1.0']);
    const c = client();
    const r = await c.resolve(ref('team/app:1.0'), AMD64);
    registry.blobs.delete(img.layers[0].digest);
    const e = await failure(c.openBlob(r.ref, r.layers[0]));
    expect(e.reason).toBe('not-found');
    expect(e.message).toBe(
      `blob ${img.layers[0].digest} of ${registry.host}/team/app:1.0 not found on registry ${registry.host}: blob unknown to registry`,
    );
  });

  test('aborting stops the stream with an AbortError', async () => {
    const layer = randomBytes(500_000);
    const img = registry.addImage('team/app', ['1.0'], { layers: [layer] });
    registry.fault(stallBlobAfter(registry, img.layers[0].digest, 1000));
    const c = client();
    const r = await c.resolve(ref('team/app:1.0'), AMD64);
    const ac = new AbortController();
    const stream = await c.openBlob(r.ref, r.layers[0], { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(readAll(stream)).rejects.toMatchObject({ name: 'AbortError' });
  });

  test('a blob redirected to another host gets no Authorization header there', async () => {
    const layer = randomBytes(1000);
    registry.auth = { kind: 'basic', user: 'u', pass: 'p' };
    const img = registry.addImage('team/app', ['1.0'], { layers: [layer] });
    const seen: (string | undefined)[] = [];
    const cdn = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'Content-Length': layer.length });
      res.end(layer);
    });
    await new Promise<void>((resolve) => cdn.listen(0, '127.0.0.1', resolve));
    try {
      const cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}/storage/blob`;
      registry.fault((req, res) => {
        if (!(req.url ?? '').endsWith(`/blobs/${img.layers[0].digest}`)) return false;
        res.writeHead(307, { Location: cdnUrl });
        res.end();
        return true;
      });
      const c = client({ creds: { username: 'u', password: 'p' } });
      const r = await c.resolve(ref('team/app:1.0'), AMD64);
      const got = await readAll(await c.openBlob(r.ref, r.layers[0]));
      expect(got.equals(layer)).toBe(true);
      expect(seen).toEqual([undefined]);
      expect(registry.requestsTo(/blobs/)[0].headers.authorization).toBe(basic('u', 'p'));
    } finally {
      cdn.closeAllConnections();
      await new Promise<void>((resolve) => cdn.close(() => resolve()));
    }
  });
});

describe('retries', () => {
  test('5xx then success', async () => {
    const img = registry.addImage('team/app', ['1.0']);
    registry.fault(failTimes(/manifests\/1\.0$/, 503, 2));
    registry.fault(failTimes(/blobs\//, 500, 1));
    const c = client();
    const r = await c.resolve(ref('team/app:1.0'), AMD64);
    expect(r.manifestDigest).toBe(img.manifest.digest);
    expect(registry.requestsTo(/manifests\/1\.0$/)).toHaveLength(3);
    expect(registry.requestsTo(new RegExp(`blobs/${img.config.digest}`))).toHaveLength(2);
  });

  test('a registry that keeps failing: bounded retries, then the cause', async () => {
    registry.addImage('team/app', ['1.0']);
    registry.fault(failTimes(/manifests\//, 502, 100));
    const e = await failure(client({ retries: 3 }).resolve(ref('team/app:1.0'), AMD64));
    expect(e.reason).toBe('bad-response');
    expect(e.message).toBe(
      `registry ${registry.host} failed while serving ${registry.host}/team/app:1.0: HTTP 502: injected 502 (gave up after 4 attempts)`,
    );
    expect(registry.requestsTo(/manifests\//)).toHaveLength(4);
  });

  test('a 404 is not retried', async () => {
    await failure(client().resolve(ref('team/none:1'), AMD64));
    expect(registry.requestsTo(/manifests\//)).toHaveLength(1);
  });

  test('an unreachable registry: a clear error, no retries', async () => {
    const port = registry.port;
    await registry.close();
    registry = await FakeRegistry.start(); // for afterEach
    const started = Date.now();
    const e = await failure(client().resolve(parseReference(`127.0.0.1:${port}/team/app:1.0`), AMD64));
    expect(e.reason).toBe('unreachable');
    expect(e.message).toBe(
      `cannot reach registry 127.0.0.1:${port} to pull 127.0.0.1:${port}/team/app:1.0: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('authentication', () => {
  test('Bearer: token from the realm with Basic credentials, scoped, cached for resolve and blobs', async () => {
    registry.auth = { kind: 'bearer', user: 'alice', pass: 's3cret', anonymous: false };
    const img = registry.addImage('team/app', ['1.0'], { layers: [randomBytes(100), randomBytes(100)] });
    const c = client({ creds: { username: 'alice', password: 's3cret' } });
    const r = await c.resolve(ref('team/app:1.0'), AMD64);
    expect(r.manifestDigest).toBe(img.manifest.digest);
    for (const l of r.layers) await readAll(await c.openBlob(r.ref, l));
    expect(registry.tokenRequests).toHaveLength(1);
    const t = new URL(registry.tokenRequests[0].url, 'http://x');
    expect(t.searchParams.get('service')).toBe('fake-registry');
    expect(t.searchParams.getAll('scope')).toEqual(['repository:team/app:pull']);
    expect(registry.tokenRequests[0].headers.authorization).toBe(basic('alice', 's3cret'));
    expect(registry.requestsTo(/manifests/)[0].headers.authorization).toBe('Bearer tok-1');
  });

  test('Bearer: a token per repository scope', async () => {
    registry.auth = { kind: 'bearer', anonymous: true };
    registry.addImage('team/a', ['1']);
    registry.addImage('team/b', ['1']);
    const c = client();
    await c.resolve(ref('team/a:1'), AMD64);
    await c.resolve(ref('team/b:1'), AMD64);
    await c.resolve(ref('team/a:1'), AMD64);
    expect(registry.tokenRequests.map((q) => new URL(q.url, 'http://x').searchParams.get('scope'))).toEqual([
      'repository:team/a:pull',
      'repository:team/b:pull',
    ]);
    expect(registry.tokenRequests.every((q) => q.headers.authorization === undefined)).toBe(true);
  });

  test('Bearer: an expired token is fetched again', async () => {
    registry.auth = { kind: 'bearer', anonymous: true, expiresIn: 1 };
    registry.addImage('team/app', ['1.0']);
    const c = client();
    await c.resolve(ref('team/app:1.0'), AMD64);
    await new Promise((r) => setTimeout(r, 1100));
    await c.resolve(ref('team/app:1.0'), AMD64);
    expect(registry.tokenRequests).toHaveLength(2);
  });

  test('Bearer: a registry that answers /v2/ with 200 but challenges the repository', async () => {
    registry.auth = { kind: 'bearer', anonymous: true };
    registry.challengeOnPing = false;
    const img = registry.addImage('team/app', ['1.0']);
    const r = await client().resolve(ref('team/app:1.0'), AMD64);
    expect(r.manifestDigest).toBe(img.manifest.digest);
    expect(registry.tokenRequests).toHaveLength(1);
  });

  test('Bearer with wrong credentials: "wrong credentials for <host>"', async () => {
    registry.auth = { kind: 'bearer', user: 'alice', pass: 's3cret', anonymous: true };
    registry.addImage('team/app', ['1.0']);
    const e = await failure(client({ creds: { username: 'alice', password: 'nope' } }).resolve(ref('team/app:1.0'), AMD64));
    expect(e.reason).toBe('unauthorized');
    expect(e.message).toMatch(new RegExp(`^wrong credentials for ${registry.host.replace(/\./g, '\\.')}: `));
    expect(e.message).toContain(`${registry.host}/team/app:1.0`);
  });

  test('Bearer without credentials where login is required: "authentication required"', async () => {
    registry.auth = { kind: 'bearer', user: 'alice', pass: 's3cret', anonymous: false };
    registry.addImage('team/app', ['1.0']);
    const e = await failure(client().resolve(ref('team/app:1.0'), AMD64));
    expect(e.reason).toBe('unauthorized');
    expect(e.message).toMatch(/^authentication required for 127\.0\.0\.1:\d+ to pull 127\.0\.0\.1:\d+\/team\/app:1\.0: /);
    expect(e.message).toContain(`docker login ${registry.host}`);
  });

  test('Bearer token without access to the repository: "pull access denied"', async () => {
    registry.addImage('team/app', ['1.0']);
    // a token server that hands out tokens granting no scope at all
    registry.auth = { kind: 'bearer', anonymous: true, realm: `${registry.url}/token-noscope` };
    registry.fault((req, res, reg) => {
      if (!(req.url ?? '').startsWith('/token-noscope')) return false;
      reg.issueToken(req, res, new URL('http://x/token'));
      return true;
    });
    const e = await failure(client().resolve(ref('team/app:1.0'), AMD64));
    expect(e.reason).toBe('denied');
    expect(e.message).toMatch(/^pull access denied for 127\.0\.0\.1:\d+\/team\/app:1\.0 on 127\.0\.0\.1:\d+ \(HTTP 401\)/);
  });

  test('Basic: right, wrong and missing credentials', async () => {
    registry.auth = { kind: 'basic', user: 'bob', pass: 'pw' };
    const img = registry.addImage('team/app', ['1.0']);
    const ok = await client({ creds: { username: 'bob', password: 'pw' } }).resolve(ref('team/app:1.0'), AMD64);
    expect(ok.manifestDigest).toBe(img.manifest.digest);
    expect(registry.requestsTo(/manifests/)[0].headers.authorization).toBe(basic('bob', 'pw'));

    const wrong = await failure(client({ creds: { username: 'bob', password: 'x' } }).resolve(ref('team/app:1.0'), AMD64));
    expect(wrong.reason).toBe('unauthorized');
    expect(wrong.message).toMatch(new RegExp(`^wrong credentials for ${registry.host.replace(/\./g, '\\.')}: it refused them`));

    const none = await failure(client().resolve(ref('team/app:1.0'), AMD64));
    expect(none.reason).toBe('unauthorized');
    expect(none.message).toBe(
      `authentication required for ${registry.host} to pull ${registry.host}/team/app:1.0: ` +
        `no credentials are stored for ${registry.host} (run \`docker login ${registry.host}\`)`,
    );
  });

  test('an identity token is exchanged with POST grant_type=refresh_token', async () => {
    registry.auth = { kind: 'bearer', anonymous: false, realm: `${registry.url}/oauth` };
    registry.addImage('team/app', ['1.0']);
    const forms: URLSearchParams[] = [];
    registry.fault((req, res, reg) => {
      if (!(req.url ?? '').startsWith('/oauth')) return false;
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        forms.push(form);
        if (req.method !== 'POST' || form.get('refresh_token') !== 'refresh-me') {
          res.writeHead(401);
          return void res.end();
        }
        const url = new URL('http://x/token');
        for (const s of (form.get('scope') ?? '').split(' ')) url.searchParams.append('scope', s);
        reg.auth = { kind: 'bearer', anonymous: true, realm: `${reg.url}/oauth` };
        reg.issueToken({ headers: {} } as http.IncomingMessage, res, url);
      });
      return true;
    });
    const r = await client({ creds: { identityToken: 'refresh-me' } }).resolve(ref('team/app:1.0'), AMD64);
    expect(r.layers).toHaveLength(1);
    expect(forms).toHaveLength(1);
    expect(forms[0].get('grant_type')).toBe('refresh_token');
    expect(forms[0].get('service')).toBe('fake-registry');
    expect(forms[0].get('scope')).toBe('repository:team/app:pull');
  });
});

describe('endpoints', () => {
  test('docker.io images go to the mirrors in order with the same repository path; a dead mirror is skipped', async () => {
    const img = registry.addImage('library/mysql', ['5.7']);
    const dead = await FakeRegistry.start();
    const deadUrl = dead.url;
    await dead.close();
    const c = client({ config: { mirrors: [deadUrl, registry.url], insecure: [], mirrorOnly: true } });
    const r = await c.resolve(parseReference('mysql:5.7'), AMD64);
    expect(r.manifestDigest).toBe(img.manifest.digest);
    expect(r.source).toBe(`mirror ${registry.url}`);
    expect(registry.requestsTo(/^\/v2\/library\/mysql\/manifests\/5\.7$/)).toHaveLength(1);
    const got = await readAll(await c.openBlob(r.ref, r.layers[0]));
    expect(sha256(got)).toBe(img.layers[0].digest);
  });

  test('not found on every mirror: the not-found error, naming the other mirror', async () => {
    const other = await FakeRegistry.start();
    try {
      const c = client({ config: { mirrors: [other.url, registry.url], insecure: [], mirrorOnly: true } });
      const e = await failure(c.resolve(parseReference('nosuch'), AMD64));
      expect(e.reason).toBe('not-found');
      expect(e.message).toMatch(/^image not found: nosuch:latest \(mirror http:\/\/127\.0\.0\.1:\d+ answered manifest unknown\)/);
      expect(e.message).toContain(`also tried mirror ${other.url}`);
    } finally {
      await other.close();
    }
  });

  test('a loopback registry is tried over HTTPS once; then the HTTP that answered is used first, on kept-alive connections', async () => {
    registry.addImage('team/app', ['1.0']);
    let connections = 0;
    registry.server.on('connection', () => connections++);
    const c = client();
    await c.resolve(ref('team/app:1.0'), AMD64);
    const first = connections;
    expect(first).toBeGreaterThanOrEqual(2); // the failed TLS attempt and the HTTP connection
    await c.resolve(ref('team/app:1.0'), AMD64);
    expect(connections).toBe(first);
  });

  test('mirror-only without mirrors refuses docker.io images', async () => {
    const e = await failure(client({ config: { mirrors: [], insecure: [], mirrorOnly: true } }).resolve(parseReference('mysql'), AMD64));
    expect(e.reason).toBe('config');
    expect(e.message).toContain('mirror-only mode is on and no registry mirror is configured');
  });

  test('an HTTPS registry on a loopback address with a self-signed certificate (unverified TLS)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-tls-'));
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '1', '-subj', '/CN=example.invalid'],
        { cwd: dir, stdio: 'ignore' },
      );
      const tlsRegistry = await FakeRegistry.start({
        key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'),
        cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
      });
      try {
        const img = tlsRegistry.addImage('team/app', ['1.0']);
        const c = client();
        const r: ResolvedImage = await c.resolve(parseReference(`${tlsRegistry.host}/team/app:1.0`), AMD64);
        expect(r.manifestDigest).toBe(img.manifest.digest);
        const got = await readAll(await c.openBlob(r.ref, r.layers[0]));
        expect(createHash('sha256').update(got).digest('hex')).toBe(img.layers[0].digest.slice(7));
      } finally {
        await tlsRegistry.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
