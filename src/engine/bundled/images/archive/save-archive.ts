/**
 * `image save`: images into a `docker save` archive.
 *
 * Layout: the one Docker ≥ 25 writes — an OCI image layout that also has Docker's manifest.json:
 *
 *     blobs/sha256/<diff ID hex>     each layer once, as the uncompressed tar its diff ID names
 *     blobs/sha256/<config hex>      each image config, byte for byte as stored (so the ID is kept)
 *     blobs/sha256/<manifest hex>    an OCI manifest per image (layers as uncompressed tars)
 *     index.json                     one entry per tag (io.containerd.image.name + ref.name)
 *     manifest.json                  [{"Config": "blobs/sha256/…", "RepoTags": […], "Layers": ["blobs/sha256/…"]}]
 *     oci-layout, repositories
 *
 * Why this one: `docker load` of Debian 12's docker.io (20.10) reads only manifest.json and
 * opens whatever paths it gives, inside the archive (checked by test/integration/images/
 * archive-docker.test.ts against a real dockerd); Docker ≥ 25, containerd, podman and skopeo
 * read it as an OCI layout too; and our own loader reads manifest.json first. The legacy
 * `<v1 id>/layer.tar` layout would need v1 layer IDs, which nothing has computed since Docker 1.10.
 *
 * Layers are the stored blobs decompressed on the fly and checked as they stream (size and diff
 * ID), so a save holds no layer in memory and never writes a layer that would not load. All
 * images are resolved and their blobs found before the first byte is written; an error after
 * that destroys `out` with the error (the output is incomplete: the caller discards it).
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ImageRef } from '../../../engine';
import { InvalidArgumentError, ObjectNotFoundError } from '../../../errors';
import { parseReference } from '../../../image-reference';
import type { GarbageStores } from '../store/collect-garbage';
import { repositoryOf, shortId, type BlobRef, type ImageRecord, type ImageRecordStore } from '../store/image-store';
import { dockerRepositories, dockerSaveManifest, DOCKER_MANIFEST, DOCKER_REPOSITORIES } from './docker-save';
import { layerTar, measureLayer } from './layer-tar';
import { OCI_INDEX, OCI_LAYOUT, ociIndex, ociLayoutFile, ociManifest } from './oci-layout';
import { TAR_END, tarFile, tarHeader, tarPadding } from '../../tar/tar-writer';

export interface SaveDeps {
  readonly stores: GarbageStores;
}

interface SaveImage {
  readonly record: ImageRecord;
  readonly tags: ImageRef[];
}

interface SaveLayer {
  readonly diffId: string;
  readonly blob: BlobRef;
  readonly size: number;
  readonly what: string;
}

/** Writes the images `refs` name (tags, digests, IDs; a bare repository name means all its tags) to `out` and ends it. */
export async function saveArchive(deps: SaveDeps, refs: readonly string[], out: NodeJS.WritableStream): Promise<void> {
  const { stores } = deps;
  if (refs.length === 0) throw new InvalidArgumentError('image save: name at least one image');
  const targets = new Map<string, SaveImage>();
  for (const input of refs) {
    for (const found of await resolveTargets(stores.images, input)) {
      const seen = targets.get(found.record.id);
      if (!seen) targets.set(found.record.id, { record: found.record, tags: [...found.tags] });
      else for (const tag of found.tags) if (!seen.tags.some((t) => t.canonical === tag.canonical)) seen.tags.push(tag);
    }
  }
  const images = [...targets.values()];
  const lease = await stores.leases.acquire({
    layers: images.flatMap((i) => i.record.chainIds),
    blobs: images.flatMap((i) => [i.record.id, ...i.record.layerBlobs.map((b) => b.digest)]),
  });
  try {
    const layers = new Map<string, SaveLayer>();
    const configs = new Map<string, Buffer>();
    for (const { record } of images) {
      const name = `image ${shortId(record.id)}`;
      if (record.layerBlobs.length !== record.diffIds.length) {
        throw new ObjectNotFoundError(`cannot save ${name}: its record has ${record.layerBlobs.length} layer blobs for ${record.diffIds.length} layers`);
      }
      configs.set(record.id, await stores.content.read(record.id));
      for (const [i, diffId] of record.diffIds.entries()) {
        if (layers.has(diffId)) continue;
        const blob = record.layerBlobs[i] as BlobRef;
        const what = `layer ${i + 1} of ${name} (blob ${blob.digest})`;
        if (!(await stores.content.has(blob.digest))) throw new ObjectNotFoundError(`cannot save ${name}: ${what} is not in the content store`);
        const meta = await stores.layers.get(record.chainIds[i] as string);
        const size = meta?.diffId === diffId ? meta.size : (await measureLayer(await stores.content.open(blob.digest))).size;
        layers.set(diffId, { diffId, blob, size, what });
      }
    }

    const blobPath = (digest: string): string => `blobs/sha256/${digest.replace(/^sha256:/, '')}`;
    const manifests = images.map(({ record }) => {
      const config = configs.get(record.id) as Buffer;
      const bytes = ociManifest(
        { digest: record.id, size: config.length },
        record.diffIds.map((d) => ({ digest: d, size: (layers.get(d) as SaveLayer).size })),
      );
      return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length, bytes };
    });
    const index = ociIndex(images.map((image, i) => ({ manifest: manifests[i] as { digest: string; size: number }, tags: image.tags })));
    const manifestJson = dockerSaveManifest(
      images.map(({ record, tags }) => ({ config: blobPath(record.id), tags, layers: record.diffIds.map(blobPath) })),
    );
    const repositories = dockerRepositories(
      images.map(({ record, tags }) => ({ tags, top: (record.diffIds[record.diffIds.length - 1] ?? record.id).replace(/^sha256:/, '') })),
    );

    async function* archive(): AsyncGenerator<Buffer> {
      yield tarHeader({ name: 'blobs', type: 'dir' });
      yield tarHeader({ name: 'blobs/sha256', type: 'dir' });
      const written = new Set<string>();
      for (const layer of layers.values()) {
        const name = blobPath(layer.diffId);
        written.add(name);
        yield tarHeader({ name, type: 'file', size: layer.size });
        yield* layerTar(await stores.content.open(layer.blob.digest), { diffId: layer.diffId, size: layer.size }, layer.what);
        yield tarPadding(layer.size);
      }
      const small: Array<[string, Buffer]> = [
        ...[...configs].map(([id, bytes]): [string, Buffer] => [blobPath(id), bytes]),
        ...manifests.map((m): [string, Buffer] => [blobPath(m.digest), m.bytes]),
      ];
      for (const [name, bytes] of small) {
        if (written.has(name)) continue;
        written.add(name);
        yield tarFile(name, bytes);
      }
      yield tarFile(OCI_INDEX, index);
      yield tarFile(DOCKER_MANIFEST, manifestJson);
      yield tarFile(OCI_LAYOUT, ociLayoutFile());
      yield tarFile(DOCKER_REPOSITORIES, repositories);
      yield TAR_END;
    }
    await pipeline(Readable.from(archive(), { objectMode: false, highWaterMark: 1 << 20 }), out);
  } finally {
    lease.release();
  }
}

