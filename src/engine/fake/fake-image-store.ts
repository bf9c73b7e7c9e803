/**
 * The fake engine's images: added by a test (`addImage`), or "pulled" from a fake registry a
 * test fills (`addRemoteImage`), with Docker's rules for names, IDs, tags and removal.
 * Nothing touches the disk; save/load use a small tar of JSON records (not Docker's format).
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ImageConfig, ImageInfo, ImageRef, ImageStore, Platform, PullEvent, PullOptions, RemovedImage } from '../engine';
import { InvalidArgumentError, ObjectConflictError, ObjectNotFoundError, RemoteError } from '../errors';
import { TAR_END, tarFile } from '../bundled/tar/tar-writer';
import { makeReference, parseReference } from '../image-reference';
import { ByteSource, isStreamFailure } from '../bundled/images/unpack/byte-source';
import { messageOf } from '../bundled/images/unpack/layer-error';
import { readTar } from '../bundled/images/unpack/tar-reader';
import { type Clock, formatTime } from './engine-time';

export interface FakeImageOptions {
  /** Default: a digest of the reference and the config (so two refs make two images). */
  readonly id?: string;
  readonly created?: string;
  readonly size?: number;
  /** Layer diff IDs; default one layer derived from the ID. */
  readonly layers?: readonly string[];
  readonly platform?: Platform;
}

/** A container that uses an image (the engine tells the store, for `removeImage`). */
export interface ImageUse {
  readonly containerId: string;
  readonly running: boolean;
}

interface ImageRecord {
  readonly id: string;
  readonly platform: Platform;
  readonly created?: string;
  readonly size: number;
  readonly layers: readonly string[];
  readonly config: ImageConfig;
  readonly manifestDigest: string;
}

const FULL_ID = /^(?:sha256:)?([0-9a-f]{64})$/;
const SHORT_ID = /^(?:sha256:)?([0-9a-f]{1,64})$/;
const RECORDS = 'fake-images.json';

export class FakeImageStore implements ImageStore {
  private readonly records = new Map<string, ImageRecord>();
  /** canonical reference (tag or `repo@digest`) → image ID */
  private readonly refs = new Map<string, string>();
  /** the fake registry: canonical tag reference → image */
  private readonly remote = new Map<string, ImageRecord>();

  constructor(
    private readonly clock: Clock,
    private readonly usedBy: (imageId: string) => readonly ImageUse[] = () => [],
  ) {}

  /** Puts an image in the store under `ref` (a tag or digest reference) and returns it. */
  addImage(ref: string, config: ImageConfig = {}, options: FakeImageOptions = {}): ImageInfo {
    const parsed = parseReference(ref);
    const record = this.makeRecord(parsed, config, options);
    this.records.set(record.id, record);
    this.tag(parsed, record);
    return this.info(record);
  }

  /** Puts an image in the fake registry: `pullImage(ref)` then finds it. */
  addRemoteImage(ref: string, config: ImageConfig = {}, options: FakeImageOptions = {}): void {
    const parsed = parseReference(ref);
    this.remote.set(parsed.canonical, this.makeRecord(parsed, config, options));
  }

  /** The image `input` names (full ID, reference, unique ID prefix), as Docker resolves it. */
  resolve(input: string): ImageInfo {
    return this.info(this.find(input).record);
  }

