import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { chainIds } from '../../../../../../src/engine/bundled/images/store/chain-id';
import { DigestMismatchError } from '../../../../../../src/engine/bundled/images/store/content-store';
import { LayerStore, type LayerSource } from '../../../../../../src/engine/bundled/images/store/layer-store';
import { delay, sha256, tempRoot, tree } from './fakes';

describe('LayerStore', () => {
  let root: string;
  let store: LayerStore;
  let synced: { dir: string; entries: string[]; inPlace: boolean }[];
  beforeEach(async () => {
    root = await tempRoot();
    synced = [];
    store = new LayerStore(root, async (dir) => {
      synced.push({ dir, entries: (await fs.readdir(dir)).sort(), inPlace: await store.has(topChain) });
    });
    await store.init();
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  const base = 'base layer';
  const top = 'top layer';
  const [baseChain, topChain] = chainIds([sha256(base), sha256(top)]) as [string, string];

  /** A source that writes `payload` into the layer and reports the payload's digest. */
  const source = (payload: string, chain: string, parent?: string, calls: { n: number } = { n: 0 }, waitMs = 0): LayerSource => ({
    chainId: chain,
    diffId: sha256(payload),
    ...(parent !== undefined ? { parent } : {}),
    compressedDigest: sha256(`gz ${payload}`),
    compressedSize: 99,
    unpack: async (target, signal) => {
      calls.n += 1;
      await fs.writeFile(path.join(target, 'file'), payload);
      await delay(waitMs, signal);
      return { diffId: sha256(payload), size: payload.length };
    },
  });

  it('unpacks a layer under layers/<chain hex>/diff with meta.json', async () => {
    const result = await store.ensure(source(top, topChain, baseChain));
    expect(result.existed).toBe(false);
    const dir = path.join(root, 'layers', topChain.slice(7));
    expect(store.diffPath(topChain)).toBe(path.join(dir, 'diff'));
    expect(await fs.readFile(path.join(dir, 'diff', 'file'), 'utf8')).toBe(top);
    expect(JSON.parse(await fs.readFile(path.join(dir, 'meta.json'), 'utf8'))).toEqual({
      chainId: topChain,
      diffId: sha256(top),
      parent: baseChain,
      size: top.length,
      compressedDigest: sha256(`gz ${top}`),
      compressedSize: 99,
    });
    expect(await store.get(topChain)).toEqual(result.meta);
    expect(await store.list()).toEqual([topChain]);
    expect(await tree(path.join(root, 'layers'))).toEqual([
      `${topChain.slice(7)}/`,
      `${topChain.slice(7)}/diff/`,
      `${topChain.slice(7)}/diff/file`,
      `${topChain.slice(7)}/meta.json`,
    ]);
  });

  it('flushes the unpacked layer to disk before putting it in place', async () => {
    await store.ensure(source(top, topChain, baseChain));
    expect(synced).toHaveLength(1);
    expect(path.basename(synced[0]?.dir ?? '')).toMatch(/^tmp-/);
    expect(synced[0]?.entries).toEqual(['diff', 'meta.json']);
    expect(synced[0]?.inPlace).toBe(false);
  });

  it('unpacks once: later and concurrent requests share it', async () => {
    const calls = { n: 0 };
    const results = await Promise.all([1, 2, 3].map(() => store.ensure(source(base, baseChain, undefined, calls, 20))));
    expect(calls.n).toBe(1);
    expect(results.map((r) => r.meta.diffId)).toEqual([sha256(base), sha256(base), sha256(base)]);
    expect((await store.ensure(source(base, baseChain, undefined, calls))).existed).toBe(true);
    expect(calls.n).toBe(1);
  });

  it('refuses a layer whose content does not match its diff ID, leaving nothing', async () => {
    const lying: LayerSource = { ...source(base, baseChain), unpack: async (target) => {
      await fs.writeFile(path.join(target, 'file'), 'tampered');
      return { diffId: sha256('tampered'), size: 8 };
    } };
    const err = await store.ensure(lying).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DigestMismatchError);
    expect(String(err)).toContain(`should be ${sha256(base)} but is ${sha256('tampered')}`);
    expect(await fs.readdir(path.join(root, 'layers'))).toEqual([]);
  });

  it('removes the temp directory when unpacking fails', async () => {
    const failing: LayerSource = { ...source(base, baseChain), unpack: async (target) => {
      await fs.mkdir(path.join(target, 'half'));
      throw new Error('tar: unexpected end of data');
    } };
    await expect(store.ensure(failing)).rejects.toThrow('unexpected end of data');
    expect(await fs.readdir(path.join(root, 'layers'))).toEqual([]);
  });

  it('uses a layer another process completed meanwhile', async () => {
    const other = new LayerStore(root, null);
    const racing: LayerSource = { ...source(base, baseChain), unpack: async (target, signal) => {
      await other.ensure(source(base, baseChain)); // the other process wins the rename
      return source(base, baseChain).unpack(target, signal);
    } };
    const result = await store.ensure(racing);
    expect(result.existed).toBe(true);
    expect(await fs.readdir(path.join(root, 'layers'))).toEqual([baseChain.slice(7)]);
  });

  it('rejects a chain ID that does not follow from parent and diff ID', async () => {
    await expect(store.ensure(source(top, topChain))).rejects.toThrow(/does not match its parent and diff ID/);
  });

  it('stops unpacking when its only requester cancels, and cleans up before returning', async () => {
    const controller = new AbortController();
    const pending = store.ensure(source(base, baseChain, undefined, { n: 0 }, 5000), controller.signal);
    await delay(20);
    controller.abort(new Error('cancelled'));
    await expect(pending).rejects.toThrow('cancelled');
    expect(await fs.readdir(path.join(root, 'layers'))).toEqual([]);
  });

  it('removes layers whole', async () => {
    await store.ensure(source(base, baseChain));
    expect(await store.remove(baseChain)).toBe(true);
    expect(await store.remove(baseChain)).toBe(false);
    expect(await store.has(baseChain)).toBe(false);
    expect(await fs.readdir(path.join(root, 'layers'))).toEqual([]);
  });

  it('clears stale temp directories at init but not layers', async () => {
    await store.ensure(source(base, baseChain));
    await fs.mkdir(path.join(root, 'layers', 'tmp-abc', 'diff'), { recursive: true });
    await store.init(0);
    expect(await fs.readdir(path.join(root, 'layers'))).toEqual([baseChain.slice(7)]);
  });
});
