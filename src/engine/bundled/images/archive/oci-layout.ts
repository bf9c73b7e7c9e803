/**
 * The OCI image layout (image-spec image-layout.md): `oci-layout`
 * (`{"imageLayoutVersion": "1.0.0"}`), `index.json` (an image index) and every blob under
 * `blobs/<alg>/<hex>`.
 *
 * Reading: each entry of index.json that is an image manifest is an image; an entry that is an
 * index (or a Docker manifest list) gives the manifest for the host's platform. Entries of
 * other media types (artifacts, attestations) are skipped. Tags come from the entry's
 * annotations: `io.containerd.image.name` (a full reference, as containerd and Docker ≥ 25
 * write it) when present, else `org.opencontainers.image.ref.name`, read as an image reference
 * the way Docker reads one (`busybox:1.36` → docker.io/library/busybox:1.36, and a bare
 * `busybox-latest` → busybox-latest:latest). A name that is no valid reference, or one pinned by
 * digest, gives no tag (the image is still loaded). Every descriptor's blob must be in the
 * archive with the size it announces (its digest was checked against its name when spooled).
 */
import type { ImageRef, Platform } from '../../../engine';
import { parseReference } from '../../../image-reference';
import { formatPlatform, matchPlatform } from '../registry/platform';
import { MediaType, parseManifest, type Descriptor, type ParsedManifest } from '../registry/manifest';
import { parseImageConfig, type ParsedImageConfig } from '../store/image-config';
import { messageOf } from '../unpack/layer-error';
import { archiveError } from './archive-error';
import type { ArchiveImage } from './archive-image';
import type { SpooledArchive, SpooledFile } from './spool-archive';

export const OCI_LAYOUT = 'oci-layout';
export const OCI_INDEX = 'index.json';
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
export const ANNOTATION_IMAGE_NAME = 'io.containerd.image.name';

const MANIFEST_TYPES = new Set<string>([MediaType.ociManifest, MediaType.dockerManifest]);
const INDEX_TYPES = new Set<string>([MediaType.ociIndex, MediaType.dockerManifestList]);
/** Indexes nested deeper than this are refused (a loop of indexes would never end). */
const MAX_INDEX_DEPTH = 4;

/** The images of an OCI image layout archive, in index.json's order. */
export async function readOciLayout(archive: SpooledArchive, platform: Platform): Promise<ArchiveImage[]> {
  const layout = archive.find(OCI_LAYOUT);
  if (layout === undefined) throw archiveError(`it has ${OCI_INDEX} but no ${OCI_LAYOUT} file (and no manifest.json): neither an OCI image layout nor a docker save archive`);
  const { json: layoutJson } = await archive.readJson(layout);
  const version = isObject(layoutJson) ? layoutJson.imageLayoutVersion : undefined;
  if (typeof version !== 'string' || !/^1\./.test(version)) {
    throw archiveError(`unsupported imageLayoutVersion ${JSON.stringify(version)} (expected 1.x)`, OCI_LAYOUT);
  }
  const indexFile = archive.find(OCI_INDEX);
  if (indexFile === undefined) throw archiveError(`${OCI_INDEX} is missing`);
  const index = parse(await archive.read(indexFile), indexFile);
  if (index.kind !== 'index') throw archiveError('not an image index', OCI_INDEX);

  const images: ArchiveImage[] = [];
  for (const [i, entry] of index.manifests.entries()) {
    const name = entry.annotations?.[ANNOTATION_IMAGE_NAME] ?? entry.annotations?.[ANNOTATION_REF_NAME];
    const label = `${OCI_INDEX} manifests[${i}]${name !== undefined ? ` (${name})` : ''}`;
    const found = await imageManifest(archive, entry, OCI_INDEX, label, platform, 0);
    if (found === undefined) continue;
    const { manifest, file, desc } = found;
    const configFile = blob(archive, manifest.config, file.name, `${label}: the config`);
    const configBytes = await archive.read(configFile);
    let parsed: ParsedImageConfig;
    try {
      parsed = parseImageConfig(configBytes);
    } catch (err) {
      throw archiveError(`${messageOf(err)} (the config of ${label})`, configFile.name, { cause: err });
    }
    const layers = manifest.layers.map((d, j) => blob(archive, d, file.name, `${label}: layer ${j + 1}`));
    if (layers.length !== parsed.diffIds.length) {
      throw archiveError(`${label}: the manifest lists ${layers.length} layers but the config has ${parsed.diffIds.length} diff IDs`, file.name);
    }
    images.push({
      what: label,
      id: configFile.digest,
      configBytes,
      configMediaType: manifest.config.mediaType,
      parsed,
      layers,
      tags: tagsOf(entry),
      manifest: { digest: desc.digest, mediaType: manifest.mediaType, bytes: await archive.read(file) },
    });
  }
  if (images.length === 0) throw archiveError('it lists no image manifests', OCI_INDEX);
  return images;
}

