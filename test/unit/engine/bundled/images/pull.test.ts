import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { PullEvent } from '../../../../../src/engine/engine';
import { BundledImageStore } from '../../../../../src/engine/bundled/images/bundled-image-store';
import { pullImage, withContext } from '../../../../../src/engine/bundled/images/pull';
import { Leases } from '../../../../../src/engine/bundled/images/store/leases';
import { RegistryError } from '../../../../../src/engine/bundled/images/registry/errors';
import { chainIds } from '../../../../../src/engine/bundled/images/store/chain-id';
import { LayerError } from '../../../../../src/engine/bundled/images/unpack/layer-error';
import { DigestMismatchError } from '../../../../../src/engine/bundled/images/store/content-store';
import { EngineError, InvalidArgumentError, ObjectConflictError, ObjectNotFoundError, RemoteError } from '../../../../../src/engine/errors';
import { FakeExtractor, FakeRegistry, delay, fakeImage, layer, sha256, tempRoot, tree } from './store/fakes';

const debian = layer('debian bookworm '.repeat(5000));
const mysqlTop = layer('mysql server '.repeat(7000));
const wordpressTop = layer('wordpress and php '.repeat(9000));
const mysqlImage = fakeImage({
  layers: [debian, mysqlTop],
  config: {
    Entrypoint: ['docker-entrypoint.sh'],
    Cmd: ['mysqld'],
    Env: ['PATH=/usr/bin'],
    ExposedPorts: { '3306/tcp': {} },
    Volumes: { '/var/lib/mysql': {} },
    StopSignal: 'SIGTERM',
  },
});
const wordpressImage = fakeImage({ layers: [debian, wordpressTop], config: { Cmd: ['apache2-foreground'], WorkingDir: '/var/www/html' } });

/** The empty structure a store makes at init. */
const EMPTY = ['content/', 'content/blobs/', 'content/blobs/sha256/', 'content/ingest/', 'images/', 'layers/'];

