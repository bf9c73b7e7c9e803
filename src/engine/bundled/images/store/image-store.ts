/**
 * Image records and the references that name them.
 *
 * - `<root>/images/<config hex>.json`: one ImageRecord per image (the ID is the config digest).
 * - `<root>/images/repositories.json`: every reference (tags `docker.io/library/mysql:5.7` and
 *   digests `docker.io/library/mysql@sha256:…`, canonical) → image ID, with its familiar form.
 *   Tags and digests shown by inspect are read from here only, so they cannot disagree.
 *
 * Both are written atomically; changes are serialized within the process.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ImageConfig, ImageInfo, ImageRef, Platform } from '../../../engine';
import { InvalidArgumentError, ObjectConflictError, ObjectNotFoundError } from '../../../errors';
import { makeReference, parseReference } from '../../../image-reference';
import { writeFileAtomic } from './atomic-write';
import { isDigest, parseDigest } from './digest';
import { isMissing, readdirIfPresent, removeStale } from './fs-helpers';

export interface BlobRef {
  readonly digest: string;
  readonly size: number;
  readonly mediaType?: string;
}

export interface ImageRecord {
  /** The config digest: the image ID. */
  readonly id: string;
  readonly configMediaType?: string;
  readonly platform: Platform;
  readonly created?: string;
  readonly config: ImageConfig;
  /** rootfs.diff_ids, bottom first. */
  readonly diffIds: readonly string[];
  /** Chain IDs of the layers (the directories under `<root>/layers/`), bottom first. */
  readonly chainIds: readonly string[];
  /** The blobs the layers were unpacked from, bottom first. */
  readonly layerBlobs: readonly BlobRef[];
  /** Manifests the image was pulled by (kept in the content store). */
  readonly manifests: readonly BlobRef[];
  /** Sum of the compressed layer sizes. */
  readonly size: number;
}

export interface ReferenceEntry {
  /** Familiar form (`mysql:5.7`, `mysql@sha256:…`). */
  readonly name: string;
  readonly id: string;
}

/** canonical reference → entry */
export type ReferenceIndex = Readonly<Record<string, ReferenceEntry>>;

export interface RemoveResult {
  /** Familiar names of the references removed. */
  readonly untagged: readonly string[];
  /** The image's record when the image itself was removed (what it used is now garbage). */
  readonly deleted?: ImageRecord;
}

export interface Resolved {
  readonly record: ImageRecord;
  /** The canonical reference `input` named, when it named one (not an ID). */
  readonly reference?: string;
}

const INDEX_FILE = 'repositories.json';
const SHORT_ID = /^(?:sha256:)?([0-9a-f]{1,64})$/;

export class ImageRecordStore {
  readonly dir: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(root: string) {
    this.dir = path.join(root, 'images');
  }

