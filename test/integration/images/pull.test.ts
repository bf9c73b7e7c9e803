/**
 * Pulls the stand-in images from the local registry (127.0.0.1:5000, started by
 * ../shared/fixtures/standin-images.sh) through the real registry client and extractor,
 * in mirror-only mode, into a temp engine root.
 */
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { BundledImageStore } from '../../../src/engine/bundled/images/bundled-image-store';
import { RegistryClient } from '../../../src/engine/bundled/images/registry/client';
import { hostPlatform } from '../../../src/engine/bundled/images/registry/platform';
import { chainIds } from '../../../src/engine/bundled/images/store/chain-id';
import { extractLayer } from '../../../src/engine/bundled/images/unpack/extract';
import { RemoteError } from '../../../src/engine/errors';

jest.setTimeout(300_000);

const REGISTRY = '127.0.0.1:5000';
const EMPTY = ['content/', 'content/blobs/', 'content/blobs/sha256/', 'content/ingest/', 'images/', 'layers/'];

/** GET from the local registry, straight (the expectations are read from it, not from our code). */
function get(urlPath: string, accept?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = http.get(`http://${REGISTRY}${urlPath}`, { headers: accept ? { Accept: accept } : {} }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(parts)) : reject(new Error(`GET ${urlPath}: HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', (e) => reject(new Error(`the local registry at ${REGISTRY} is not answering (run ../shared/fixtures/standin-images.sh): ${e.message}`)));
  });
}

interface Upstream {
  readonly manifest: { config: { digest: string }; layers: { digest: string; size: number }[] };
  readonly config: { config: Record<string, unknown>; rootfs: { diff_ids: string[] } };
}

async function upstream(name: string, tag: string): Promise<Upstream> {
  const manifest = JSON.parse(
    (await get(`/v2/library/${name}/manifests/${tag}`, 'application/vnd.docker.distribution.manifest.v2+json')).toString(),
  ) as Upstream['manifest'];
  const config = JSON.parse((await get(`/v2/library/${name}/blobs/${manifest.config.digest}`)).toString()) as Upstream['config'];
  return { manifest, config };
}

async function tree(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(root, { withFileTypes: true, recursive: true })) {
    const rel = path.relative(root, path.join(entry.path, entry.name));
    out.push(entry.isDirectory() ? `${rel}/` : rel);
  }
  return out.sort();
}

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function makeStore(root: string, mirror: string, clientOptions: { retries?: number; retryDelayMs?: number } = {}): { store: BundledImageStore; registry: RegistryClient } {
  const registry = new RegistryClient({ config: { mirrors: [mirror], insecure: [], mirrorOnly: true }, ...clientOptions });
  const store = new BundledImageStore({ root, registry, extractLayer, platform: hostPlatform() });
  return { store, registry };
}

describe('pulling the stand-in images from the local registry', () => {
  let root: string;
  let registry: RegistryClient;
  let store: BundledImageStore;
  let mysql: Upstream;
  let wordpress: Upstream;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'tscompose-pull-'));
    ({ store, registry } = makeStore(root, `http://${REGISTRY}`));
    mysql = await upstream('mysql', '5.7');
    wordpress = await upstream('wordpress', 'php7.4');
  });
  afterAll(async () => {
    registry?.close();
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  it('the fixture shares the debian layer between mysql and wordpress', () => {
    expect(mysql.manifest.layers[0]?.digest).toBe(wordpress.manifest.layers[0]?.digest);
    expect(mysql.config.rootfs.diff_ids[0]).toBe(wordpress.config.rootfs.diff_ids[0]);
  });

  it('pulls mysql and wordpress (at once) and keeps the debian layer on disk once', async () => {
    const [m, w] = await Promise.all([store.pullImage('mysql:5.7'), store.pullImage('wordpress:php7.4')]);
    expect(m.id).toBe(mysql.manifest.config.digest);
    expect(w.id).toBe(wordpress.manifest.config.digest);
    expect(m.layers).toEqual(mysql.config.rootfs.diff_ids);
    expect(w.layers).toEqual(wordpress.config.rootfs.diff_ids);

    const mysqlChains = chainIds(mysql.config.rootfs.diff_ids);
    const wordpressChains = chainIds(wordpress.config.rootfs.diff_ids);
    const expected = new Set([...mysqlChains, ...wordpressChains].map((c) => c.slice(7)));
    const layerDirs = (await fs.readdir(path.join(root, 'layers'))).sort();
    expect(layerDirs).toEqual([...expected].sort());
    expect(layerDirs).toHaveLength(3);
    // the debian files exist in exactly one layer directory
    const withDebianVersion: string[] = [];
    for (const dir of layerDirs) {
      if (await fs.stat(path.join(root, 'layers', dir, 'diff', 'etc', 'debian_version')).catch(() => undefined)) withDebianVersion.push(dir);
    }
    expect(withDebianVersion).toEqual([(mysqlChains[0] as string).slice(7)]);
    const meta = JSON.parse(await fs.readFile(path.join(root, 'layers', (mysqlChains[0] as string).slice(7), 'meta.json'), 'utf8')) as Record<string, unknown>;
    expect(meta).toMatchObject({ diffId: mysql.config.rootfs.diff_ids[0], compressedDigest: mysql.manifest.layers[0]?.digest });
    // one blob per distinct layer, plus two configs and two manifests
    const blobs = await fs.readdir(path.join(root, 'content', 'blobs', 'sha256'));
    expect(blobs).toHaveLength(3 + 2 + 2);
    expect(await fs.readdir(path.join(root, 'content', 'ingest'))).toEqual([]);
    expect((await fs.readdir(path.join(root, 'layers'))).filter((n) => n.startsWith('tmp-'))).toEqual([]);
  });

  it('inspect shows the image config as the registry has it', async () => {
    const info = await store.inspectImage('wordpress:php7.4');
    const c = wordpress.config.config;
    expect(info.repoTags).toEqual(['wordpress:php7.4']);
    expect(info.repoDigests).toEqual([expect.stringMatching(/^wordpress@sha256:[0-9a-f]{64}$/)]);
    expect(info.size).toBe(wordpress.manifest.layers.reduce((s, l) => s + l.size, 0));
    expect(info.config).toEqual({
      entrypoint: c.Entrypoint,
      cmd: c.Cmd,
      env: c.Env,
      workingDir: c.WorkingDir,
      exposedPorts: Object.keys(c.ExposedPorts as object),
      volumes: Object.keys(c.Volumes as object),
      stopSignal: c.StopSignal,
      labels: c.Labels,
    });
    // and what the fixture README promises
    expect(info.config).toMatchObject({
      entrypoint: ['docker-entrypoint.sh'],
      cmd: ['apache2-foreground'],
      exposedPorts: ['80/tcp'],
      volumes: ['/var/www/html'],
      workingDir: '/var/www/html',
    });
    expect((await store.inspectImage('mysql:5.7')).config.exposedPorts).toEqual(Object.keys(mysql.config.config.ExposedPorts as object));
    expect((await store.inspectImage(info.id.slice(7, 19))).id).toBe(info.id);
    expect((await store.listImages()).map((i) => i.repoTags[0]).sort()).toEqual(['mysql:5.7', 'wordpress:php7.4']);
  });

  it('a second pull of a complete image downloads nothing', async () => {
    const statuses: string[] = [];
    await store.pullImage('wordpress:php7.4', { onEvent: (e) => e.kind === 'layer' && statuses.push(e.status) });
    expect(statuses).toEqual(['exists', 'exists']);
  });

  it('removing wordpress keeps the shared layer for mysql; removing mysql removes it', async () => {
    const debianChain = chainIds(mysql.config.rootfs.diff_ids)[0] as string;
    const debianDir = path.join(root, 'layers', debianChain.slice(7));
    await store.removeImage('wordpress:php7.4');
    expect(await fs.stat(path.join(debianDir, 'diff', 'etc', 'debian_version'))).toBeTruthy();
    expect((await fs.readdir(path.join(root, 'layers'))).sort()).toEqual(chainIds(mysql.config.rootfs.diff_ids).map((c) => c.slice(7)).sort());
    expect(await fs.readdir(path.join(root, 'content', 'blobs', 'sha256'))).toHaveLength(2 + 1 + 1);
    expect((await store.inspectImage('mysql:5.7')).layers).toEqual(mysql.config.rootfs.diff_ids);

    await store.removeImage('mysql:5.7');
    await expect(fs.stat(debianDir)).rejects.toThrow();
    expect(await tree(root)).toEqual([...EMPTY, 'images/repositories.json'].sort());
    expect(await store.listImages()).toEqual([]);
  });
});

describe('pulling from an unreachable registry', () => {
  let root: string;
  let registry: RegistryClient | undefined;
  afterEach(async () => {
    registry?.close();
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  it('fails clearly and leaves nothing but the empty structure', async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'tscompose-pull-'));
    const port = await closedPort();
    let store: BundledImageStore;
    ({ store, registry } = makeStore(root, `http://127.0.0.1:${port}`, { retries: 1, retryDelayMs: 20 }));
    const err = (await store.pullImage('wordpress:php7.4').catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(RemoteError);
    expect(err.message).toContain('wordpress:php7.4');
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(err.message).toMatch(/ECONNREFUSED|refused|cannot reach/i);
    expect(await tree(root)).toEqual(EMPTY);
  });
});
