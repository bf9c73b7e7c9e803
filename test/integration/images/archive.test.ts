/**
 * `image save` and `image load` on real engine roots, with real images:
 *
 * - busybox:latest and wordpress:php7.4 pulled from the local stand-in registry
 *   (127.0.0.1:5000, mirror-only, ../shared/fixtures/standin-images.sh), saved, and loaded into
 *   a fresh root: same images (ID, layers, config, tags, platform) and the same unpacked trees;
 * - the fixtures' OCI image layout (/var/cache/tscompose-fixtures/oci), tarred up here;
 * - the fixtures' `docker save` archives (standin-images.sh `archives`, made here if missing);
 * - hostile and broken archives, which must fail naming the member, leave the engine root as it
 *   was (no records, layers, blobs or spool files) and the host around it untouched.
 *
 * Expectations are read from the fixtures themselves (index.json, manifest.json, configs), not
 * from our code. Each test works in temp dirs of its own and removes them.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ImageInfo } from '../../../src/engine/engine';
import { InvalidArgumentError } from '../../../src/engine/errors';
import type { BundledImageStore } from '../../../src/engine/bundled/images/bundled-image-store';
import { openImageStore, type OpenedImageStore } from '../../../src/engine/bundled/images/open-image-store';
import { chainIds } from '../../../src/engine/bundled/images/store/chain-id';
import { makeSandbox, type Sandbox } from '../../unit/engine/bundled/images/unpack/sandbox';
import { buildTar, type TarSpec } from '../../unit/engine/bundled/images/unpack/tar-builder';
import { listTree, treeXattrs } from '../../unit/engine/bundled/images/unpack/tree-listing';
import { FIXTURES as SHARED_FIXTURES } from '../../shared';

jest.setTimeout(600_000);

const REGISTRY_CONFIG = { mirrors: ['http://127.0.0.1:5000'], insecure: [], mirrorOnly: true };
const FIXTURES = process.env.TSCOMPOSE_FIXTURES_CACHE ?? '/var/cache/tscompose-fixtures';
const OCI = path.join(FIXTURES, 'oci');
const ARCHIVES = path.join(FIXTURES, 'archives');
const STANDIN = path.join(SHARED_FIXTURES, 'standin-images.sh');
const ARCH = process.arch === 'arm64' ? 'arm64' : 'amd64';

const sha256 = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const hex = (digest: string): string => digest.replace(/^sha256:/, '');

let work: string;
const opened: OpenedImageStore[] = [];

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'tscompose-archive-'));
});
afterAll(async () => {
  for (const o of opened) o.close();
  if (work) await fs.rm(work, { recursive: true, force: true });
});

async function newStore(name: string): Promise<{ store: BundledImageStore; root: string }> {
  const root = path.join(work, name);
  const o = openImageStore({ env: {}, root, registryConfig: REGISTRY_CONFIG });
  opened.push(o);
  return { store: o.store, root };
}

async function saveTo(store: BundledImageStore, refs: string[], file: string): Promise<void> {
  await store.saveImages(refs, createWriteStream(file));
}

function loadFrom(store: BundledImageStore, file: string): Promise<ImageInfo[]> {
  return store.loadImages(createReadStream(file));
}

function tarDir(dir: string, out: string): void {
  const r = spawnSync('tar', ['-C', dir, '-cf', out, '.'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tar -C ${dir} -cf ${out} .: ${r.stderr}`);
}

/** What an engine root holds, by kind. */
async function state(root: string): Promise<{ images: string[]; layers: string[]; blobs: string[]; ingest: string[] }> {
  const ls = async (...p: string[]): Promise<string[]> => (await fs.readdir(path.join(root, ...p)).catch(() => [] as string[])).sort();
  return {
    images: (await ls('images')).filter((n) => n.endsWith('.json') && n !== 'repositories.json'),
    layers: await ls('layers'),
    blobs: await ls('content', 'blobs', 'sha256'),
    ingest: await ls('content', 'ingest'),
  };
}