/**
 * The images one argument names, with the tags to write for them, as `docker save` reads its
 * arguments: a tag → that image with that tag; a repository name without tag → every tagged
 * image of the repository (when it has none, the name is tried as below); a digest reference or
 * an image ID (full or a unique prefix) → the image, without tags.
 */
async function resolveTargets(images: ImageRecordStore, input: string): Promise<SaveImage[]> {
  const bare = bareRepository(input);
  if (bare !== undefined) {
    const repository = `${bare.domain}/${bare.path}`;
    const byId = new Map<string, ImageRef[]>();
    for (const [canonical, entry] of Object.entries(await images.references())) {
      if (canonical.includes('@') || repositoryOf(canonical) !== repository) continue;
      byId.set(entry.id, [...(byId.get(entry.id) ?? []), parseReference(canonical)]);
    }
    const out: SaveImage[] = [];
    for (const [id, tags] of byId) {
      const record = await images.get(id);
      if (record) out.push({ record, tags });
    }
    if (out.length > 0) return out;
  }
  const { record, reference } = await images.resolve(input);
  return [{ record, tags: reference !== undefined && !reference.includes('@') ? [parseReference(reference)] : [] }];
}

/** The reference `input` is when it is a repository name with neither tag nor digest. */
function bareRepository(input: string): ImageRef | undefined {
  if (input.includes('@')) return undefined;
  const slash = input.lastIndexOf('/');
  if (input.indexOf(':', slash + 1) !== -1) return undefined;
  try {
    return parseReference(input);
  } catch {
    return undefined;
  }
}
