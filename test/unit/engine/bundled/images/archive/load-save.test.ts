/**
 * image load / image save through BundledImageStore on a temp root, with the real extractor
 * and synthetic images (no registry): what is stored, what is shared, what a failure leaves,
 * and what a save writes.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { BundledImageStore } from '../../../../../../src/engine/bundled/images/bundled-image-store';
import { chainIds } from '../../../../../../src/engine/bundled/images/store/chain-id';
import { ByteSource } from '../../../../../../src/engine/bundled/images/unpack/byte-source';
import { extractLayer } from '../../../../../../src/engine/bundled/images/unpack/extract';
import { readTar } from '../../../../../../src/engine/bundled/images/unpack/tar-reader';
import { InvalidArgumentError, ObjectNotFoundError } from '../../../../../../src/engine/errors';
import { buildTar, chunked } from '../unpack/tar-builder';
import { dockerSaveMembers, dockerSaveTar, hexOf, ociLayoutTar, sha256, synthImage, synthLayer } from './archive-builder';

const platform = { os: 'linux', architecture: 'amd64' };
const noRegistry = {
  resolve: () => Promise.reject(new Error('no registry in this test')),
  openBlob: () => Promise.reject(new Error('no registry in this test')),
};

let base: string;
beforeEach(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'tscompose-loadsave-'));
});
afterEach(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

function makeStore(name: string): BundledImageStore {
  return new BundledImageStore({ root: path.join(base, name), registry: noRegistry, extractLayer, platform, durableLayers: false });
}

async function save(store: BundledImageStore, refs: string[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _e, done) {
      parts.push(chunk);
      done();
    },
  });
  await store.saveImages(refs, out);
  return Buffer.concat(parts);
}

async function members(tar: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const source = new ByteSource(Readable.from([tar])[Symbol.asyncIterator](), () => undefined);
  for await (const entry of readTar(source)) {
    const parts: Buffer[] = [];
    for await (const piece of entry.body) parts.push(piece);
    out.set(entry.name, Buffer.concat(parts));
  }
  return out;
}

/** Everything under the root that is not an empty directory, as relative paths. */
async function rootFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(root, { withFileTypes: true, recursive: true })) {
    if (!e.isDirectory()) out.push(path.relative(root, path.join(e.path, e.name)));
  }
  return out.sort();
}

const osLayer = synthLayer({ 'etc/': '', 'etc/os-release': 'ID=synth\n', 'bin/': '', 'bin/sh': 'shell' });
const appLayer = synthLayer({ 'app/': '', 'app/run': 'run the app' });
const toolLayer = synthLayer({ 'tool/': '', 'tool/x': 'a tool' }, { gzip: true });
const osImage = synthImage([osLayer]);
const appImage = synthImage([osLayer, appLayer], { cmd: ['/app/run'] });
const toolImage = synthImage([osLayer, toolLayer], { cmd: ['/tool/x'] });