type Manifest = Extract<ParsedManifest, { kind: 'manifest' }>;

/** The image manifest an index entry leads to (through indexes, by platform); undefined for other media types. */
async function imageManifest(
  archive: SpooledArchive,
  desc: Descriptor,
  referrer: string,
  label: string,
  platform: Platform,
  depth: number,
): Promise<{ manifest: Manifest; file: SpooledFile; desc: Descriptor } | undefined> {
  if (!MANIFEST_TYPES.has(desc.mediaType) && !INDEX_TYPES.has(desc.mediaType)) return undefined;
  const file = blob(archive, desc, referrer, `${label}: the manifest`);
  const parsed = parse(await archive.read(file), file, desc.mediaType);
  if (parsed.kind === 'manifest') return { manifest: parsed, file, desc };
  if (depth >= MAX_INDEX_DEPTH) throw archiveError(`${label}: indexes nested more than ${MAX_INDEX_DEPTH} deep`, file.name);
  const chosen = matchPlatform(parsed.manifests, platform);
  if (chosen === undefined) {
    const offered = parsed.manifests.flatMap((m) => (m.platform ? [formatPlatform(m.platform)] : []));
    throw archiveError(
      `${label}: no image for ${formatPlatform(platform)} in the index (it has ${offered.length > 0 ? offered.join(', ') : 'no platform images'})`,
      file.name,
    );
  }
  return imageManifest(archive, chosen, file.name, label, platform, depth + 1);
}

/** The spooled blob a descriptor names, with the size it announces. */
function blob(archive: SpooledArchive, desc: Descriptor, referrer: string, what: string): SpooledFile {
  const m = /^sha256:([0-9a-f]{64})$/.exec(desc.digest);
  if (!m) throw archiveError(`${what} has the digest ${JSON.stringify(desc.digest)}; only sha256 blobs are supported`, referrer);
  const name = `blobs/sha256/${m[1]}`;
  const file = archive.find(name);
  if (file === undefined) throw archiveError(`${what} ${desc.digest} is not in the archive (no ${name})`, referrer);
  if (file.size !== desc.size) throw archiveError(`size mismatch: ${what} should be ${desc.size} bytes but is ${file.size}`, name);
  return file;
}

function parse(bytes: Buffer, file: SpooledFile, mediaType?: string): ParsedManifest {
  try {
    return parseManifest(bytes, mediaType);
  } catch (err) {
    throw archiveError(messageOf(err), file.name, { cause: err });
  }
}

/** The tag an index entry's annotations give, if any (see the file comment). */
export function tagsOf(desc: Descriptor): ImageRef[] {
  const name = desc.annotations?.[ANNOTATION_IMAGE_NAME] ?? desc.annotations?.[ANNOTATION_REF_NAME];
  if (name === undefined) return [];
  try {
    const ref = parseReference(name);
    return ref.digest === undefined && ref.tag !== undefined ? [ref] : [];
  } catch {
    return [];
  }
}

/** The `oci-layout` file. */
export function ociLayoutFile(): Buffer {
  return Buffer.from('{"imageLayoutVersion":"1.0.0"}');
}

export interface BlobDescriptor {
  readonly digest: string;
  readonly size: number;
}

/** An OCI image manifest for an image whose layers are uncompressed tars. */
export function ociManifest(config: BlobDescriptor, layers: readonly BlobDescriptor[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: config.digest, size: config.size },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: l.digest, size: l.size })),
    }),
  );
}

/**
 * index.json: one entry per tag, annotated as Docker ≥ 25 does (`io.containerd.image.name` the
 * full name, `org.opencontainers.image.ref.name` the tag); an untagged image gets one entry
 * without annotations.
 */
export function ociIndex(images: ReadonlyArray<{ readonly manifest: BlobDescriptor; readonly tags: readonly ImageRef[] }>): Buffer {
  const manifests: object[] = [];
  for (const image of images) {
    const base = { mediaType: MediaType.ociManifest, digest: image.manifest.digest, size: image.manifest.size };
    if (image.tags.length === 0) manifests.push(base);
    for (const tag of image.tags) {
      manifests.push({ ...base, annotations: { [ANNOTATION_IMAGE_NAME]: tag.canonical, [ANNOTATION_REF_NAME]: tag.tag ?? 'latest' } });
    }
  }
  return Buffer.from(`${JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests })}\n`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
