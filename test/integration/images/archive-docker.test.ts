/**
 * Our `image save` against a real Docker: Debian 12's dockerd 20.10 (test/support/dockerd.ts,
 * isolated, its own data root) loads what we save, as the same images; and what its
 * `docker save` writes (the Docker < 25 layout: `<v1 id>/layer.tar`, `<hex>.json`) loads into
 * our store as the same images with the same files. Images come from the local stand-in
 * registry (127.0.0.1:5000, mirror-only).
 */
import { promises as fs } from 'node:fs';
import { createReadStream, createWriteStream } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ImageInfo } from '../../../src/engine/engine';
import type { BundledImageStore } from '../../../src/engine/bundled/images/bundled-image-store';
import { openImageStore, type OpenedImageStore } from '../../../src/engine/bundled/images/open-image-store';
import { chainIds } from '../../../src/engine/bundled/images/store/chain-id';
import { startDockerd, type Dockerd } from '../../support/dockerd';
import { runCommand } from '../../support/run-command';
import { listTree, treeXattrs } from '../../unit/engine/bundled/images/unpack/tree-listing';

jest.setTimeout(600_000);

const REGISTRY_CONFIG = { mirrors: ['http://127.0.0.1:5000'], insecure: [], mirrorOnly: true };
const IMAGES = ['busybox:latest', 'wordpress:php7.4'];
const STARTED = Math.floor(Date.now() / 1000) - 1;

interface DockerInspect {
  Id: string;
  RepoTags: string[];
  Os: string;
  Architecture: string;
  Created: string;
  RootFS: { Layers: string[] };
  Config: { Cmd: string[] | null; Entrypoint: string[] | null; Env: string[] | null; WorkingDir: string; ExposedPorts?: Record<string, object>; Volumes?: Record<string, object> | null; StopSignal?: string };
}

let work: string;
let dockerd: Dockerd | undefined;
const opened: OpenedImageStore[] = [];
let pulledRoot: string;
let pulled: ImageInfo[];
let ours: BundledImageStore;

function newStore(name: string): { store: BundledImageStore; root: string } {
  const root = path.join(work, name);
  const o = openImageStore({ env: {}, root, registryConfig: REGISTRY_CONFIG });
  opened.push(o);
  return { store: o.store, root };
}

function layerTrees(root: string, info: ImageInfo): unknown[] {
  return chainIds(info.layers).map((chain) => {
    const dir = path.join(root, 'layers', chain.slice(7), 'diff');
    const tree = [...listTree(dir, { withXattrs: false })].map(([p, r]) => [p, r.type === 'dir' && r.mtime >= STARTED ? { ...r, mtime: 'made during the test' } : r]);
    return { chain, tree, xattrs: [...treeXattrs(dir)].sort() };
  });
}

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'tscompose-archive-docker-'));
  const a = newStore('pulled');
  ours = a.store;
  pulledRoot = a.root;
  pulled = [];
  for (const ref of IMAGES) pulled.push(await ours.pullImage(ref));
  dockerd = await startDockerd();
});

afterAll(async () => {
  for (const o of opened) o.close();
  try {
    await dockerd?.stop();
  } finally {
    if (work) await fs.rm(work, { recursive: true, force: true });
  }
});

it('docker load (dockerd 20.10) reads our save as the same images', async () => {
  const d = dockerd as Dockerd;
  const file = path.join(work, 'ours.tar');
  await ours.saveImages(IMAGES, createWriteStream(file));
  const out = await d.dockerOk(['load', '-i', file]);
  expect(out.trim().split('\n')).toEqual(IMAGES.map((ref) => `Loaded image: ${ref}`));
  const inspected = JSON.parse(await d.dockerOk(['image', 'inspect', ...IMAGES])) as DockerInspect[];
  expect(inspected.map((i) => i.Id)).toEqual(pulled.map((p) => p.id));
  for (const [i, info] of pulled.entries()) {
    const docker = inspected[i]!;
    expect(docker.RepoTags).toEqual(info.repoTags);
    expect(docker.RootFS.Layers).toEqual(info.layers);
    expect({ os: docker.Os, architecture: docker.Architecture }).toEqual({ os: info.platform.os, architecture: info.platform.architecture });
    expect(docker.Created.replace(/\.\d+Z$/, 'Z')).toBe(info.created?.replace(/\.\d+Z$/, 'Z'));
    expect(docker.Config.Cmd ?? undefined).toEqual(info.config.cmd);
    expect(docker.Config.Entrypoint ?? undefined).toEqual(info.config.entrypoint);
    expect(docker.Config.Env ?? undefined).toEqual(info.config.env);
    expect(Object.keys(docker.Config.ExposedPorts ?? {})).toEqual(info.config.exposedPorts ?? []);
    expect(Object.keys(docker.Config.Volumes ?? {})).toEqual(info.config.volumes ?? []);
  }
  // and Docker's files are ours: busybox's /etc/passwd as Docker gives it from a container
  const container = (await d.dockerOk(['create', 'busybox:latest'])).trim();
  try {
    await d.dockerOk(['cp', `${container}:/etc/passwd`, path.join(work, 'passwd')]);
    const layer = path.join(pulledRoot, 'layers', chainIds(pulled[0]!.layers).at(-1)!.slice(7), 'diff');
    expect(await fs.readFile(path.join(work, 'passwd'))).toEqual(await fs.readFile(path.join(layer, 'etc', 'passwd')));
  } finally {
    await d.docker(['rm', container]);
  }
});

it("our load reads docker save's (20.10) archive as the same images with the same files", async () => {
  const d = dockerd as Dockerd;
  // Docker's own pulls of the same images (not the ones it loaded from us)
  for (const ref of IMAGES) {
    await d.dockerOk(['pull', '-q', `127.0.0.1:5000/library/${ref}`]);
    await d.dockerOk(['tag', `127.0.0.1:5000/library/${ref}`, ref]);
  }
  const file = path.join(work, 'docker.tar');
  await d.dockerOk(['save', '-o', file, ...IMAGES]);
  const listing = await runCommand('tar', ['-tf', file], { timeoutMs: 60_000 });
  expect(listing.stdout).toMatch(/^[0-9a-f]{64}\/layer\.tar$/m); // the legacy layout, not ours
  const b = newStore('from-docker');
  const loaded = await b.store.loadImages(createReadStream(file));
  const essence = (i: ImageInfo): unknown => ({ id: i.id, repoTags: i.repoTags, layers: i.layers, config: i.config, platform: i.platform, created: i.created });
  // docker save 20.10 orders manifest.json by a Go map: compare by image ID
  const byId = (x: ImageInfo, y: ImageInfo): number => x.id.localeCompare(y.id);
  expect([...loaded].sort(byId).map(essence)).toEqual([...pulled].sort(byId).map(essence));
  for (const info of pulled) expect(layerTrees(b.root, loaded.find((l) => l.id === info.id)!)).toEqual(layerTrees(pulledRoot, info));
  expect(await fs.readdir(path.join(b.root, 'content', 'ingest'))).toEqual([]);
});