describe('loadImages', () => {
  it('loads a docker save archive: images, tags, shared layers stored once, nothing left in ingest', async () => {
    const store = makeStore('a');
    const infos = await store.loadImages(chunked(dockerSaveTar([
      { image: osImage, tags: ['synth/os:1'] },
      { image: appImage, tags: ['synth/app:1', 'synth/app:latest'] },
    ]), 1000));
    expect(infos.map((i) => ({ id: i.id, tags: i.repoTags, layers: i.layers }))).toEqual([
      { id: osImage.id, tags: ['synth/os:1'], layers: [osLayer.diffId] },
      { id: appImage.id, tags: ['synth/app:1', 'synth/app:latest'], layers: [osLayer.diffId, appLayer.diffId] },
    ]);
    expect(infos[1]).toMatchObject({ config: { cmd: ['/app/run'], env: ['PATH=/bin'], workingDir: '/w', labels: { made: 'by-test' } }, platform, created: '2024-01-02T03:04:05Z', repoDigests: [] });
    expect(await store.inspectImage('synth/app')).toEqual(infos[1]);
    const root = path.join(base, 'a');
    const chains = chainIds([osLayer.diffId, appLayer.diffId]).map(hexOf);
    expect((await fs.readdir(path.join(root, 'layers'))).sort()).toEqual([...chains].sort());
    expect(await fs.readFile(path.join(root, 'layers', chains[1]!, 'diff', 'app', 'run'), 'utf8')).toBe('run the app');
    expect(await fs.readFile(path.join(root, 'layers', chains[0]!, 'diff', 'etc', 'os-release'), 'utf8')).toBe('ID=synth\n');
    expect((await fs.readdir(path.join(root, 'content', 'blobs', 'sha256'))).sort()).toEqual(
      [osImage.id, appImage.id, osLayer.digest, appLayer.digest].map(hexOf).sort(),
    );
    expect(await fs.readdir(path.join(root, 'content', 'ingest'))).toEqual([]);
  });

  it('moves a tag to the loaded image and leaves the old one untagged, as docker load does', async () => {
    const store = makeStore('a');
    await store.loadImages(chunked(dockerSaveTar([{ image: appImage, tags: ['synth/app:1'] }])));
    const [loaded] = await store.loadImages(chunked(dockerSaveTar([{ image: toolImage, tags: ['synth/app:1'] }])));
    expect(loaded).toMatchObject({ id: toolImage.id, repoTags: ['synth/app:1'] });
    const all = await store.listImages();
    expect(all.map((i) => [i.id, i.repoTags]).sort()).toEqual([[appImage.id, []], [toolImage.id, ['synth/app:1']]].sort());
    // loading the same archive again adds nothing
    const before = await rootFiles(path.join(base, 'a'));
    const again = await store.loadImages(chunked(dockerSaveTar([{ image: toolImage, tags: ['synth/app:1'] }])));
    expect(again).toEqual([loaded]);
    expect(await rootFiles(path.join(base, 'a'))).toEqual(before);
  });

  it('loads an OCI layout (index → host platform) and shares its layers with a later docker save load', async () => {
    const store = makeStore('a');
    const arm = synthImage([synthLayer({ 'x': 'arm' })], { architecture: 'arm64', variant: 'v8' });
    const gzOs = synthLayer({ 'etc/': '', 'etc/os-release': 'ID=synth\n', 'bin/': '', 'bin/sh': 'shell' }, { gzip: true });
    expect(gzOs.diffId).toBe(osLayer.diffId);
    const [fromOci] = await store.loadImages(chunked(ociLayoutTar([
      {
        platforms: [{ image: arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }, { image: synthImage([gzOs]), platform }],
        annotations: { 'io.containerd.image.name': 'docker.io/synth/os:oci' },
      },
    ])));
    expect(fromOci).toMatchObject({ id: osImage.id, repoTags: ['synth/os:oci'], layers: [osLayer.diffId], size: gzOs.blob.length });
    const root = path.join(base, 'a');
    // the docker save archive carries the same layer uncompressed: it is not unpacked nor stored again
    await store.loadImages(chunked(dockerSaveTar([{ image: appImage, tags: ['synth/app:1'] }])));
    const blobs = await fs.readdir(path.join(root, 'content', 'blobs', 'sha256'));
    expect(blobs).toContain(hexOf(gzOs.digest));
    expect(blobs).not.toContain(hexOf(osLayer.digest));
    expect(await fs.readdir(path.join(root, 'layers'))).toHaveLength(2);
    // and a save of it decompresses the shared gzip blob back to the layer's diff ID
    const saved = await members(await save(store, ['synth/app:1']));
    expect(sha256(saved.get(`blobs/sha256/${hexOf(osLayer.diffId)}`)!)).toBe(osLayer.diffId);
    expect(saved.get(`blobs/sha256/${hexOf(osLayer.diffId)}`)!.equals(gunzipSync(gzOs.blob))).toBe(true);
  });

  it('fails on a diff ID mismatch naming the member, and leaves nothing behind', async () => {
    const store = makeStore('a');
    const lying = synthImage([osLayer, appLayer], { diffIds: [osLayer.diffId, sha256('something else')] });
    const load = store.loadImages(chunked(dockerSaveTar([{ image: osImage, tags: ['synth/os:1'] }, { image: lying, tags: ['synth/lie:1'] }])));
    await expect(load).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(load).rejects.toThrow(
      /^image archive member "[0-9a-f]{64}\/layer.tar" \(layer 2 of manifest.json image 2 \(synth\/lie:1\)\): digest mismatch: the unpacked layer sha256:[0-9a-f]{64} \(its diff ID\) should be sha256:[0-9a-f]{64} but is sha256:/,
    );
    expect(await rootFiles(path.join(base, 'a'))).toEqual([]);
    expect(await store.listImages()).toEqual([]);
  });

  it('fails on a layer that tries to write outside, naming the member, and leaves nothing behind', async () => {
    const store = makeStore('a');
    const evilTar = buildTar([{ name: '../../../escaped', content: 'x', uid: 0, gid: 0 }]);
    const evil = { tar: evilTar, blob: evilTar, diffId: sha256(evilTar), digest: sha256(evilTar) };
    const load = store.loadImages(chunked(dockerSaveTar([{ image: synthImage([evil]), tags: ['synth/evil:1'] }])));
    await expect(load).rejects.toThrow(/^image archive member "[0-9a-f]{64}\/layer.tar" \(layer 1 of manifest.json image 1 \(synth\/evil:1\)\): layer entry "\.\.\/\.\.\/\.\.\/escaped": .*escapes the layer root/);
    await expect(load).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await rootFiles(path.join(base, 'a'))).toEqual([]);
    expect(await fs.readdir(base)).toEqual(['a']);
  });

  it('refuses an archive with neither manifest.json nor index.json, and one for another OS', async () => {
    const store = makeStore('a');
    await expect(store.loadImages(chunked(buildTar([{ name: 'readme', content: 'hi' }])))).rejects.toThrow(
      'invalid image archive: it has neither manifest.json (docker save) nor index.json (OCI image layout)',
    );
    const windows = synthImage([osLayer], { os: 'windows' });
    await expect(store.loadImages(chunked(dockerSaveTar([{ image: windows, tags: ['w:1'] }])))).rejects.toThrow(
      'invalid image archive: manifest.json image 1 (w:1) is a windows image; this engine runs linux images',
    );
    expect(await rootFiles(path.join(base, 'a'))).toEqual([]);
  });

  it('a manifest.json pointing outside the archive fails before anything is stored', async () => {
    const store = makeStore('a');
    const membersList = dockerSaveMembers([{ image: osImage, tags: ['synth/os:1'] }]).map((m) =>
      m.name === 'manifest.json' ? { ...m, content: JSON.stringify([{ Config: `${hexOf(osImage.id)}.json`, RepoTags: null, Layers: ['../../../../etc/passwd'] }]) } : m,
    );
    await expect(store.loadImages(chunked(buildTar(membersList)))).rejects.toThrow(
      'image archive member "manifest.json": image 1 Layers[0] "../../../../etc/passwd" contains "..": it points outside the archive',
    );
    expect(await rootFiles(path.join(base, 'a'))).toEqual([]);
  });
});