describe('pulling with a fake registry and extractor', () => {
  let root: string;
  let registry: FakeRegistry;
  let extractor: FakeExtractor;
  let store: BundledImageStore;

  const makeStore = (options: { streaming?: boolean; concurrency?: number } = {}): BundledImageStore =>
    new BundledImageStore({
      root,
      registry,
      extractLayer: extractor.extract,
      platform: { os: 'linux', architecture: 'amd64' },
      durableLayers: false,
      ...options,
    });

  beforeEach(async () => {
    root = await tempRoot();
    registry = new FakeRegistry()
      .add('docker.io/library/mysql:5.7', mysqlImage)
      .add('docker.io/library/wordpress:php7.4', wordpressImage);
    extractor = new FakeExtractor();
    store = makeStore();
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  const layerDir = (diffIds: readonly string[], i: number): string => path.join(root, 'layers', (chainIds(diffIds)[i] as string).slice(7));

  it('pulls an image: blobs stored, layers unpacked by chain ID, image recorded and tagged', async () => {
    const events: PullEvent[] = [];
    const info = await store.pullImage('mysql:5.7', { onEvent: (e) => events.push(e) });
    const r = mysqlImage.resolved;
    expect(info).toEqual({
      id: r.config.digest,
      repoTags: ['mysql:5.7'],
      repoDigests: [`mysql@${r.manifestDigest}`],
      platform: { os: 'linux', architecture: 'amd64' },
      created: '2024-01-02T03:04:05Z',
      size: debian.blob.length + mysqlTop.blob.length,
      layers: [debian.diffId, mysqlTop.diffId],
      config: {
        entrypoint: ['docker-entrypoint.sh'],
        cmd: ['mysqld'],
        env: ['PATH=/usr/bin'],
        exposedPorts: ['3306/tcp'],
        volumes: ['/var/lib/mysql'],
        stopSignal: 'SIGTERM',
      },
    });
    const diffIds = [debian.diffId, mysqlTop.diffId];
    expect(await fs.readFile(path.join(layerDir(diffIds, 1), 'diff', 'payload'), 'utf8')).toBe(mysqlTop.payload);
    expect(JSON.parse(await fs.readFile(path.join(layerDir(diffIds, 1), 'meta.json'), 'utf8'))).toMatchObject({
      diffId: mysqlTop.diffId,
      parent: debian.diffId,
      compressedDigest: mysqlTop.digest,
      size: mysqlTop.payload.length,
    });
    for (const digest of [debian.digest, mysqlTop.digest, r.config.digest, r.manifestDigest]) {
      expect(await fs.stat(path.join(root, 'content', 'blobs', 'sha256', digest.slice(7)))).toBeTruthy();
    }
    expect(await store.inspectImage('mysql:5.7')).toEqual(info);

    // events: resolving, resolved, per layer waiting … downloading … done, done
    expect(events[0]).toEqual({ kind: 'resolving', ref: 'mysql:5.7' });
    expect(events[1]).toEqual({ kind: 'resolved', ref: 'mysql:5.7', digest: r.manifestDigest, layers: 2 });
    expect(events[events.length - 1]).toEqual({ kind: 'done', ref: 'mysql:5.7', id: r.config.digest });
    for (const l of [debian, mysqlTop]) {
      const mine = events.filter((e): e is Extract<PullEvent, { kind: 'layer' }> => e.kind === 'layer' && e.digest === l.digest);
      const statuses = mine.map((e) => e.status).filter((s, i, all) => s !== all[i - 1]);
      expect(statuses).toEqual(['waiting', 'downloading', 'extracting', 'done']);
      const bytes = mine.filter((e) => e.status === 'downloading').map((e) => e.current);
      expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
      expect(bytes[bytes.length - 1]).toBe(l.blob.length);
      expect(mine.every((e) => e.total === l.blob.length)).toBe(true);
    }
  });

  it('does the work once for two concurrent pulls of one image, and both see progress', async () => {
    const release = registry.gate(mysqlTop.digest);
    const eventsA: PullEvent[] = [];
    const eventsB: PullEvent[] = [];
    const a = store.pullImage('mysql:5.7', { onEvent: (e) => eventsA.push(e) });
    await delay(20);
    const b = store.pullImage('docker.io/library/mysql:5.7', { onEvent: (e) => eventsB.push(e) });
    await delay(20);
    release();
    const [infoA, infoB] = await Promise.all([a, b]);
    expect(infoB).toEqual(infoA);
    expect(registry.resolves).toEqual(['docker.io/library/mysql:5.7']);
    expect(registry.opened(debian.digest)).toBe(1);
    expect(registry.opened(mysqlTop.digest)).toBe(1);
    expect(extractor.calls).toHaveLength(2);
    expect(eventsB[eventsB.length - 1]).toEqual(eventsA[eventsA.length - 1]);
    expect(eventsB.some((e) => e.kind === 'layer' && e.status === 'done')).toBe(true);
  });

  it('downloads and unpacks a layer two images share once, even when pulled at the same time', async () => {
    const release = registry.gate(debian.digest);
    const both = Promise.all([store.pullImage('mysql:5.7'), store.pullImage('wordpress:php7.4')]);
    await delay(30);
    release();
    await both;
    expect(registry.opened(debian.digest)).toBe(1);
    expect(extractor.calls.filter((d) => d === debian.diffId)).toHaveLength(1);
    const chains = await store.layers.list();
    expect(chains).toHaveLength(3);
    expect(chains).toContain(debian.diffId); // the bottom layer's chain ID is its diff ID
  });

  it('only tags an image that is already complete', async () => {
    await store.pullImage('mysql:5.7');
    registry.add('docker.io/library/mysql:latest', mysqlImage);
    const events: PullEvent[] = [];
    const info = await store.pullImage('mysql', { onEvent: (e) => events.push(e) });
    expect(info.repoTags).toEqual(['mysql:5.7', 'mysql:latest']);
    expect(registry.opened(debian.digest)).toBe(1);
    expect(registry.opened(mysqlTop.digest)).toBe(1);
    const layerStatuses = events.flatMap((e) => (e.kind === 'layer' ? [e.status] : []));
    expect(layerStatuses).toEqual(['exists', 'exists']);
  });

  it('unpacks from the content store when the blob is there but the layer is not', async () => {
    await store.pullImage('mysql:5.7');
    await store.layers.remove(chainIds([debian.diffId, mysqlTop.diffId])[1] as string);
    await store.pullImage('mysql:5.7');
    expect(registry.opened(mysqlTop.digest)).toBe(1);
    expect(extractor.calls.filter((d) => d === mysqlTop.diffId)).toHaveLength(2);
  });

  it.each([true, false])('works with streaming=%s', async (streaming) => {
    store = makeStore({ streaming, concurrency: 1 });
    const info = await store.pullImage('wordpress:php7.4');
    expect(info.layers).toEqual([debian.diffId, wordpressTop.diffId]);
    expect((await store.content.list()).length).toBe(4);
  });

  it('fails clearly when a download breaks and leaves only the empty structure', async () => {
    registry.failing.add(mysqlTop.digest);
    const err = (await store.pullImage('mysql:5.7').catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(RemoteError);
    expect(err.message).toBe(`pull mysql:5.7: layer ${mysqlTop.digest.slice(7, 19)} (2 of 2): connection reset by peer`);
    expect(await tree(root)).toEqual(EMPTY);
    await expect(store.inspectImage('mysql:5.7')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('stops the download when the extractor refuses a layer, and keeps nothing', async () => {
    const big = layer(Array.from({ length: 20000 }, (_, i) => `line ${i} ${Math.sin(i)}`).join('\n'));
    registry.add('docker.io/library/hostile:1', fakeImage({ layers: [big] }));
    extractor.failWith = new LayerError('escapes the layer directory', '../../etc/passwd');
    const err = (await store.pullImage('hostile:1').catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(EngineError);
    expect(err.message).toBe(
      `pull hostile:1: layer ${big.digest.slice(7, 19)} (1 of 1): layer entry "../../etc/passwd": escapes the layer directory`,
    );
    expect(registry.served.get(big.digest)).toBeLessThan(big.blob.length);
    expect(await tree(root)).toEqual(EMPTY);
  });

  it.each([true, false])('refuses a blob that does not match its digest or size (streaming=%s)', async (streaming) => {
    store = makeStore({ streaming });
    // a registry that does not verify: same size, gzip header's mtime changed (unpacks fine)
    const forged = Buffer.from(mysqlTop.blob);
    forged[4] = (forged[4] ?? 0) ^ 0xff;
    registry.blobs.set(mysqlTop.digest, forged);
    const err = (await store.pullImage('mysql:5.7').catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(RemoteError);
    expect(err.message).toBe(
      `pull mysql:5.7: layer ${mysqlTop.digest.slice(7, 19)} (2 of 2): digest mismatch: content should be ${mysqlTop.digest} but is ${sha256(forged)}`,
    );
    expect(await tree(root)).toEqual(EMPTY);

    registry.blobs.set(mysqlTop.digest, wordpressTop.blob); // longer
    const longer = (await store.pullImage('mysql:5.7').catch((e: unknown) => e)) as Error;
    expect(longer).toBeInstanceOf(RemoteError);
    expect(longer.message).toBe(
      `pull mysql:5.7: layer ${mysqlTop.digest.slice(7, 19)} (2 of 2): size mismatch: blob ${mysqlTop.digest} should be ${mysqlTop.blob.length} bytes but is more`,
    );
    expect(await tree(root)).toEqual(EMPTY);
  });

  it('refuses layers whose content does not match the diff IDs of the config', async () => {
    const lying = fakeImage({ layers: [debian, mysqlTop], diffIds: [debian.diffId, wordpressTop.diffId] });
    registry.add('docker.io/library/liar:1', lying);
    const err = (await store.pullImage('liar:1').catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(RemoteError);
    expect(err.message).toMatch(/^pull liar:1: layer [0-9a-f]{12} \(2 of 2\): digest mismatch: the unpacked layer sha256:[0-9a-f]{64} \(its diff ID\) should be /);
    expect(err.message).toContain(`should be ${wordpressTop.diffId} but is ${mysqlTop.diffId}`);
    const causes: unknown[] = [];
    for (let c: unknown = err; c instanceof Error; c = c.cause) causes.push(c);
    expect(causes.some((c) => c instanceof DigestMismatchError)).toBe(true);
    expect(await tree(root)).toEqual(EMPTY);
  });

  it('keeps layers an earlier image has when a later pull fails', async () => {
    await store.pullImage('mysql:5.7');
    const before = await tree(root);
    registry.failing.add(wordpressTop.digest);
    await expect(store.pullImage('wordpress:php7.4')).rejects.toThrow(/layer .* \(2 of 2\): connection reset/);
    expect(await tree(root)).toEqual(before);
  });

  it('passes on a resolve failure, naming the image when the registry client did not', async () => {
    const err = (await store.pullImage('nothere:1').catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(RemoteError);
    expect(err.message).toBe('docker.io/library/nothere:1: manifest unknown');
    registry.resolveError = new Error('socket hang up');
    const other = (await store.pullImage('mysql:5.7').catch((e: unknown) => e)) as Error;
    expect(other).toBeInstanceOf(EngineError);
    expect(other.message).toBe('pull mysql:5.7: socket hang up');
    await expect(store.pullImage('Not A Ref')).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await tree(root)).toEqual(EMPTY);
  });

  it('stops when cancelled and leaves only the empty structure', async () => {
    registry.gate(mysqlTop.digest); // never released
    const controller = new AbortController();
    const pending = store.pullImage('mysql:5.7', { signal: controller.signal });
    await delay(50);
    const reason = new Error('cancelled by the user');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(await tree(root)).toEqual(EMPTY);
  });

  it('pullImage without shared in-flight state still cleans up when cancelled', async () => {
    registry.gate(mysqlTop.digest); // never released
    await store.init();
    const controller = new AbortController();
    const pending = pullImage(
      { registry, extractLayer: extractor.extract, stores: { content: store.content, layers: store.layers, images: store.images, leases: new Leases() }, platform: { os: 'linux', architecture: 'amd64' } },
      'mysql:5.7',
      { signal: controller.signal },
    );
    await delay(50);
    const reason = new Error('stop now');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(await tree(root)).toEqual(EMPTY);
  });

  it('keeps pulling for the other caller when one of two cancels', async () => {
    const release = registry.gate(mysqlTop.digest);
    const controller = new AbortController();
    const first = store.pullImage('mysql:5.7', { signal: controller.signal });
    const second = store.pullImage('mysql:5.7');
    await delay(20);
    const reason = new Error('first gave up');
    controller.abort(reason);
    await expect(first).rejects.toBe(reason);
    release();
    expect((await second).repoTags).toEqual(['mysql:5.7']);
  });

  it('removes an image: shared layers stay while another image uses them', async () => {
    await store.pullImage('mysql:5.7');
    await store.pullImage('wordpress:php7.4');
    const debianDir = layerDir([debian.diffId], 0);
    expect(await store.listImages()).toHaveLength(2);

    await store.removeImage('wordpress:php7.4');
    expect(await fs.stat(debianDir)).toBeTruthy();
    expect(await store.layers.list()).toHaveLength(2);
    await expect(fs.stat(path.join(root, 'content', 'blobs', 'sha256', wordpressTop.digest.slice(7)))).rejects.toThrow();
    expect(await store.content.has(debian.digest)).toBe(true);
    expect((await store.listImages()).map((i) => i.repoTags)).toEqual([['mysql:5.7']]);

    await store.removeImage('mysql:5.7');
    expect(await tree(root)).toEqual([...EMPTY, 'images/repositories.json'].sort());
    expect(await store.images.references()).toEqual({});
    await expect(store.removeImage('mysql:5.7')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('never deletes an image a container uses: refused without force, only untagged with it', async () => {
    const users: Record<string, string[]> = {};
    store = new BundledImageStore({ root, registry, extractLayer: extractor.extract, platform: { os: 'linux', architecture: 'amd64' }, durableLayers: false, usedBy: (id) => users[id] ?? [] });
    const mysql = await store.pullImage('mysql:5.7');
    users[mysql.id] = ['web-1'];
    await expect(store.removeImage('mysql:5.7')).rejects.toThrow(new ObjectConflictError('unable to remove image mysql:5.7 (must force): container web-1 is using it'));
    expect((await store.inspectImage('mysql:5.7')).id).toBe(mysql.id);
    await expect(store.removeImage('mysql:5.7', { force: true })).resolves.toEqual({ untagged: ['mysql:5.7', `mysql@${mysqlImage.resolved.manifestDigest}`], deleted: [] });
    const dangling = await store.inspectImage(mysql.id);
    expect(dangling.repoTags).toEqual([]);
    expect(await fs.readdir(layerDir(dangling.layers, 0))).toContain('diff');
    delete users[mysql.id];
    await expect(store.removeImage(mysql.id)).resolves.toMatchObject({ deleted: [mysql.id, ...chainIds(dangling.layers).reverse()] });
  });

  it('untags without removing while the image has other tags', async () => {
    registry.add('docker.io/library/mysql:latest', mysqlImage);
    await store.pullImage('mysql:5.7');
    await store.pullImage('mysql:latest');
    await store.removeImage('mysql:latest');
    expect((await store.inspectImage('mysql:5.7')).repoTags).toEqual(['mysql:5.7']);
    expect(await store.layers.list()).toHaveLength(2);
  });
});

describe('withContext', () => {
  it('keeps the kind of error and its cause', () => {
    const cause = new RegistryError('registry 127.0.0.1:5000 refused', 'denied', 'registry 127.0.0.1:5000');
    const err = withContext(cause, 'pull x') as RegistryError;
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.reason).toBe('denied');
    expect(err.message).toBe('pull x: registry 127.0.0.1:5000 refused');
    expect(err.cause).toBe(cause);
    expect(withContext(new DigestMismatchError(sha256('a'), sha256('b')), 'y')).toBeInstanceOf(RemoteError);
    expect(withContext(new Error('ENOSPC'), 'z')).toBeInstanceOf(EngineError);
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(withContext(abort, 'w')).toBe(abort);
  });
});
