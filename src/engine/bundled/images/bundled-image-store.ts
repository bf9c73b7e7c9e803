/**
 * The bundled engine's ImageStore: pull, inspect, list and remove on top of the content
 * store, the layer store and the image records under one engine root.
 */
import type { ImageInfo, ImageStore, Platform, PullOptions, RemovedImage } from '../../engine';
import { ObjectConflictError } from '../../errors';
import { loadArchive } from './archive/load-archive';
import { saveArchive } from './archive/save-archive';
import { InflightPulls, pullImage, type ExtractLayer, type PullRegistry } from './pull';
import { collectGarbage, type GarbageCollected } from './store/collect-garbage';
import { ContentStore } from './store/content-store';
import { ImageRecordStore } from './store/image-store';
import { LayerStore } from './store/layer-store';
import { Leases } from './store/leases';

export interface BundledImageStoreOptions {
  /** The engine root (`TSCOMPOSE_ROOT`). */
  readonly root: string;
  readonly registry: PullRegistry;
  readonly extractLayer: ExtractLayer;
  /** The platform pulled when a pull names none (the host's: registry/platform.ts hostPlatform()). */
  readonly platform: Platform;
  /** Layers pulled at once (default 3). */
  readonly concurrency?: number;
  /** Unpack while downloading (default true). */
  readonly streaming?: boolean;
  /** Flush each unpacked layer to disk before it is put in place (default true; syncfs, see store/sync-filesystem.ts). */
  readonly durableLayers?: boolean;
  /** Names of the containers made from an image (by ID): such an image is never deleted. */
  readonly usedBy?: (imageId: string) => readonly string[];
}

export class BundledImageStore implements ImageStore {
  readonly content: ContentStore;
  readonly layers: LayerStore;
  readonly images: ImageRecordStore;
  private readonly leases = new Leases();
  private readonly inflight = new InflightPulls();
  private ready: Promise<void> | undefined;

  constructor(private readonly options: BundledImageStoreOptions) {
    this.content = new ContentStore(options.root);
    this.layers = new LayerStore(options.root, options.durableLayers === false ? null : undefined);
    this.images = new ImageRecordStore(options.root);
  }

  /** Creates the directories and clears what a crashed process left half-written (done once, lazily). */
  init(): Promise<void> {
    this.ready ??= (async () => {
      await this.content.init();
      await this.layers.init();
      await this.images.init();
    })();
    return this.ready;
  }

  async pullImage(ref: string, options: PullOptions = {}): Promise<ImageInfo> {
    await this.init();
    return pullImage(
      {
        registry: this.options.registry,
        extractLayer: this.options.extractLayer,
        stores: this.stores(),
        platform: this.options.platform,
        ...(this.options.concurrency !== undefined ? { concurrency: this.options.concurrency } : {}),
        ...(this.options.streaming !== undefined ? { streaming: this.options.streaming } : {}),
        inflight: this.inflight,
      },
      ref,
      options,
    );
  }

  async inspectImage(ref: string): Promise<ImageInfo> {
    await this.init();
    const { record } = await this.images.resolve(ref);
    return this.images.info(record, await this.images.references());
  }

  async listImages(): Promise<ImageInfo[]> {
    await this.init();
    const index = await this.images.references();
    const records = await this.images.list();
    return records
      .map((record) => this.images.info(record, index))
      .sort((a, b) => (b.created ?? '').localeCompare(a.created ?? '') || a.id.localeCompare(b.id));
  }

  async removeImage(ref: string, options: { readonly force?: boolean } = {}): Promise<RemovedImage> {
    await this.init();
    // Docker: removing the last reference of an image a container uses needs force, and even
    // then only untags it (the image stays, dangling, until no container uses it).
    const { untagged, deleted: record } = await this.images.remove(ref, {
      ...options,
      decide: (image, wouldDelete) => {
        const users = this.options.usedBy?.(image.id) ?? [];
        if (users.length === 0) return 'delete';
        if (wouldDelete && options.force !== true) {
          throw new ObjectConflictError(`unable to remove image ${ref} (must force): container ${users[0]} is using it`);
        }
        return 'keep';
      },
    });
    if (record === undefined) return { untagged, deleted: [] };
    const collected = await collectGarbage(this.stores(), {
      layers: record.chainIds,
      blobs: [record.id, ...record.layerBlobs.map((b) => b.digest), ...record.manifests.map((m) => m.digest)],
    });
    const layers = [...record.chainIds].reverse().filter((chainId) => collected.layers.includes(chainId));
    return { untagged, deleted: [record.id, ...layers] };
  }

  /** Removes every layer and blob no image uses (also those a crashed process left). */
  async prune(): Promise<GarbageCollected> {
    await this.init();
    return collectGarbage(this.stores());
  }

  /**
   * `docker load`: the images of a `docker save` archive (Docker < 25 or ≥ 25 layout) or of an
   * OCI image layout tar (plain, gzip or zstd), stored as pulls store them; see archive/load-archive.ts.
   * Bad archives fail with an InvalidArgumentError naming the member at fault, leaving nothing behind.
   */
  async loadImages(tar: NodeJS.ReadableStream): Promise<ImageInfo[]> {
    await this.init();
    return loadArchive(
      {
        stores: this.stores(),
        extractLayer: this.options.extractLayer,
        platform: this.options.platform,
        ...(this.options.concurrency !== undefined ? { concurrency: this.options.concurrency } : {}),
      },
      tar,
    );
  }

  /**
   * `docker save`: writes the images to `out` (and ends it) in Docker ≥ 25's layout, which
   * `docker load` 20.10 and later read; see archive/save-archive.ts. Unknown images fail before
   * anything is written; a later failure destroys `out`.
   */
  async saveImages(refs: readonly string[], out: NodeJS.WritableStream): Promise<void> {
    await this.init();
    return saveArchive({ stores: this.stores() }, refs, out);
  }

  private stores(): { content: ContentStore; layers: LayerStore; images: ImageRecordStore; leases: Leases } {
    return { content: this.content, layers: this.layers, images: this.images, leases: this.leases };
  }
}
