/**
 * `image load`: a `docker save` archive or an OCI image layout tar into the store.
 *
 * The archive is spooled member by member into `<root>/content/ingest/load-…/` (removed at the
 * end; a crashed load's spool is cleared by the content store's start-up clean-up), its
 * metadata read and checked (docker-save.ts, oci-layout.ts) before any layer is touched, then
 * each layer not on disk yet is unpacked once per chain ID through the layer store (its diff ID
 * checked against the config) while its blob is teed into the content store, as a pull does.
 * A layer already on disk (pulled, or loaded before) is shared: its image record points at the
 * blob the layer was made from. Only when every layer is in place are the configs, records and
 * tags written; a tag that names another image moves to the loaded one (the old image stays,
 * untagged), as `docker load` does. On failure nothing is recorded, and what this load made
 * that no image uses is removed.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import type { ImageInfo, Platform } from '../../../engine';
import type { ExtractLayer } from '../pull';
import { chainIds } from '../store/chain-id';
import { collectGarbage, type GarbageStores } from '../store/collect-garbage';
import { DigestMismatchError } from '../store/content-store';
import { forEachLimited } from '../store/for-each-limited';
import type { BlobRef, ImageRecord } from '../store/image-store';
import type { Lease } from '../store/leases';
import { tee } from '../store/tee';
import { detectCompression } from '../unpack/decompress';
import { archiveError, inArchive } from './archive-error';
import type { ArchiveImage } from './archive-image';
import { DOCKER_MANIFEST, readDockerSave } from './docker-save';
import { measureLayer } from './layer-tar';
import { OCI_INDEX, readOciLayout } from './oci-layout';
import { spoolArchive, type SpooledArchive, type SpooledFile } from './spool-archive';

export interface LoadDeps {
  readonly stores: GarbageStores;
  readonly extractLayer: ExtractLayer;
  /** The host's platform: picks the manifest of an index, and the OS images must have. */
  readonly platform: Platform;
  /** Layers unpacked at once (default 3). */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
}

interface LayerJob {
  readonly chainId: string;
  readonly parent?: string;
  readonly diffId: string;
  readonly file: SpooledFile;
  /** `image archive member "…" (layer 2 of manifest.json image 1 (busybox:latest))` */
  readonly what: string;
}

const DEFAULT_CONCURRENCY = 3;
/** How often a running load marks its spool directory as alive (the ingest clean-up spares fresh entries). */
const KEEP_ALIVE_MS = 60_000;

/** Loads every image of the archive `tar`; returns them in the archive's order (once each). */
export async function loadArchive(deps: LoadDeps, tar: NodeJS.ReadableStream): Promise<ImageInfo[]> {
  const ingest = path.join(deps.stores.content.dir, 'ingest');
  await fs.mkdir(ingest, { recursive: true });
  const spoolDir = path.join(ingest, `load-${randomBytes(6).toString('hex')}`);
  const keepAlive = setInterval(() => {
    const now = new Date();
    fs.utimes(spoolDir, now, now).catch(() => undefined);
  }, KEEP_ALIVE_MS);
  keepAlive.unref();
  try {
    const archive = await spoolArchive(tar, spoolDir, deps.signal ? { signal: deps.signal } : {});
    let images: ArchiveImage[];
    if (archive.find(DOCKER_MANIFEST) !== undefined) images = await readDockerSave(archive);
    else if (archive.find(OCI_INDEX) !== undefined) images = await readOciLayout(archive, deps.platform);
    else throw archiveError(`it has neither ${DOCKER_MANIFEST} (docker save) nor ${OCI_INDEX} (OCI image layout)`);
    return await storeImages(deps, archive, images);
  } finally {
    clearInterval(keepAlive);
    await fs.rm(spoolDir, { recursive: true, force: true });
  }
}

