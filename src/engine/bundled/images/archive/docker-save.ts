/**
 * The `docker save` format: `manifest.json`, a list of
 * `{"Config": <path>, "RepoTags": [...] | null, "Layers": [<path>, ...]}` whose paths name
 * members of the archive, and `repositories` (`{"<repo>": {"<tag>": "<id>"}}`), which only
 * loaders older than manifest.json read.
 *
 * Docker < 25 names the config `<hex>.json` and each layer `<v1 id>/layer.tar` (with
 * `<v1 id>/json` and `VERSION`, and symbolic links between layer.tar files for a layer written
 * before); Docker ≥ 25 points the same manifest.json at an OCI layout's `blobs/sha256/<hex>`.
 * The reader takes both (and gzip or zstd layers); the writer's layout is in save-archive.ts.
 */
import type { ImageRef } from '../../../engine';
import { InvalidArgumentError } from '../../../errors';
import { familiarName, parseReference } from '../../../image-reference';
import { MediaType } from '../registry/manifest';
import { parseImageConfig, type ParsedImageConfig } from '../store/image-config';
import { messageOf } from '../unpack/layer-error';
import { archiveError } from './archive-error';
import type { ArchiveImage } from './archive-image';
import type { SpooledArchive } from './spool-archive';

export const DOCKER_MANIFEST = 'manifest.json';
export const DOCKER_REPOSITORIES = 'repositories';

/** The images a docker save archive's manifest.json lists (in its order), checked against the archive. */
export async function readDockerSave(archive: SpooledArchive): Promise<ArchiveImage[]> {
  const manifestFile = archive.find(DOCKER_MANIFEST);
  if (manifestFile === undefined) throw archiveError(`${DOCKER_MANIFEST} is missing`);
  const fail = (message: string): InvalidArgumentError => archiveError(message, DOCKER_MANIFEST);
  const { json } = await archive.readJson(manifestFile);
  if (!Array.isArray(json)) throw fail('not a docker save manifest: expected a JSON list of images');
  if (json.length === 0) throw fail('it lists no images');
  const images: ArchiveImage[] = [];
  for (const [i, entry] of (json as unknown[]).entries()) {
    const where = `image ${i + 1}`;
    if (!isObject(entry)) throw fail(`${where} is not an object`);
    const { Config: config, Layers: layers, RepoTags: repoTags } = entry;
    if (typeof config !== 'string') throw fail(`${where} has no "Config" path`);
    if (!Array.isArray(layers) || !layers.every((l): l is string => typeof l === 'string')) throw fail(`${where} has no "Layers" list of paths`);
    if (repoTags !== undefined && repoTags !== null && (!Array.isArray(repoTags) || !repoTags.every((t) => typeof t === 'string'))) {
      throw fail(`${where} has a "RepoTags" that is not a list of names`);
    }
    const tags = ((repoTags ?? []) as string[]).map((t) => repoTag(t, `${where} RepoTags`));
    const label = `${DOCKER_MANIFEST} ${where}${tags[0] ? ` (${tags[0].familiar})` : ''}`;
    const configFile = archive.file(config, DOCKER_MANIFEST, `${where} Config`);
    const configBytes = await archive.read(configFile);
    let parsed: ParsedImageConfig;
    try {
      parsed = parseImageConfig(configBytes);
    } catch (err) {
      throw archiveError(`${messageOf(err)} (the config of ${label})`, configFile.name, { cause: err });
    }
    const layerFiles = layers.map((l, j) => archive.file(l, DOCKER_MANIFEST, `${where} Layers[${j}]`));
    if (layerFiles.length !== parsed.diffIds.length) {
      throw fail(`${where} lists ${layerFiles.length} layers but its config ${configFile.name} has ${parsed.diffIds.length} diff IDs`);
    }
    images.push({ what: label, id: configFile.digest, configBytes, configMediaType: MediaType.dockerConfig, parsed, layers: layerFiles, tags });
  }
  return images;
}

/** A RepoTags entry as a normalized tag reference (`busybox:latest` → docker.io/library/busybox:latest). */
function repoTag(name: string, where: string): ImageRef {
  let ref: ImageRef;
  try {
    ref = parseReference(name);
  } catch (err) {
    throw archiveError(`${where}: ${messageOf(err)}`, DOCKER_MANIFEST, { cause: err });
  }
  if (ref.digest !== undefined || ref.tag === undefined) throw archiveError(`${where}: ${JSON.stringify(name)} is not a tag`, DOCKER_MANIFEST);
  return ref;
}

/** One image in a manifest.json being written. */
export interface DockerSaveEntry {
  /** Archive path of the config. */
  readonly config: string;
  readonly tags: readonly ImageRef[];
  /** Archive paths of the uncompressed layer tars, bottom first. */
  readonly layers: readonly string[];
}

/** manifest.json: RepoTags in the familiar form Docker writes (`busybox:latest`), null for an untagged image. */
export function dockerSaveManifest(entries: readonly DockerSaveEntry[]): Buffer {
  const doc = entries.map((e) => ({
    Config: e.config,
    RepoTags: e.tags.length > 0 ? e.tags.map((t) => t.familiar) : null,
    Layers: e.layers,
  }));
  return Buffer.from(`${JSON.stringify(doc)}\n`);
}

/**
 * `repositories`: `{"<familiar repository>": {"<tag>": "<hex>"}}`. Loaders that know
 * manifest.json (Docker ≥ 1.10) ignore it; as Docker ≥ 25 does, the value is the hex of the
 * image's top layer blob (there are no v1 layer IDs any more).
 */
export function dockerRepositories(entries: ReadonlyArray<{ readonly tags: readonly ImageRef[]; readonly top: string }>): Buffer {
  const doc: Record<string, Record<string, string>> = {};
  for (const entry of entries) {
    for (const tag of entry.tags) {
      if (tag.tag === undefined) continue;
      const repository = familiarName(tag.domain, tag.path);
      (doc[repository] ??= {})[tag.tag] = entry.top;
    }
  }
  return Buffer.from(`${JSON.stringify(doc)}\n`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