  async pullImage(input: string, options: PullOptions = {}): Promise<ImageInfo> {
    const ref = parseReference(input);
    const signal = options.signal;
    const emit = async (e: PullEvent): Promise<void> => {
      if (signal?.aborted) throw signal.reason;
      options.onEvent?.(e);
      await new Promise((r) => setImmediate(r));
      if (signal?.aborted) throw signal.reason;
    };
    await emit({ kind: 'resolving', ref: ref.familiar });
    const found = this.remoteFor(ref);
    if (!found) throw new RemoteError(`image not found: ${ref.familiar} (the fake registry has no such manifest)`);
    if (options.platform && (options.platform.os !== found.platform.os || options.platform.architecture !== found.platform.architecture)) {
      throw new RemoteError(`image ${ref.familiar} has no manifest for platform ${options.platform.os}/${options.platform.architecture}`);
    }
    await emit({ kind: 'resolved', ref: ref.familiar, digest: found.manifestDigest, layers: found.layers.length });
    const present = new Set([...this.records.values()].flatMap((r) => r.layers));
    const layerSize = Math.max(1, Math.floor(found.size / Math.max(1, found.layers.length)));
    for (const digest of found.layers) {
      if (present.has(digest)) {
        await emit({ kind: 'layer', digest, status: 'exists', current: layerSize, total: layerSize });
        continue;
      }
      await emit({ kind: 'layer', digest, status: 'downloading', current: 0, total: layerSize });
      await emit({ kind: 'layer', digest, status: 'extracting', current: layerSize, total: layerSize });
      await emit({ kind: 'layer', digest, status: 'done', current: layerSize, total: layerSize });
    }
    this.records.set(found.id, found);
    this.tag(ref, found);
    this.refs.set(makeReference(ref.domain, ref.path, undefined, found.manifestDigest).canonical, found.id);
    await emit({ kind: 'done', ref: ref.familiar, id: found.id });
    return this.info(found);
  }

  async inspectImage(ref: string): Promise<ImageInfo> {
    return this.resolve(ref);
  }

  async listImages(): Promise<ImageInfo[]> {
    return [...this.records.values()]
      .map((r) => this.info(r))
      .sort((a, b) => (b.created ?? '').localeCompare(a.created ?? '') || a.id.localeCompare(b.id));
  }

  async removeImage(input: string, options: { readonly force?: boolean } = {}): Promise<RemovedImage> {
    const { record, reference } = this.find(input);
    const mine = [...this.refs].filter(([, id]) => id === record.id).map(([canonical]) => canonical);
    const tags = mine.filter((c) => !c.includes('@'));
    if (reference !== undefined && !reference.includes('@') && tags.length > 1) {
      this.refs.delete(reference);
      return { untagged: [familiar(reference)], deleted: [] };
    }
    const uses = this.usedBy(record.id);
    const untagAll = (): string[] => {
      for (const c of mine) this.refs.delete(c);
      return mine.map(familiar);
    };
    const user = uses.find((u) => u.running) ?? uses[0];
    if (user) {
      const state = user.running ? 'running' : 'stopped';
      if (options.force !== true) {
        throw new ObjectConflictError(
          reference !== undefined
            ? `conflict: unable to remove repository reference "${input}" (must force) - container ${short(user.containerId)} is using its referenced image ${short(record.id)}`
            : `conflict: unable to delete ${short(record.id)} (must be forced) - image is being used by ${state} container ${short(user.containerId)}`,
        );
      }
      if (reference === undefined && user.running) {
        throw new ObjectConflictError(`conflict: unable to delete ${short(record.id)} (cannot be forced) - image is being used by running container ${short(user.containerId)}`);
      }
      return { untagged: untagAll(), deleted: [] };
    }
    const untagged = untagAll();
    this.records.delete(record.id);
    return { untagged, deleted: [record.id] };
  }

  async loadImages(tar: NodeJS.ReadableStream): Promise<ImageInfo[]> {
    const source = new ByteSource(tar[Symbol.asyncIterator](), () => undefined);
    let text: string | undefined;
    try {
      for await (const entry of readTar(source)) {
        if (entry.name !== RECORDS) continue;
        const parts: Buffer[] = [];
        for await (const piece of entry.body) parts.push(piece);
        text = Buffer.concat(parts).toString('utf8');
      }
      await source.drain();
    } catch (err) {
      if (isStreamFailure(err)) throw err;
      throw new InvalidArgumentError(`invalid image archive: ${messageOf(err)}`, { cause: err });
    }
    if (text === undefined) throw new InvalidArgumentError(`invalid image archive: it holds no ${RECORDS} (the fake engine loads only what it saved)`);
    let saved: Array<{ record: ImageRecord; tags: string[] }>;
    try {
      saved = JSON.parse(text) as Array<{ record: ImageRecord; tags: string[] }>;
    } catch (err) {
      throw new InvalidArgumentError(`invalid image archive: ${RECORDS} is not JSON: ${messageOf(err)}`);
    }
    return saved.map(({ record, tags }) => {
      this.records.set(record.id, record);
      for (const t of tags) this.tag(parseReference(t), record);
      return this.info(record);
    });
  }