  async init(staleAfterMs = 15 * 60_000): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    await removeStale(this.dir, (name) => name.startsWith('.tmp-'), staleAfterMs);
  }

  async get(id: string): Promise<ImageRecord | undefined> {
    try {
      return JSON.parse(await fs.readFile(this.recordPath(id), 'utf8')) as ImageRecord;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async list(): Promise<ImageRecord[]> {
    const out: ImageRecord[] = [];
    for (const name of await readdirIfPresent(this.dir)) {
      const m = /^([0-9a-f]{64})\.json$/.exec(name);
      if (!m) continue;
      const record = await this.get(`sha256:${m[1]}`);
      if (record) out.push(record);
    }
    return out;
  }

  /** Writes (or replaces) an image record. */
  put(record: ImageRecord): Promise<void> {
    return this.locked(async () => {
      await fs.mkdir(this.dir, { recursive: true });
      await writeFileAtomic(this.recordPath(record.id), `${JSON.stringify(record, null, 2)}\n`);
    });
  }

  async references(): Promise<ReferenceIndex> {
    try {
      const doc = JSON.parse(await fs.readFile(path.join(this.dir, INDEX_FILE), 'utf8')) as { references?: ReferenceIndex };
      return doc.references ?? {};
    } catch (err) {
      if (isMissing(err)) return {};
      throw err;
    }
  }

  /**
   * Points each reference at image `id` (a tag moves off the image it named before, which
   * stays, untagged, as Docker leaves it). A reference with a digest is recorded without its tag.
   */
  addReferences(id: string, refs: readonly ImageRef[]): Promise<void> {
    return this.locked(async () => {
      const index = { ...(await this.references()) };
      for (const ref of refs) {
        const key = ref.digest !== undefined ? makeReference(ref.domain, ref.path, undefined, ref.digest) : ref;
        index[key.canonical] = { name: key.familiar, id };
      }
      await this.writeIndex(index);
    });
  }

  /** The ImageInfo of a record (its tags and digests from the reference index). */
  info(record: ImageRecord, index: ReferenceIndex): ImageInfo {
    const repoTags: string[] = [];
    const repoDigests: string[] = [];
    for (const [canonical, entry] of Object.entries(index)) {
      if (entry.id !== record.id) continue;
      (canonical.includes('@') ? repoDigests : repoTags).push(entry.name);
    }
    return {
      id: record.id,
      repoTags: repoTags.sort(),
      repoDigests: repoDigests.sort(),
      platform: record.platform,
      ...(record.created !== undefined ? { created: record.created } : {}),
      size: record.size,
      layers: record.diffIds,
      config: record.config,
    };
  }

  /**
   * Finds the image `input` names, as Docker does: a full ID (`sha256:<hex>` or 64 hex), then a
   * reference (tag or digest), then a unique ID prefix. ObjectNotFoundError when nothing matches.
   */
  async resolve(input: string): Promise<Resolved> {
    const full = /^(?:sha256:)?([0-9a-f]{64})$/.exec(input);
    if (full) {
      const record = await this.get(`sha256:${full[1]}`);
      if (record) return { record };
      throw noSuchImage(input);
    }
    let ref: ImageRef | undefined;
    try {
      ref = parseReference(input);
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err;
    }
    if (ref) {
      const found = await this.byReference(ref);
      if (found) return found;
    }
    const short = SHORT_ID.exec(input);
    if (short) {
      const hex = short[1] ?? '';
      const matches = (await this.ids()).filter((id) => id.startsWith(`sha256:${hex}`));
      if (matches.length > 1) {
        throw new InvalidArgumentError(`short image ID "${input}" is ambiguous: it matches ${matches.length} images`);
      }
      const record = matches[0] !== undefined ? await this.get(matches[0]) : undefined;
      if (record) return { record };
    }
    if (!ref && !short) parseReference(input); // rethrow the reference's own message
    throw noSuchImage(input);
  }

  /**
   * Docker's `rmi`: a reference is removed; the image goes when no tag is left (its digest
   * references with it). Named by ID, the image goes with all its references, but an image
   * tagged in more than one repository needs `force`.
   */
  remove(
    input: string,
    options: {
      readonly force?: boolean;
      /**
       * Called once the image is known, before anything changes: throw to refuse, or say
       * `keep` to untag only — the record stays even with no reference left (a dangling
       * image a container still uses).
       */
      readonly decide?: (record: ImageRecord, wouldDelete: boolean) => 'delete' | 'keep';
    } = {},
  ): Promise<RemoveResult> {
    return this.locked(async () => {
      const { record, reference } = await this.resolve(input);
      const index = { ...(await this.references()) };
      const mine = Object.entries(index).filter(([, entry]) => entry.id === record.id);
      let removing: string[];
      if (reference !== undefined) {
        const otherTags = mine.filter(([canonical]) => canonical !== reference && !canonical.includes('@'));
        removing = otherTags.length > 0 ? [reference] : mine.map(([canonical]) => canonical);
      } else {
        const repositories = new Set(mine.filter(([c]) => !c.includes('@')).map(([c]) => repositoryOf(c)));
        if (repositories.size > 1 && options.force !== true) {
          throw new ObjectConflictError(
            `unable to delete ${shortId(record.id)} (must be forced): image is referenced in multiple repositories (${[...repositories].join(', ')})`,
          );
        }
        removing = mine.map(([canonical]) => canonical);
      }
      const untagged = removing.map((canonical) => index[canonical]?.name ?? canonical);
      for (const canonical of removing) delete index[canonical];
      const left = Object.values(index).some((entry) => entry.id === record.id);
      const keep = options.decide?.(record, !left) === 'keep';
      if (removing.length > 0) await this.writeIndex(index);
      if (left || keep) return { untagged };
      await fs.rm(this.recordPath(record.id), { force: true });
      return { untagged, deleted: record };
    });
  }

  private async byReference(ref: ImageRef): Promise<Resolved | undefined> {
    const index = await this.references();
    const key = ref.digest !== undefined ? makeReference(ref.domain, ref.path, undefined, ref.digest).canonical : ref.canonical;
    const entry = index[key];
    if (entry) {
      const record = await this.get(entry.id);
      if (record) return { record, reference: key };
    }
    if (ref.digest === undefined) return undefined;
    // pulled by another digest (the index's), asked by the platform manifest's
    const repository = `${ref.domain}/${ref.path}`;
    const ids = new Set(Object.entries(index).filter(([c]) => repositoryOf(c) === repository).map(([, e]) => e.id));
    for (const id of ids) {
      const record = await this.get(id);
      if (record?.manifests.some((m) => m.digest === ref.digest)) return { record };
    }
    return undefined;
  }

  private async ids(): Promise<string[]> {
    return (await readdirIfPresent(this.dir))
      .map((name) => /^([0-9a-f]{64})\.json$/.exec(name)?.[1])
      .filter((hex): hex is string => hex !== undefined)
      .map((hex) => `sha256:${hex}`);
  }

  private recordPath(id: string): string {
    if (!isDigest(id)) throw new InvalidArgumentError(`invalid image ID "${id}"`);
    return path.join(this.dir, `${parseDigest(id).hex}.json`);
  }

  private async writeIndex(index: ReferenceIndex): Promise<void> {
    const sorted = Object.fromEntries(Object.entries(index).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    await fs.mkdir(this.dir, { recursive: true });
    await writeFileAtomic(path.join(this.dir, INDEX_FILE), `${JSON.stringify({ references: sorted }, null, 2)}\n`);
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** `docker.io/library/mysql:5.7` → `docker.io/library/mysql` (also for `…@sha256:…`). */
export function repositoryOf(canonical: string): string {
  const at = canonical.indexOf('@');
  const name = at >= 0 ? canonical.slice(0, at) : canonical;
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

function noSuchImage(input: string): ObjectNotFoundError {
  return new ObjectNotFoundError(`No such image: ${input}`);
}