async function storeImages(deps: LoadDeps, archive: SpooledArchive, images: readonly ArchiveImage[]): Promise<ImageInfo[]> {
  const { stores } = deps;
  for (const image of images) {
    if (image.parsed.platform.os !== deps.platform.os) {
      throw archiveError(`${image.what} is a ${image.parsed.platform.os} image; this engine runs ${deps.platform.os} images`);
    }
  }
  const chainsOf = new Map<ArchiveImage, string[]>();
  const jobs = new Map<string, LayerJob>();
  for (const image of images) {
    const chains = chainIds(image.parsed.diffIds);
    chainsOf.set(image, chains);
    chains.forEach((chainId, i) => {
      if (jobs.has(chainId)) return;
      const file = image.layers[i] as SpooledFile;
      jobs.set(chainId, {
        chainId,
        ...(i > 0 ? { parent: chains[i - 1] as string } : {}),
        diffId: image.parsed.diffIds[i] as string,
        file,
        what: `image archive member ${JSON.stringify(file.name)} (layer ${i + 1} of ${image.what})`,
      });
    });
  }
  const blobs = unique([
    ...images.map((i) => i.id),
    ...images.flatMap((i) => (i.manifest ? [i.manifest.digest] : [])),
    ...[...jobs.values()].map((j) => j.file.digest),
  ]);
  const layers = [...jobs.keys()];
  const lease = await stores.leases.acquire({ layers, blobs });
  const extraLeases: Lease[] = [];
  const extraBlobs: string[] = [];
  const leaseBlob = async (digest: string): Promise<void> => {
    extraBlobs.push(digest);
    extraLeases.push(await stores.leases.acquire({ blobs: [digest] }));
  };
  const created: string[] = [];
  let recorded = false;
  try {
    const layerBlobs = new Map<string, BlobRef>();
    const local = new AbortController();
    await forEachLimited([...jobs.values()], deps.concurrency ?? DEFAULT_CONCURRENCY, deps.signal ?? local.signal, async (job, signal) => {
      try {
        layerBlobs.set(job.chainId, await loadLayer(deps, archive, job, signal, leaseBlob));
      } catch (err) {
        throw inArchive(err, job.what);
      }
    });

    const groups = new Map<string, ArchiveImage[]>();
    for (const image of images) groups.set(image.id, [...(groups.get(image.id) ?? []), image]);
    const records = new Map<string, ImageRecord>();
    for (const [id, group] of groups) {
      const first = group[0] as ArchiveImage;
      await stores.content.put(id, first.configBytes);
      const manifests: BlobRef[] = [];
      for (const { manifest } of group) {
        if (manifest === undefined || manifests.some((m) => m.digest === manifest.digest)) continue;
        await stores.content.put(manifest.digest, manifest.bytes);
        manifests.push({ digest: manifest.digest, size: manifest.bytes.length, mediaType: manifest.mediaType });
      }
      const existing = await stores.images.get(id);
      if (existing) {
        const added = manifests.filter((m) => !existing.manifests.some((e) => e.digest === m.digest));
        const record = added.length > 0 ? { ...existing, manifests: [...existing.manifests, ...added] } : existing;
        if (added.length > 0) await stores.images.put(record);
        records.set(id, record);
        continue;
      }
      const chains = chainsOf.get(first) as string[];
      const layerRefs = chains.map((c) => layerBlobs.get(c) as BlobRef);
      const record: ImageRecord = {
        id,
        configMediaType: first.configMediaType,
        platform: first.parsed.platform,
        ...(first.parsed.created !== undefined ? { created: first.parsed.created } : {}),
        config: first.parsed.config,
        diffIds: first.parsed.diffIds,
        chainIds: chains,
        layerBlobs: layerRefs,
        manifests,
        size: layerRefs.reduce((sum, b) => sum + b.size, 0),
      };
      await stores.images.put(record);
      created.push(id);
      records.set(id, record);
    }
    for (const image of images) {
      if (image.tags.length > 0) await stores.images.addReferences(image.id, image.tags);
    }
    recorded = true;
    const index = await stores.images.references();
    return [...records.values()].map((record) => stores.images.info(record, index));
  } finally {
    if (!recorded) {
      for (const id of created) await stores.images.remove(id, { force: true }).catch(() => undefined);
    }
    lease.release();
    for (const l of extraLeases) l.release();
    if (!recorded) await collectGarbage(stores, { layers, blobs: [...blobs, ...extraBlobs] }).catch(() => undefined);
  }
}

/**
 * One layer in place: unpacked from its member (teed into the content store) unless its chain
 * ID is on disk. Returns the blob the image record points at for it.
 */
async function loadLayer(
  deps: LoadDeps,
  archive: SpooledArchive,
  job: LayerJob,
  signal: AbortSignal,
  leaseBlob: (digest: string) => Promise<void>,
): Promise<BlobRef> {
  const { content, layers } = deps.stores;
  const { file } = job;
  const ours: BlobRef = { digest: file.digest, size: file.size, mediaType: await layerMediaType(file) };
  const { meta } = await layers.ensure(
    {
      chainId: job.chainId,
      diffId: job.diffId,
      ...(job.parent !== undefined ? { parent: job.parent } : {}),
      compressedDigest: file.digest,
      compressedSize: file.size,
      unpack: (target, unpackSignal) =>
        tee(archive.open(file), new PassThrough({ highWaterMark: 1 << 20 }), unpackSignal, (toStore, toExtract, teeSignal) => [
          content.ingestStream(file.digest, toStore, { size: file.size, signal: teeSignal }).then(() => undefined),
          deps.extractLayer(toExtract, target, { signal: teeSignal }),
        ]),
    },
    signal,
  );
  if (await content.has(file.digest)) return ours;
  // The layer was on disk already: share the blob it was made from while the store has it …
  const source = meta.compressedDigest;
  if (source !== undefined && source !== file.digest) {
    await leaseBlob(source);
    if (await content.has(source)) return { digest: source, size: meta.compressedSize ?? (await content.size(source)) };
  }
  // … else keep ours, once it is shown to be this layer.
  const measured = await tee(archive.open(file), new PassThrough({ highWaterMark: 1 << 20 }), signal, (toStore, toMeasure, teeSignal) => [
    content.ingestStream(file.digest, toStore, { size: file.size, signal: teeSignal }).then(() => undefined),
    measureLayer(toMeasure),
  ]);
  if (measured.diffId !== job.diffId) throw new DigestMismatchError(job.diffId, measured.diffId, 'the uncompressed layer (its diff ID)');
  return ours;
}

/** The OCI media type of a layer blob, from its first bytes. */
async function layerMediaType(file: SpooledFile): Promise<string> {
  const handle = await fs.open(file.path, 'r');
  try {
    const head = Buffer.alloc(6);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const compression = detectCompression(head.subarray(0, bytesRead));
    return `application/vnd.oci.image.layer.v1.tar${compression === 'none' ? '' : `+${compression}`}`;
  } catch {
    return 'application/vnd.oci.image.layer.v1.tar';
  } finally {
    await handle.close();
  }
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