  async saveImages(refs: readonly string[], out: NodeJS.WritableStream): Promise<void> {
    if (refs.length === 0) throw new InvalidArgumentError('image save: name at least one image');
    const saved = new Map<string, { record: ImageRecord; tags: string[] }>();
    for (const input of refs) {
      const { record, reference } = this.find(input);
      const entry = saved.get(record.id) ?? { record, tags: [] };
      const tags = reference !== undefined ? [reference] : [...this.refs].filter(([c, id]) => id === record.id && !c.includes('@')).map(([c]) => c);
      for (const t of tags) if (!t.includes('@') && !entry.tags.includes(t)) entry.tags.push(t);
      saved.set(record.id, entry);
    }
    const body = Buffer.from(JSON.stringify([...saved.values()], null, 2));
    await pipeline(Readable.from([tarFile(RECORDS, body), TAR_END]), out);
  }

  private makeRecord(ref: ImageRef, config: ImageConfig, options: FakeImageOptions): ImageRecord {
    const id = options.id ?? `sha256:${sha256(JSON.stringify({ ref: ref.canonical, config }))}`;
    if (!FULL_ID.test(id)) throw new InvalidArgumentError(`invalid image ID ${JSON.stringify(id)}: expected sha256:<64 hex digits>`);
    const full = id.startsWith('sha256:') ? id : `sha256:${id}`;
    return {
      id: full,
      platform: options.platform ?? { os: 'linux', architecture: 'amd64' },
      created: options.created ?? formatTime(this.clock()),
      size: options.size ?? 1024,
      layers: options.layers ?? [`sha256:${sha256(`layer of ${full}`)}`],
      config,
      manifestDigest: ref.digest ?? `sha256:${sha256(`manifest of ${full}`)}`,
    };
  }

  private tag(ref: ImageRef, record: ImageRecord): void {
    const key = ref.digest !== undefined ? makeReference(ref.domain, ref.path, undefined, ref.digest).canonical : ref.canonical;
    this.refs.set(key, record.id);
  }

  private remoteFor(ref: ImageRef): ImageRecord | undefined {
    if (ref.digest === undefined) return this.remote.get(ref.canonical);
    const repository = `${ref.domain}/${ref.path}`;
    return [...this.remote].find(([c, r]) => c.startsWith(`${repository}:`) && r.manifestDigest === ref.digest)?.[1];
  }

  private find(input: string): { record: ImageRecord; reference?: string } {
    const full = FULL_ID.exec(input);
    if (full) {
      const record = this.records.get(`sha256:${full[1]}`);
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
      const key = ref.digest !== undefined ? makeReference(ref.domain, ref.path, undefined, ref.digest).canonical : ref.canonical;
      const id = this.refs.get(key);
      const record = id !== undefined ? this.records.get(id) : undefined;
      if (record) return { record, reference: key };
    }
    const prefix = SHORT_ID.exec(input);
    if (prefix) {
      const matches = [...this.records.keys()].filter((id) => id.startsWith(`sha256:${prefix[1]}`));
      if (matches.length > 1) throw new InvalidArgumentError(`short image ID "${input}" is ambiguous: it matches ${matches.length} images`);
      const record = matches[0] !== undefined ? this.records.get(matches[0]) : undefined;
      if (record) return { record };
    }
    if (!ref && !prefix) parseReference(input);
    throw noSuchImage(input);
  }

  private info(record: ImageRecord): ImageInfo {
    const mine = [...this.refs].filter(([, id]) => id === record.id).map(([c]) => c);
    return {
      id: record.id,
      repoTags: mine.filter((c) => !c.includes('@')).map(familiar).sort(),
      repoDigests: mine.filter((c) => c.includes('@')).map(familiar).sort(),
      platform: record.platform,
      ...(record.created !== undefined ? { created: record.created } : {}),
      size: record.size,
      layers: record.layers,
      config: record.config,
    };
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function short(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

function familiar(canonical: string): string {
  return parseReference(canonical).familiar;
}

function noSuchImage(input: string): ObjectNotFoundError {
  return new ObjectNotFoundError(`No such image: ${input}`);
}
