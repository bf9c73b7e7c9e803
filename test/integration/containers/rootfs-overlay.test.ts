/**
 * mountRootfs/unmountRootfs for real (root): busybox's layers from the local registry
 * (127.0.0.1:5000) pulled into a temp engine root, and synthetic layer stacks — one too long
 * for a page of mount options (index links), one past overlayfs's limit — each in its own
 * temp dir, every mount removed afterwards even when a test fails.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openImageStore } from '../../../src/engine/bundled/images/open-image-store';
import { chainIds } from '../../../src/engine/bundled/images/store/chain-id';
import { mountAt } from '../../../src/engine/bundled/containers/rootfs/mountinfo';
import { mountRootfs, unmountRootfs } from '../../../src/engine/bundled/containers/rootfs/overlay';
import { ObjectConflictError } from '../../../src/engine/errors';
import { mountsUnder, unmountUnder } from '../../support/mounts';
import { runCommand } from '../../support/run-command';

jest.setTimeout(300_000);

let root: string;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tscompose-overlay-'));
});
afterAll(async () => {
  await unmountUnder(root);
  await fs.rm(root, { recursive: true, force: true });
});

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(() => true, () => false);
}

/** `count` layer dirs with long names: layer i holds `only-<i>` and `shared` = "<i>". */
async function syntheticLayers(base: string, count: number): Promise<string[]> {
  const dirs: string[] = [];
  for (let i = 0; i < count; i++) {
    const dir = path.join(base, 'layers', i.toString(16).padStart(64, '0'), 'diff');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, `only-${i}`), '');
    await fs.writeFile(path.join(dir, 'shared'), String(i));
    dirs.push(dir);
  }
  return dirs;
}

function fsDirs(base: string): { upper: string; work: string; merged: string } {
  return { upper: path.join(base, 'fs', 'upper'), work: path.join(base, 'fs', 'work'), merged: path.join(base, 'fs', 'merged') };
}

