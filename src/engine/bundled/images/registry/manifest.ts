/**
 * Manifests and indexes, Docker's and OCI's: media types, the Accept header
 * that asks for all four, and a parser that checks the shape of what a
 * registry sent before anything relies on it.
 */
import type { Platform } from '../../../engine';
import { digestProblem } from '../../../image-reference';

export const MediaType = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
} as const;

/** What we ask registries for, best first. */
export const MANIFEST_ACCEPT = [
  MediaType.ociIndex,
  MediaType.dockerManifestList,
  MediaType.ociManifest,
  MediaType.dockerManifest,
].join(', ');

const INDEX_TYPES = new Set<string>([MediaType.ociIndex, MediaType.dockerManifestList]);
const MANIFEST_TYPES = new Set<string>([MediaType.ociManifest, MediaType.dockerManifest]);
export const CONFIG_TYPES = new Set<string>([MediaType.dockerConfig, MediaType.ociConfig]);

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly urls?: readonly string[];
  readonly platform?: Platform;
  readonly annotations?: Readonly<Record<string, string>>;
}

export type ParsedManifest =
  | { readonly kind: 'index'; readonly mediaType: string; readonly manifests: readonly Descriptor[] }
  | { readonly kind: 'manifest'; readonly mediaType: string; readonly config: Descriptor; readonly layers: readonly Descriptor[] };

/** Why parsing failed, in words fit for "<image>: <reason>". */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/**
 * Parses a manifest or index. The media type comes from `contentType` when
 * it names one we know, else from the document's `mediaType`, else from its
 * shape (`manifests` → index, `config` + `layers` → manifest).
 */
export function parseManifest(bytes: Buffer, contentType: string | undefined): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ManifestError('the manifest is not valid JSON');
  }
  if (!isObject(json)) throw new ManifestError('the manifest is not a JSON object');
  const header = contentType?.split(';')[0].trim().toLowerCase();
  const declared = typeof json.mediaType === 'string' ? json.mediaType : undefined;
  let mediaType: string | undefined = [header, declared].find(
    (t) => t !== undefined && (INDEX_TYPES.has(t) || MANIFEST_TYPES.has(t)),
  );
  if (
    header === MediaType.dockerSchema1 ||
    header === MediaType.dockerSchema1Signed ||
    (json.schemaVersion === 1 && mediaType === undefined)
  ) {
    throw new ManifestError('it only has a Docker schema 1 manifest, which is not supported (push it again with a current Docker)');
  }
  if (mediaType === undefined) {
    if (Array.isArray(json.manifests)) mediaType = MediaType.ociIndex;
    else if (isObject(json.config) && Array.isArray(json.layers)) mediaType = MediaType.ociManifest;
    else throw new ManifestError(`unknown manifest type ${JSON.stringify(header ?? declared ?? 'none')}`);
  }
  if (json.schemaVersion !== 2) throw new ManifestError(`unsupported schemaVersion ${JSON.stringify(json.schemaVersion)}`);

  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(json.manifests)) throw new ManifestError('the index has no "manifests" list');
    return { kind: 'index', mediaType, manifests: json.manifests.map((d, i) => descriptor(d, `manifests[${i}]`)) };
  }
  if (!isObject(json.config)) throw new ManifestError('the manifest has no "config"');
  if (!Array.isArray(json.layers)) throw new ManifestError('the manifest has no "layers" list');
  return {
    kind: 'manifest',
    mediaType,
    config: descriptor(json.config, 'config'),
    layers: json.layers.map((d, i) => descriptor(d, `layers[${i}]`)),
  };
}

function descriptor(value: unknown, where: string): Descriptor {
  if (!isObject(value)) throw new ManifestError(`${where} is not an object`);
  const { mediaType, digest, size, urls, platform, annotations } = value;
  if (typeof mediaType !== 'string' || mediaType === '') throw new ManifestError(`${where} has no mediaType`);
  if (typeof digest !== 'string') throw new ManifestError(`${where} has no digest`);
  const problem = digestProblem(digest);
  if (problem !== undefined) throw new ManifestError(`${where}: ${problem}`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new ManifestError(`${where} has no valid size`);
  }
  const out: { -readonly [K in keyof Descriptor]: Descriptor[K] } = { mediaType, digest, size };
  if (Array.isArray(urls) && urls.every((u) => typeof u === 'string')) out.urls = urls as string[];
  if (isObject(platform) && typeof platform.os === 'string' && typeof platform.architecture === 'string') {
    out.platform = {
      os: platform.os,
      architecture: platform.architecture,
      ...(typeof platform.variant === 'string' && platform.variant !== '' ? { variant: platform.variant } : {}),
    };
  }
  if (isObject(annotations) && Object.values(annotations).every((v) => typeof v === 'string')) {
    out.annotations = annotations as Record<string, string>;
  }
  return out;
}

/** The platform an image config declares (`os`, `architecture`, `variant`), if it declares one. */
export function configPlatform(configBytes: Buffer): Platform | undefined {
  let json: unknown;
  try {
    json = JSON.parse(configBytes.toString('utf8'));
  } catch {
    throw new ManifestError('the image config is not valid JSON');
  }
  if (!isObject(json)) throw new ManifestError('the image config is not a JSON object');
  if (typeof json.os !== 'string' || typeof json.architecture !== 'string') return undefined;
  return {
    os: json.os,
    architecture: json.architecture,
    ...(typeof json.variant === 'string' && json.variant !== '' ? { variant: json.variant } : {}),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
