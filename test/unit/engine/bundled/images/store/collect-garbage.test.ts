import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { chainIds } from '../../../../../../src/engine/bundled/images/store/chain-id';
import { collectGarbage, type GarbageStores } from '../../../../../../src/engine/bundled/images/store/collect-garbage';
import { ContentStore } from '../../../../../../src/engine/bundled/images/store/content-store';
import { ImageRecordStore, type ImageRecord } from '../../../../../../src/engine/bundled/images/store/image-store';
import { LayerStore } from '../../../../../../src/engine/bundled/images/store/layer-store';
import { Leases } from '../../../../../../src/engine/bundled/images/store/leases';
import { sha256, tempRoot } from './fakes';

describe('collectGarbage', () => {
  let root: string;
  let stores: GarbageStores;
  beforeEach(async () => {
    root = await tempRoot();
    stores = { content: new ContentStore(root), layers: new LayerStore(root, null), images: new ImageRecordStore(root), leases: new Leases() };
    await stores.content.init();
    await stores.layers.init();
    await stores.images.init();
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  /** An image of layers `payloads` (bottom first), with its layers on disk and its blobs stored. */
  async function image(name: string, payloads: string[]): Promise<ImageRecord> {
    const diffIds = payloads.map((p) => sha256(p));
    const chain = chainIds(diffIds);
    for (const [i, p] of payloads.entries()) {
      await stores.layers.ensure({
        chainId: chain[i] as string,
        diffId: diffIds[i] as string,
        ...(i > 0 ? { parent: chain[i - 1] as string } : {}),
        unpack: async (target) => {
          await fs.writeFile(path.join(target, 'f'), p);
          return { diffId: sha256(p), size: p.length };
        },
      });
      await stores.content.ingestStream(sha256(`blob ${p}`), Readable.from([Buffer.from(`blob ${p}`)]));
    }
    const config = Buffer.from(`config ${name}`);
    await stores.content.put(sha256(config), config);
    const rec: ImageRecord = {
      id: sha256(config),
      platform: { os: 'linux', architecture: 'amd64' },
      config: {},
      diffIds,
      chainIds: chain,
      layerBlobs: payloads.map((p) => ({ digest: sha256(`blob ${p}`), size: 1 })),
      manifests: [],
      size: 0,
    };
    await stores.images.put(rec);
    return rec;
  }

  it('keeps layers and blobs another image still uses', async () => {
    const mysql = await image('mysql', ['debian', 'mysql']);
    const wordpress = await image('wordpress', ['debian', 'wordpress']);
    const debianChain = mysql.chainIds[0] as string;
    expect(wordpress.chainIds[0]).toBe(debianChain);

    await fs.rm(path.join(root, 'images', `${wordpress.id.slice(7)}.json`));
    const removed = await collectGarbage(stores);
    expect([...removed.layers]).toEqual([wordpress.chainIds[1]]);
    expect([...removed.blobs].sort()).toEqual([wordpress.id, sha256('blob wordpress')].sort());
    expect((await stores.layers.list()).sort()).toEqual([...mysql.chainIds].sort());
    expect(await stores.content.has(sha256('blob debian'))).toBe(true);

    await fs.rm(path.join(root, 'images', `${mysql.id.slice(7)}.json`));
    const rest = await collectGarbage(stores, { layers: mysql.chainIds, blobs: [mysql.id, ...mysql.layerBlobs.map((b) => b.digest)] });
    expect([...rest.layers]).toEqual([...mysql.chainIds].reverse());
    expect(await stores.layers.list()).toEqual([]);
    expect(await stores.content.list()).toEqual([]);
  });

  it('grants no lease while it decides what to remove', async () => {
    const mysql = await image('mysql', ['debian', 'mysql']);
    await fs.rm(path.join(root, 'images', `${mysql.id.slice(7)}.json`));
    const gc = collectGarbage(stores);
    // asked for while the collection runs: granted only once the layers are out of their names
    const lease = await stores.leases.acquire({ layers: mysql.chainIds });
    expect(existsSync(stores.layers.layerDir(mysql.chainIds[0] as string))).toBe(false);
    expect(existsSync(stores.layers.layerDir(mysql.chainIds[1] as string))).toBe(false);
    expect((await gc).layers).toHaveLength(2);
    lease.release();
    expect(await fs.readdir(path.join(root, 'layers'))).toEqual([]);
  });

  it('spares what a lease holds', async () => {
    const mysql = await image('mysql', ['debian', 'mysql']);
    await fs.rm(path.join(root, 'images', `${mysql.id.slice(7)}.json`));
    const lease = await stores.leases.acquire({ layers: [mysql.chainIds[0] as string], blobs: [sha256('blob debian')] });
    const removed = await collectGarbage(stores);
    expect([...removed.layers]).toEqual([mysql.chainIds[1]]);
    expect(await stores.layers.has(mysql.chainIds[0] as string)).toBe(true);
    expect(await stores.content.has(sha256('blob debian'))).toBe(true);
    lease.release();
    lease.release(); // twice is harmless
    await collectGarbage(stores);
    expect(await stores.layers.list()).toEqual([]);
    expect(await stores.content.list()).toEqual([]);
  });
});