describe('overlay root file systems', () => {
  it("mounts busybox's layers from the image store, writes go to the upper dir, unmount is idempotent", async () => {
    const engineRoot = path.join(root, 'engine');
    const opened = openImageStore({ env: {}, root: engineRoot, registryConfig: { mirrors: ['http://127.0.0.1:5000'], insecure: [], mirrorOnly: true } });
    let layerDirs: string[];
    try {
      const image = await opened.store.pullImage('busybox');
      layerDirs = chainIds(image.layers).map((c) => path.join(engineRoot, 'layers', c.slice('sha256:'.length), 'diff'));
    } finally {
      opened.close();
    }
    expect(layerDirs.length).toBeGreaterThanOrEqual(1); // busybox is a one-layer image: overlay with one lower dir
    const dirs = fsDirs(path.join(root, 'busybox'));
    await mountRootfs(layerDirs, dirs);
    const entry = await mountAt(dirs.merged);
    expect(entry?.fsType).toBe('overlay');
    expect(entry?.superOptions).toContain(`lowerdir=${[...layerDirs].reverse().join(':')},upperdir=${dirs.upper},workdir=${dirs.work}`);
    expect((await fs.stat(path.join(dirs.merged, 'bin', 'busybox'))).isFile()).toBe(true);
    expect(await fs.readFile(path.join(dirs.merged, 'etc', 'passwd'), 'utf8')).toMatch(/^root:x:0:0:/m);

    const groupLayer = (await Promise.all(layerDirs.map(async (d) => ((await exists(path.join(d, 'etc', 'group'))) ? d : undefined)))).find((d) => d !== undefined);
    expect(groupLayer).toBeDefined();
    await fs.writeFile(path.join(dirs.merged, 'etc', 'written-by-test'), 'hi');
    await fs.rm(path.join(dirs.merged, 'etc', 'group'));
    expect(await fs.readFile(path.join(dirs.upper, 'etc', 'written-by-test'), 'utf8')).toBe('hi');
    const whiteout = await fs.stat(path.join(dirs.upper, 'etc', 'group'));
    expect(whiteout.isCharacterDevice() && whiteout.rdev === 0).toBe(true);
    expect(await exists(path.join(groupLayer as string, 'etc', 'group'))).toBe(true); // the layer is untouched
    for (const d of layerDirs) expect(await exists(path.join(d, 'etc', 'written-by-test'))).toBe(false);

    await mountRootfs(layerDirs, dirs); // already mounted with this upper: nothing to do
    expect(await mountsUnder(dirs.merged)).toHaveLength(1);

    await unmountRootfs(dirs.merged);
    expect(await mountAt(dirs.merged)).toBeUndefined();
    expect(await fs.readdir(dirs.merged)).toEqual([]);
    await unmountRootfs(dirs.merged);
    await unmountRootfs(path.join(root, 'never-existed'));

    // mounted again, the container's changes are still there
    await mountRootfs(layerDirs, dirs);
    expect(await fs.readFile(path.join(dirs.merged, 'etc', 'written-by-test'), 'utf8')).toBe('hi');
    expect(await exists(path.join(dirs.merged, 'etc', 'group'))).toBe(false);
    await unmountRootfs(dirs.merged);
  });

  it('mounts more layers than one page of options can name, through index links it removes afterwards', async () => {
    const base = path.join(root, 'many');
    const layers = await syntheticLayers(base, 500); // 500 × ~100 characters: far over 4096, and overlayfs's maximum
    const dirs = fsDirs(base);
    await mountRootfs(layers, dirs);
    try {
      const names = await fs.readdir(dirs.merged);
      for (let i = 0; i < 500; i++) expect(names).toContain(`only-${i}`);
      expect(await fs.readFile(path.join(dirs.merged, 'shared'), 'utf8')).toBe('499'); // the topmost layer wins
      const options = (await mountAt(dirs.merged))?.superOptions ?? '';
      expect(options).toMatch(/lowerdir=0:1:2:/);
      expect((await fs.readdir(path.join(base, 'fs'))).sort()).toEqual(['merged', 'upper', 'work']); // no index links left
    } finally {
      await unmountRootfs(dirs.merged);
    }
  });

  it('uses index links for a layer path overlay options cannot carry', async () => {
    const base = path.join(root, 'colon');
    const lower = path.join(base, 'layer:with,odd chars');
    await fs.mkdir(lower, { recursive: true });
    await fs.writeFile(path.join(lower, 'file'), 'odd');
    const dirs = fsDirs(base);
    await mountRootfs([lower], dirs);
    try {
      expect(await fs.readFile(path.join(dirs.merged, 'file'), 'utf8')).toBe('odd');
    } finally {
      await unmountRootfs(dirs.merged);
    }
  });

  it('refuses a mount point that holds another file system', async () => {
    const base = path.join(root, 'taken');
    const layers = await syntheticLayers(base, 1);
    const dirs = fsDirs(base);
    await mountRootfs(layers, dirs);
    try {
      await expect(mountRootfs(layers, { ...dirs, upper: path.join(base, 'other-upper') })).rejects.toThrow(ObjectConflictError);
      expect(await mountsUnder(dirs.merged)).toHaveLength(1);
    } finally {
      await unmountRootfs(dirs.merged);
    }
  });

  it('leaves nothing behind when a layer is missing', async () => {
    const base = path.join(root, 'missing');
    const dirs = fsDirs(base);
    await expect(mountRootfs([path.join(base, 'no-such-layer')], dirs)).rejects.toThrow(`layer directory ${path.join(base, 'no-such-layer')} is missing`);
    expect(await exists(base)).toBe(false);
  });

  it('leaves nothing behind when the kernel refuses the mount', async () => {
    // upper and work on different file systems: overlayfs refuses
    const base = path.join(root, 'refused');
    const layers = await syntheticLayers(base, 2);
    const other = path.join(base, 'other-fs');
    await fs.mkdir(other);
    const tmpfs = await runCommand('mount', ['-t', 'tmpfs', 'tmpfs', other]);
    expect(tmpfs.code).toBe(0);
    try {
      const dirs = { upper: path.join(base, 'fs', 'upper'), work: path.join(other, 'work'), merged: path.join(base, 'fs', 'merged') };
      await expect(mountRootfs(layers, dirs)).rejects.toThrow(/cannot mount the overlay root file system of 2 layer\(s\) at .*merged: /);
      expect(await exists(path.join(base, 'fs'))).toBe(false); // made for the mount, removed with it
      expect(await fs.readdir(other)).toEqual([]);
      expect(await mountAt(dirs.merged)).toBeUndefined();
    } finally {
      await unmountUnder(other);
    }
  });

  it("fails clearly past overlayfs's 500 lower layers and leaves nothing", async () => {
    const base = path.join(root, 'toomany');
    const layers = await syntheticLayers(base, 501);
    const dirs = fsDirs(base);
    const err = await mountRootfs(layers, dirs).catch((e: Error) => e);
    expect((err as Error).message).toBe(`cannot mount a root file system of 501 layers at ${dirs.merged}: overlayfs stacks at most 500 layers`);
    expect(await exists(path.join(base, 'fs'))).toBe(false);
    expect(await mountAt(dirs.merged)).toBeUndefined();
  });
});
