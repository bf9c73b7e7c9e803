/**
 * The token flow against the real stand-in registry: a small token server of
 * our own sits in front of 127.0.0.1:5000 (which has no auth), issues tokens
 * at /token for Basic credentials and lets through only requests bearing one.
 * Credentials come from a Docker config.json in a temporary DOCKER_CONFIG.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseReference } from '../../../src/engine/image-reference';
import { RegistryClient } from '../../../src/engine/bundled/images/registry/client';
import { dockerConfigCredentials } from '../../../src/engine/bundled/images/registry/credentials';
import { RegistryError } from '../../../src/engine/bundled/images/registry/errors';

const UPSTREAM = new URL(process.env.TSCOMPOSE_TEST_REGISTRY ?? 'http://127.0.0.1:5000');
const AMD64 = { os: 'linux', architecture: 'amd64' };

let proxy: http.Server;
let host: string;
let dir: string;
const tokens = new Set<string>();
const tokenRequests: string[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-auth-'));
  proxy = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/token') {
      tokenRequests.push(req.url ?? '');
      if (req.headers.authorization !== `Basic ${Buffer.from('tester:right').toString('base64')}`) {
        res.writeHead(401);
        return void res.end();
      }
      const token = `t${tokens.size}`;
      tokens.add(token);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ token, expires_in: 60 }));
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer === undefined || !tokens.has(bearer)) {
      const repo = /^\/v2\/(.+)\/(?:manifests|blobs)\//.exec(url.pathname)?.[1];
      res.writeHead(401, {
        'WWW-Authenticate': `Bearer realm="http://${host}/token",service="test-proxy"` + (repo !== undefined ? `,scope="repository:${repo}:pull"` : ''),
      });
      return void res.end();
    }
    const { authorization: _a, host: _h, ...headers } = req.headers;
    const up = http.request({ host: UPSTREAM.hostname, port: UPSTREAM.port, path: req.url, method: req.method, headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => res.destroy());
    up.end();
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

function clientWith(auths: Record<string, unknown>): RegistryClient {
  const cfg = path.join(dir, `cfg-${Math.random().toString(36).slice(2)}`);
  fs.mkdirSync(cfg);
  fs.writeFileSync(path.join(cfg, 'config.json'), JSON.stringify({ auths }));
  return new RegistryClient({
    config: { mirrors: [], insecure: [], mirrorOnly: true },
    credentials: dockerConfigCredentials({ env: { DOCKER_CONFIG: cfg } }),
    retryDelayMs: 20,
  });
}

test('right credentials from config.json: token fetched, image resolved, layer verified', async () => {
  const client = clientWith({ [`http://${host}`]: { auth: Buffer.from('tester:right').toString('base64') } });
  try {
    const before = tokenRequests.length;
    const r = await client.resolve(parseReference(`${host}/library/debian:bookworm-slim`), AMD64);
    expect(r.manifestMediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    const layer = r.layers[0];
    const hash = createHash('sha256');
    for await (const c of (await client.openBlob(r.ref, layer)) as AsyncIterable<Buffer>) hash.update(c);
    expect(`sha256:${hash.digest('hex')}`).toBe(layer.digest);
    const asked = tokenRequests.slice(before).map((u) => new URL(u, 'http://x').searchParams);
    expect(asked).toHaveLength(1);
    expect(asked[0].get('service')).toBe('test-proxy');
    expect(asked[0].getAll('scope')).toEqual(['repository:library/debian:pull']);
  } finally {
    client.close();
  }
});

test('wrong credentials: "wrong credentials for <host>"', async () => {
  const client = clientWith({ [host]: { username: 'tester', password: 'wrong' } });
  try {
    const e = await client.resolve(parseReference(`${host}/library/mysql:5.7`), AMD64).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RegistryError);
    expect((e as RegistryError).reason).toBe('unauthorized');
    expect((e as RegistryError).message).toMatch(new RegExp(`^wrong credentials for ${host.replace(/[.]/g, '\\.')}: `));
  } finally {
    client.close();
  }
});

test('no credentials: "authentication required", with the login hint', async () => {
  const client = clientWith({});
  try {
    const e = await client.resolve(parseReference(`${host}/library/mysql:5.7`), AMD64).catch((x: unknown) => x);
    expect((e as RegistryError).reason).toBe('unauthorized');
    expect((e as RegistryError).message).toContain(`authentication required for ${host} to pull ${host}/library/mysql:5.7`);
    expect((e as RegistryError).message).toContain(`docker login ${host}`);
  } finally {
    client.close();
  }
});

test('the authenticated proxy as a docker.io mirror, with the mirror host credentials', async () => {
  const cfg = path.join(dir, 'mirror-cfg');
  fs.mkdirSync(cfg);
  fs.writeFileSync(path.join(cfg, 'config.json'), JSON.stringify({ auths: { [host]: { auth: Buffer.from('tester:right').toString('base64') } } }));
  const client = new RegistryClient({
    config: { mirrors: [`http://${host}`], insecure: [], mirrorOnly: true },
    credentials: dockerConfigCredentials({ env: { DOCKER_CONFIG: cfg } }),
  });
  try {
    const r = await client.resolve(parseReference('busybox'), AMD64);
    expect(r.indexDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.source).toBe(`mirror http://${host}`);
  } finally {
    client.close();
  }
});