describe('saveImages', () => {
  it('writes the Docker ≥ 25 layout: uncompressed layers once each, configs, manifests, index.json, manifest.json', async () => {
    const store = makeStore('a');
    await store.loadImages(chunked(dockerSaveTar([
      { image: appImage, tags: ['synth/app:1', 'synth/app:2'] },
      { image: toolImage, tags: ['synth/tool:1'] },
    ])));
    const tar = await save(store, ['synth/app:1', 'synth/tool:1', 'synth/app:1']);
    const m = await members(tar);
    const blob = (digest: string): string => `blobs/sha256/${hexOf(digest)}`;
    const names = [...m.keys()];
    expect(names.slice(0, 2)).toEqual(['blobs/', 'blobs/sha256/']);
    expect(names.slice(-4)).toEqual(['index.json', 'manifest.json', 'oci-layout', 'repositories']);
    expect(names.filter((n) => n === blob(osLayer.diffId))).toHaveLength(1);
    for (const layer of [osLayer, appLayer, toolLayer]) expect(m.get(blob(layer.diffId))!.equals(layer.tar)).toBe(true);
    expect(m.get(blob(appImage.id))!.equals(appImage.configBytes)).toBe(true);
    expect(JSON.parse(m.get('manifest.json')!.toString())).toEqual([
      { Config: blob(appImage.id), RepoTags: ['synth/app:1'], Layers: [blob(osLayer.diffId), blob(appLayer.diffId)] },
      { Config: blob(toolImage.id), RepoTags: ['synth/tool:1'], Layers: [blob(osLayer.diffId), blob(toolLayer.diffId)] },
    ]);
    const index = JSON.parse(m.get('index.json')!.toString()) as { manifests: Array<{ digest: string; annotations: Record<string, string> }> };
    expect(index.manifests.map((e) => e.annotations['io.containerd.image.name'])).toEqual(['docker.io/synth/app:1', 'docker.io/synth/tool:1']);
    for (const e of index.manifests) expect(sha256(m.get(blob(e.digest))!)).toBe(e.digest);
    expect(JSON.parse(m.get('repositories')!.toString())).toEqual({ 'synth/app': { '1': hexOf(appLayer.diffId) }, 'synth/tool': { '1': hexOf(toolLayer.diffId) } });
    expect(m.get('oci-layout')!.toString()).toBe('{"imageLayoutVersion":"1.0.0"}');
  });

  it('a bare repository name saves all its tags; an ID or digest saves the image untagged', async () => {
    const store = makeStore('a');
    await store.loadImages(chunked(dockerSaveTar([{ image: appImage, tags: ['synth/app:1', 'synth/app:2'] }, { image: toolImage, tags: ['synth/app:3'] }])));
    const manifest = async (refs: string[]): Promise<unknown> => JSON.parse((await members(await save(store, refs))).get('manifest.json')!.toString());
    expect(((await manifest(['synth/app'])) as Array<{ RepoTags: string[] }>).map((e) => e.RepoTags)).toEqual([['synth/app:1', 'synth/app:2'], ['synth/app:3']]);
    expect(((await manifest([appImage.id.slice(7, 19)])) as Array<{ RepoTags: unknown }>).map((e) => e.RepoTags)).toEqual([null]);
    expect(((await manifest([appImage.id, 'synth/app:2'])) as Array<{ RepoTags: unknown }>).map((e) => e.RepoTags)).toEqual([['synth/app:2']]);
  });

  it('an unknown image fails before anything is written', async () => {
    const store = makeStore('a');
    await store.loadImages(chunked(dockerSaveTar([{ image: osImage, tags: ['synth/os:1'] }])));
    const out = new PassThrough();
    const written: Buffer[] = [];
    out.on('data', (c: Buffer) => written.push(c));
    const saving = store.saveImages(['synth/os:1', 'synth/nope:1'], out);
    await expect(saving).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(saving).rejects.toThrow('No such image: synth/nope:1');
    expect(written).toEqual([]);
    await expect(store.saveImages([], out)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('a blob that no longer matches its diff ID fails the save instead of writing a bad layer', async () => {
    const store = makeStore('a');
    await store.loadImages(chunked(dockerSaveTar([{ image: osImage, tags: ['synth/os:1'] }])));
    // corrupt the stored blob (same length)
    const file = path.join(base, 'a', 'content', 'blobs', 'sha256', hexOf(osLayer.digest));
    const bytes = await fs.readFile(file);
    bytes[600] = bytes[600]! ^ 0xff;
    await fs.writeFile(file, bytes);
    const out = new PassThrough();
    out.resume();
    await expect(store.saveImages(['synth/os:1'], out)).rejects.toThrow(/digest mismatch: the uncompressed layer 1 of image [0-9a-f]{12} \(blob sha256:[0-9a-f]{64}\) \(its diff ID\) should be/);
  });

  it('round trip: what one store saves, another loads as the same images', async () => {
    const a = makeStore('a');
    await a.loadImages(chunked(ociLayoutTar([
      { image: synthImage([synthLayer({ 'etc/': '', 'etc/os-release': 'ID=synth\n', 'bin/': '', 'bin/sh': 'shell' }, { gzip: true }), toolLayer], { cmd: ['/tool/x'] }), annotations: { 'io.containerd.image.name': 'docker.io/synth/tool:1' } },
    ])));
    await a.loadImages(chunked(dockerSaveTar([{ image: appImage, tags: ['synth/app:1'] }])));
    const b = makeStore('b');
    const loaded = await b.loadImages(chunked(await save(a, ['synth/tool:1', 'synth/app:1'])));
    const strip = (i: { id: string; repoTags: readonly string[]; layers: readonly string[]; config: unknown; platform: unknown; created?: string }) => ({
      id: i.id,
      repoTags: i.repoTags,
      layers: i.layers,
      config: i.config,
      platform: i.platform,
      created: i.created,
    });
    expect(loaded.map(strip)).toEqual([strip(await a.inspectImage('synth/tool:1')), strip(await a.inspectImage('synth/app:1'))]);
    expect((await fs.readdir(path.join(base, 'b', 'layers'))).sort()).toEqual((await fs.readdir(path.join(base, 'a', 'layers'))).sort());
  });
});
