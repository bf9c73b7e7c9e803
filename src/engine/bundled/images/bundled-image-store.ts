/**
 * The bundled engine's ImageStore: pull, inspect, list and remove on top of the content
 * store, the layer store and the image records under one engine root.
 */
import type { ImageInfo, ImageStore, Platform, PullOptions, RemovedImage } from '../../engine';
import { EngineError } from '../../errors';
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
    const { untagged, deleted: record } = await this.images.remove(ref, options);
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

  loadImages(_tar: NodeJS.ReadableStream): Promise<ImageInfo[]> {
    return Promise.reject(new EngineError('not implemented yet: image load'));
  }

  saveImages(_refs: readonly string[], _out: NodeJS.WritableStream): Promise<void> {
    return Promise.reject(new EngineError('not implemented yet: image save'));
  }

  private stores(): { content: ContentStore; layers: LayerStore; images: ImageRecordStore; leases: Leases } {
    return { content: this.content, layers: this.layers, images: this.images, leases: this.leases };
  }
}