/** The comparable part of an ImageInfo (size differs: a loaded image's blobs are the uncompressed tars). */
function essence(info: ImageInfo): Pick<ImageInfo, 'id' | 'repoTags' | 'layers' | 'config' | 'platform' | 'created'> {
  return { id: info.id, repoTags: info.repoTags, layers: info.layers, config: info.config, platform: info.platform, created: info.created };
}

/** When this test file started, in seconds: later mtimes are extraction times, not the image's. */
const STARTED = Math.floor(Date.now() / 1000) - 1;

/**
 * The unpacked files of every layer of an image, comparable across roots. A directory the
 * layer has no entry for gets the time it was made (as with Docker); such times are shown as
 * "made during the test" instead of the second they happened to be.
 */
function layerTrees(root: string, info: ImageInfo): unknown[] {
  return chainIds(info.layers).map((chain) => {
    const dir = path.join(root, 'layers', hex(chain), 'diff');
    const tree = [...listTree(dir, { withXattrs: false })].map(([p, r]) => [p, r.type === 'dir' && r.mtime >= STARTED ? { ...r, mtime: 'made during the test' } : r]);
    return { chain, tree, xattrs: [...treeXattrs(dir)].sort() };
  });
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

describe('save and load of pulled images', () => {
  let a: { store: BundledImageStore; root: string };
  let pulled: ImageInfo[];
  const saved = (): string => path.join(work, 'busybox-wordpress.tar');

  beforeAll(async () => {
    a = await newStore('pulled');
    pulled = [await a.store.pullImage('busybox:latest'), await a.store.pullImage('wordpress:php7.4')];
    const t0 = Date.now();
    await saveTo(a.store, ['busybox:latest', 'wordpress:php7.4'], saved());
    process.stdout.write(`save of busybox + wordpress: ${Date.now() - t0} ms\n`);
  });

  it('writes a tar GNU tar reads, with each layer once as the uncompressed tar of its diff ID', async () => {
    const r = spawnSync('tar', ['-tf', saved()], { encoding: 'utf8', maxBuffer: 1 << 24 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const names = r.stdout.trim().split('\n');
    const diffIds = [...new Set(pulled.flatMap((i) => i.layers))];
    for (const d of diffIds) expect(names.filter((n) => n === `blobs/sha256/${hex(d)}`)).toHaveLength(1);
    expect(names).toEqual(expect.arrayContaining(['manifest.json', 'index.json', 'oci-layout', 'repositories', ...pulled.map((i) => `blobs/sha256/${hex(i.id)}`)]));
    // each layer's bytes hash to its diff ID (GNU tar extracts them; we hash)
    for (const d of diffIds) {
      const x = spawnSync('tar', ['-xOf', saved(), `blobs/sha256/${hex(d)}`], { maxBuffer: 1 << 30 });
      expect(x.status).toBe(0);
      expect(sha256(x.stdout)).toBe(d);
    }
    const manifest = JSON.parse(spawnSync('tar', ['-xOf', saved(), 'manifest.json'], { encoding: 'utf8' }).stdout) as Array<{ Config: string; RepoTags: string[]; Layers: string[] }>;
    expect(manifest).toEqual(
      pulled.map((i) => ({ Config: `blobs/sha256/${hex(i.id)}`, RepoTags: i.repoTags, Layers: i.layers.map((l) => `blobs/sha256/${hex(l)}`) })),
    );
  });

  it('loads into a fresh root as the same images with the same unpacked trees', async () => {
    const b = await newStore('loaded');
    const t0 = Date.now();
    const loaded = await loadFrom(b.store, saved());
    process.stdout.write(`load of busybox + wordpress (${(await fs.stat(saved())).size} bytes): ${Date.now() - t0} ms\n`);
    expect(loaded.map(essence)).toEqual(pulled.map(essence));
    expect((await b.store.listImages()).map(essence).sort((x, y) => x.id.localeCompare(y.id))).toEqual(pulled.map(essence).sort((x, y) => x.id.localeCompare(y.id)));
    for (const [i, info] of pulled.entries()) expect(layerTrees(b.root, loaded[i]!)).toEqual(layerTrees(a.root, info));
    const s = await state(b.root);
    expect(s.layers).toEqual((await state(a.root)).layers);
    expect(s.images).toEqual(pulled.map((i) => `${hex(i.id)}.json`).sort());
    // the loaded layer blobs are the uncompressed tars, once each
    expect(s.blobs).toEqual([...new Set([...pulled.map((i) => i.id), ...pulled.flatMap((i) => i.layers)])].map(hex).sort());
    expect(s.ingest).toEqual([]);
  });

  it('loading it into the root it came from adds nothing and keeps the pulled blobs', async () => {
    const before = await state(a.root);
    const loaded = await loadFrom(a.store, saved());
    expect(loaded.map((i) => i.id)).toEqual(pulled.map((i) => i.id));
    expect(loaded.map((i) => i.repoTags)).toEqual(pulled.map((i) => i.repoTags));
    expect(loaded.map((i) => i.repoDigests)).toEqual(pulled.map((i) => i.repoDigests));
    expect(await state(a.root)).toEqual(before);
  });

  it('a truncated archive fails and leaves the root as it was', async () => {
    const c = await newStore('truncated');
    const cut = path.join(work, 'truncated.tar');
    const size = (await fs.stat(saved())).size;
    await fs.copyFile(saved(), cut);
    await fs.truncate(cut, Math.floor(size * 0.6));
    const load = loadFrom(c.store, cut);
    await expect(load).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(load).rejects.toThrow(/^invalid image archive: the archive is truncated: it ends inside the content of "blobs\/sha256\/[0-9a-f]{64}"/);
    expect(await state(c.root)).toEqual({ images: [], layers: [], blobs: [], ingest: [] });
    await fs.rm(cut);
  });
});

interface OciExpectation {
  readonly name?: string;
  readonly id: string;
  readonly diffIds: string[];
}

/** What the fixtures' OCI layout holds, read straight from its files: per index.json entry, the host's image. */
function ociExpectations(): OciExpectation[] {
  const blob = (digest: string): string => path.join(OCI, 'blobs', 'sha256', hex(digest));
  const index = readJson<{ manifests: Array<{ digest: string; annotations?: Record<string, string> }> }>(path.join(OCI, 'index.json'));
  return index.manifests.map((entry) => {
    let manifest = readJson<{ manifests?: Array<{ digest: string; platform: { architecture: string } }>; config: { digest: string } }>(blob(entry.digest));
    if (manifest.manifests) manifest = readJson(blob(manifest.manifests.find((m) => m.platform.architecture === ARCH)!.digest));
    const config = readJson<{ rootfs: { diff_ids: string[] } }>(blob(manifest.config.digest));
    const name = entry.annotations?.['org.opencontainers.image.ref.name'];
    return { ...(name !== undefined ? { name } : {}), id: manifest.config.digest, diffIds: config.rootfs.diff_ids };
  });
}

describe('loading the fixtures', () => {
  let reference: { store: BundledImageStore; root: string };
  let refs: ImageInfo[];
  let fromOci: ImageInfo[];

  beforeAll(async () => {
    reference = await newStore('reference');
    refs = [await reference.store.pullImage('busybox:latest'), await reference.store.pullImage('wordpress:php7.4')];
  });

  it('loads the OCI image layout (tar -C oci -cf): every image, tags from ref.name, layers shared', async () => {
    const expected = ociExpectations();
    expect(expected.length).toBeGreaterThanOrEqual(4);
    const file = path.join(work, 'oci.tar');
    tarDir(OCI, file);
    const c = await newStore('oci');
    const t0 = Date.now();
    fromOci = await loadFrom(c.store, file);
    process.stdout.write(`load of the OCI layout (${(await fs.stat(file)).size} bytes): ${Date.now() - t0} ms\n`);
    await fs.rm(file);
    const ids = [...new Set(expected.map((e) => e.id))];
    expect(fromOci.map((i) => i.id)).toEqual(ids);
    for (const info of fromOci) {
      const mine = expected.filter((e) => e.id === info.id);
      expect(info.layers).toEqual(mine[0]!.diffIds);
      expect(info.repoTags).toEqual(mine.flatMap((e) => (e.name === undefined ? [] : [e.name.includes(':') ? e.name : `${e.name}:latest`])).sort());
    }
    // one layer directory per distinct chain: mysql and wordpress share debian's
    const chains = new Set(expected.flatMap((e) => chainIds(e.diffIds)));
    const s = await state(c.root);
    expect(s.layers).toEqual([...chains].map(hex).sort());
    expect(s.ingest).toEqual([]);
    // the same image as the registry's gives the same files
    for (const pulled of refs) {
      const loaded = fromOci.find((i) => i.id === pulled.id);
      expect(loaded).toBeDefined();
      expect(loaded!.config).toEqual(pulled.config);
      expect(layerTrees(c.root, loaded!)).toEqual(layerTrees(reference.root, pulled));
    }
  });

  it('loads the docker save archives of standin-images.sh (symlinked layer.tar, uncompressed layers)', async () => {
    const made = spawnSync('bash', [STANDIN, 'archives'], { encoding: 'utf8', env: { ...process.env, TSCOMPOSE_FIXTURES_NO_INSTALL: '1' } });
    if (made.status !== 0) throw new Error(`${STANDIN} archives failed: ${made.stderr}${made.stdout}`);
    const files = (await fs.readdir(ARCHIVES)).filter((n) => n.endsWith('.tar')).sort();
    expect(files).toEqual(['busybox-latest.tar', 'debian-bookworm-slim.tar', 'mysql-5.7.tar', 'wordpress-php7.4.tar']);
    const d = await newStore('archives');
    for (const name of files) {
      const file = path.join(ARCHIVES, name);
      const manifest = JSON.parse(spawnSync('tar', ['-xOf', file, 'manifest.json'], { encoding: 'utf8' }).stdout) as Array<{ Config: string; RepoTags: string[] }>;
      const t0 = Date.now();
      const [info, ...more] = await loadFrom(d.store, file);
      process.stdout.write(`load of ${name}: ${Date.now() - t0} ms\n`);
      expect(more).toEqual([]);
      expect(info!.id).toBe(`sha256:${manifest[0]!.Config.replace(/\.json$/, '')}`);
      expect(info!.repoTags).toEqual(manifest[0]!.RepoTags.map((t) => t.replace(/^docker\.io\/library\//, '')));
      // the same images as the OCI layout's (skopeo wrote these archives from it)
      const twin = fromOci.find((i) => i.id === info!.id);
      expect(twin && essence({ ...twin, repoTags: info!.repoTags })).toEqual(essence(info!));
    }
    for (const pulled of refs) {
      const loaded = await d.store.inspectImage(pulled.id);
      expect(layerTrees(d.root, loaded)).toEqual(layerTrees(reference.root, pulled));
    }
    const s = await state(d.root);
    expect(s.images).toHaveLength(4);
    expect(s.layers).toHaveLength(4); // busybox, debian, and one layer each for mysql and wordpress on top of it
    expect(s.ingest).toEqual([]);
  });
});

describe('hostile and broken archives', () => {
  let sandbox: Sandbox;
  let root: string;
  let store: BundledImageStore;
  let before: string[];

  beforeEach(async () => {
    sandbox = makeSandbox();
    root = sandbox.target;
    const o = openImageStore({ env: {}, root, registryConfig: REGISTRY_CONFIG });
    opened.push(o);
    store = o.store;
    await store.init();
    before = sandbox.snapshot();
  });
  afterEach(() => sandbox.remove());

  const layerTar = buildTar([{ name: 'hello', content: 'hello\n', uid: 0, gid: 0 }]);
  const config = (diffIds: string[]): Buffer =>
    Buffer.from(JSON.stringify({ architecture: ARCH, os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: diffIds } }));

  /** A docker save archive of one image, its manifest.json entry edited by `edit`. */
  function dockerSave(edit: (e: Record<string, unknown>) => Record<string, unknown> = (e) => e, layers: Buffer[] = [layerTar], diffIds?: string[]): TarSpec[] {
    const cfg = config(diffIds ?? layers.map(sha256));
    return [
      ...layers.map((l, i): TarSpec => ({ name: `l${i}/layer.tar`, content: l, uid: 0, gid: 0 })),
      { name: `${hex(sha256(cfg))}.json`, content: cfg, uid: 0, gid: 0 },
      { name: 'manifest.json', content: JSON.stringify([edit({ Config: `${hex(sha256(cfg))}.json`, RepoTags: ['hostile:1'], Layers: layers.map((_, i) => `l${i}/layer.tar`) })]), uid: 0, gid: 0 },
    ];
  }

  /** An OCI layout of one image whose blobs come after `blobsPrefix` members. */
  function ociLayout(blobsPrefix: TarSpec[], options: { dropLayer?: boolean } = {}): TarSpec[] {
    const cfg = config([sha256(layerTar)]);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(cfg), size: cfg.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layerTar), size: layerTar.length }],
      }),
    );
    const index = { schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(manifest), size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'hostile:1' } }] };
    const blob = (b: Buffer): TarSpec => ({ name: `blobs/sha256/${hex(sha256(b))}`, content: b, uid: 0, gid: 0 });
    return [
      { name: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}', uid: 0, gid: 0 },
      { name: 'index.json', content: JSON.stringify(index), uid: 0, gid: 0 },
      ...blobsPrefix,
      blob(cfg),
      blob(manifest),
      ...(options.dropLayer ? [] : [blob(layerTar)]),
    ];
  }

  async function load(members: TarSpec[] | Buffer): Promise<ImageInfo[]> {
    const file = path.join(work, `hostile-${process.hrtime.bigint()}.tar`);
    await fs.writeFile(file, Buffer.isBuffer(members) ? members : buildTar(members));
    try {
      return await loadFrom(store, file);
    } finally {
      await fs.rm(file, { force: true });
    }
  }

  async function expectCleanFailure(members: TarSpec[] | Buffer, message: RegExp | string): Promise<void> {
    const loading = load(members);
    await expect(loading).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(loading).rejects.toThrow(message);
    expect(await state(root)).toEqual({ images: [], layers: [], blobs: [], ingest: [] });
    expect(await store.listImages()).toEqual([]);
    expect(sandbox.snapshot()).toEqual(before);
  }

  it('the well-formed versions load (so each case below fails for its one fault)', async () => {
    expect((await load(dockerSave())).map((i) => i.repoTags)).toEqual([['hostile:1']]);
    expect((await load(ociLayout([]))).map((i) => i.repoTags)).toEqual([['hostile:1']]);
  });

  it('a member named ../x', async () => {
    await expectCleanFailure([{ name: '../x', content: 'escaped', uid: 0, gid: 0 }, ...dockerSave()], 'image archive member "../x": its name "../x" contains ".."');
  });

  it('a member with an absolute name (pointing at a host file)', async () => {
    const victim = path.join(sandbox.dir, 'victim', 'file');
    await expectCleanFailure([...dockerSave(), { name: victim, content: 'overwritten', uid: 0, gid: 0 }], `image archive member "${victim}": its name "${victim}" is absolute`);
  });

  it('a symlinked blobs dir, pointing at a host directory, with blobs written through it', async () => {
    const victim = path.join(sandbox.dir, 'victim');
    await expectCleanFailure(
      ociLayout([{ name: 'blobs', type: 'symlink', linkname: victim, uid: 0, gid: 0 }]),
      `image archive member "blobs": a symbolic link to the absolute path "${victim}"`,
    );
    await expectCleanFailure(
      ociLayout([{ name: 'blobs', type: 'symlink', linkname: '../../victim', uid: 0, gid: 0 }]),
      'image archive member "blobs": a symbolic link to "../../victim": it points outside the archive',
    );
  });

  it('a manifest.json pointing outside the archive (at host files)', async () => {
    await expectCleanFailure(dockerSave((e) => ({ ...e, Config: '../../../../../../etc/passwd' })), 'image archive member "manifest.json": image 1 Config "../../../../../../etc/passwd" contains ".."');
    await expectCleanFailure(dockerSave((e) => ({ ...e, Layers: [path.join(sandbox.dir, 'secret')] })), /image archive member "manifest.json": image 1 Layers\[0\] ".*\/secret" is absolute/);
    await expectCleanFailure(dockerSave((e) => ({ ...e, Layers: ['l0/../../victim/file'] })), /image 1 Layers\[0\] "l0\/\.\.\/\.\.\/victim\/file" contains "\.\."/);
  });

  it('a layer.tar that is a link out of the archive', async () => {
    const members = dockerSave().map((m): TarSpec => (m.name === 'l0/layer.tar' ? { name: 'l0/layer.tar', type: 'symlink', linkname: path.join(sandbox.dir, 'secret'), uid: 0, gid: 0 } : m));
    await expectCleanFailure(members, /image archive member "l0\/layer.tar": a symbolic link to the absolute path/);
  });

  it('an OCI index naming a blob the archive lacks', async () => {
    await expectCleanFailure(ociLayout([], { dropLayer: true }), /index.json manifests\[0\] \(hostile:1\): layer 1 sha256:[0-9a-f]{64} is not in the archive/);
  });

  it('a blob whose content does not match its name', async () => {
    const members = ociLayout([]).map((m) => (m.name === `blobs/sha256/${hex(sha256(layerTar))}` ? { ...m, content: buildTar([{ name: 'other', content: 'x' }]) } : m));
    await expectCleanFailure(members, /image archive member "blobs\/sha256\/[0-9a-f]{64}": digest mismatch: its content is sha256:/);
  });

  it('a layer whose diff ID is not the one its config announces', async () => {
    await expectCleanFailure(dockerSave(undefined, [layerTar], [sha256('another layer')]), /image archive member "l0\/layer.tar" \(layer 1 of manifest.json image 1 \(hostile:1\)\): digest mismatch: the unpacked layer/);
  });

  it('layers whose entries try to leave their directory', async () => {
    const victim = path.join(sandbox.dir, 'victim');
    const escapes: Buffer[] = [
      buildTar([{ name: '../../../victim/file', content: 'pwned', uid: 0, gid: 0 }]),
      buildTar([{ name: 'out', type: 'symlink', linkname: victim, uid: 0, gid: 0 }, { name: 'out/file', content: 'pwned', uid: 0, gid: 0 }]),
      buildTar([{ name: 'hard', type: 'hardlink', linkname: path.join(victim, 'file'), uid: 0, gid: 0 }]),
    ];
    for (const evil of escapes) {
      await expectCleanFailure(dockerSave(undefined, [layerTar, evil]), /^image archive member "l1\/layer.tar" \(layer 2 of manifest.json image 1 \(hostile:1\)\): layer entry /);
    }
  });

  it('what is not an image archive at all', async () => {
    await expectCleanFailure(Buffer.from('#!/bin/sh\necho this is a shell script, not a tar\n'), /^invalid image archive: not a tar archive/);
    await expectCleanFailure(buildTar([{ name: 'README', content: 'hello', uid: 0, gid: 0 }]), 'invalid image archive: it has neither manifest.json (docker save) nor index.json (OCI image layout)');
  });
});
