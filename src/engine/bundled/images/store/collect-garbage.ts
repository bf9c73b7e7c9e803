/**
 * Garbage collection: removes the layers and blobs no image record and no lease refers to.
 * Deciding and detaching (a rename out of the layer's name, an unlink) happen while no lease
 * is granted; the slow deletion of detached layer directories happens after.
 */
import type { ContentStore } from './content-store';
import type { ImageRecordStore } from './image-store';
import type { LayerStore } from './layer-store';
import type { Leases } from './leases';

export interface GarbageStores {
  readonly content: ContentStore;
  readonly layers: LayerStore;
  readonly images: ImageRecordStore;
  readonly leases: Leases;
}

export interface GarbageCollected {
  readonly layers: readonly string[];
  readonly blobs: readonly string[];
}

/**
 * Removes unreferenced layers and blobs: all of them, or only the `candidates` given (what a
 * removed image or a failed pull used), which spares a scan of the whole store.
 */
export async function collectGarbage(
  stores: GarbageStores,
  candidates?: { readonly layers: readonly string[]; readonly blobs: readonly string[] },
): Promise<GarbageCollected> {
  const removedLayers: string[] = [];
  const removedBlobs: string[] = [];
  const detached: string[] = [];
  await stores.leases.exclusive(async (leased) => {
    // leases first, then records: a pull records its image before it releases its lease
    const liveLayers = new Set(leased.layers);
    const liveBlobs = new Set(leased.blobs);
    for (const record of await stores.images.list()) {
      for (const chain of record.chainIds) liveLayers.add(chain);
      liveBlobs.add(record.id);
      for (const blob of record.layerBlobs) liveBlobs.add(blob.digest);
      for (const manifest of record.manifests) liveBlobs.add(manifest.digest);
    }
    const layers = candidates?.layers ?? (await stores.layers.list());
    const blobs = candidates?.blobs ?? (await stores.content.list());
    // top layers first: a layer is never left without the ones below it
    for (const chain of [...new Set(layers)].reverse()) {
      if (liveLayers.has(chain)) continue;
      const gone = await stores.layers.detach(chain);
      if (gone === undefined) continue;
      detached.push(gone);
      removedLayers.push(chain);
    }
    for (const digest of new Set(blobs)) {
      if (!liveBlobs.has(digest) && (await stores.content.delete(digest))) removedBlobs.push(digest);
    }
  });
  for (const dir of detached) await stores.layers.purge(dir);
  return { layers: removedLayers, blobs: removedBlobs };
}
