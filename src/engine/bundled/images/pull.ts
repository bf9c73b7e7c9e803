/**
 * Pulling an image: resolve the reference at the registry → for each layer not on disk yet,
 * download it (teed into the content store and the extractor at once), verify it, unpack it
 * once per chain ID → record the image and point its references at it.
 *
 * Layers run with bounded concurrency. A failure aborts the other layers, removes what this
 * pull made that no image uses, and says which layer failed and why. Concurrent pulls of one
 * reference share one run (the later callers receive its events too); pulls of different
 * references to the same layers share the layers' downloads.
 */
import type { ImageInfo, ImageRef, Platform, PullEvent, PullOptions } from '../../engine';
import { EngineError, InvalidArgumentError, ObjectConflictError, ObjectNotFoundError, RemoteError } from '../../errors';
import { makeReference, parseReference } from '../../image-reference';
import type { Descriptor, ResolvedImage } from './registry/client';
import { RegistryError } from './registry/errors';
import { chainIds } from './store/chain-id';
import { collectGarbage, type GarbageStores } from './store/collect-garbage';
import { DigestMismatchError } from './store/content-store';
import type { BlobRef, ImageRecord } from './store/image-store';
import type { UnpackResult } from './store/layer-store';
import { parseImageConfig } from './store/image-config';
import { forEachLimited } from './store/for-each-limited';
import { SharedWork, abortReason } from './store/shared-work';
import { Meter, destroy, tee } from './store/tee';

/** What a pull needs of the registry client (RegistryClient has it). */
export interface PullRegistry {
  resolve(ref: ImageRef, platform: Platform, signal?: AbortSignal): Promise<ResolvedImage>;
  openBlob(ref: ImageRef, desc: Descriptor, options?: { signal?: AbortSignal; onBytes?: (n: number) => void }): Promise<NodeJS.ReadableStream>;
}

/** unpack/extract.ts's extractLayer. */
export type ExtractLayer = (compressed: NodeJS.ReadableStream, target: string, options?: { signal?: AbortSignal }) => Promise<UnpackResult>;

export interface PullDeps {
  readonly registry: PullRegistry;
  readonly extractLayer: ExtractLayer;
  readonly stores: GarbageStores;
  /** The platform to pull when the options name none (the host's). */
  readonly platform: Platform;
  /** Layers downloaded and unpacked at once (default 3). */
  readonly concurrency?: number;
  /**
   * Unpack while downloading, teeing the bytes into the content store (default), or download
   * the blob whole first and unpack it from the store.
   */
  readonly streaming?: boolean;
  /** Shared by every pull of one store, so that concurrent pulls of one reference run once. */
  readonly inflight?: InflightPulls;
}

/** Pulls in progress, by reference and platform, with their event listeners. */
export class InflightPulls {
  readonly work = new SharedWork<ImageInfo, PullChannel>(() => new PullChannel());
}

/** Fans a pull's events out to every caller waiting on it; replays the latest state to late joiners. */
export class PullChannel {
  private readonly listeners = new Set<(e: PullEvent) => void>();
  private readonly latest = new Map<string, PullEvent>();

  emit(event: PullEvent): void {
    this.latest.set(event.kind === 'layer' ? `layer ${event.digest}` : event.kind, event);
    for (const listener of [...this.listeners]) listener(event);
  }

  subscribe(listener: (e: PullEvent) => void): () => void {
    for (const event of this.latest.values()) listener(event);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const DEFAULT_CONCURRENCY = 3;

/** Pulls `input` (an image reference) into the store and returns the image. */
export async function pullImage(deps: PullDeps, input: string, options: PullOptions = {}): Promise<ImageInfo> {
  const ref = parseReference(input);
  const platform = options.platform ?? deps.platform;
  const onEvent = options.onEvent;
  if (!deps.inflight) {
    const channel = new PullChannel();
    if (onEvent) channel.subscribe(onEvent);
    const controller = new AbortController();
    const signal = options.signal ?? controller.signal;
    return runPull(deps, ref, platform, (e) => channel.emit(e), signal);
  }
  const key = `${ref.canonical} ${platformString(platform)}`;
  return deps.inflight.work.run(
    key,
    (signal, channel) => runPull(deps, ref, platform, (e) => channel.emit(e), signal),
    options.signal,
    (channel) => (onEvent ? channel.subscribe(onEvent) : undefined),
  );
}

async function runPull(
  deps: PullDeps,
  ref: ImageRef,
  platform: Platform,
  emit: (e: PullEvent) => void,
  signal: AbortSignal,
): Promise<ImageInfo> {
  const { stores } = deps;
  const what = `pull ${ref.familiar}`;
  emit({ kind: 'resolving', ref: ref.familiar });
  let resolved: ResolvedImage;
  try {
    resolved = await deps.registry.resolve(ref, platform, signal);
  } catch (err) {
    if (signal.aborted) throw abortReason(signal);
    // the registry client's messages name the image already
    throw err instanceof Error && err.message.includes(ref.familiar) ? err : withContext(err, what);
  }
  let diffIds: readonly string[];
  let parsed: ReturnType<typeof parseImageConfig>;
  try {
    parsed = parseImageConfig(resolved.configBytes);
    diffIds = parsed.diffIds;
    if (diffIds.length !== resolved.layers.length) {
      throw new RemoteError(
        `the manifest lists ${resolved.layers.length} layers but the image config ${resolved.config.digest} has ${diffIds.length} diff IDs`,
      );
    }
  } catch (err) {
    throw withContext(err, what);
  }
  const id = resolved.config.digest;
  const chain = chainIds(diffIds);
  const blobs = [id, resolved.manifestDigest, ...resolved.layers.map((l) => l.digest)];
  const lease = await stores.leases.acquire({ layers: chain, blobs });
  let recorded = false;
  try {
    emit({ kind: 'resolved', ref: ref.familiar, digest: resolved.indexDigest ?? resolved.manifestDigest, layers: resolved.layers.length });
    await stores.content.put(id, resolved.configBytes);
    await stores.content.put(resolved.manifestDigest, resolved.manifestBytes);

    const present = await Promise.all(chain.map((c) => stores.layers.has(c)));
    resolved.layers.forEach((desc, i) => {
      const status = present[i] ? 'exists' : 'waiting';
      emit({ kind: 'layer', digest: desc.digest, status, current: present[i] ? desc.size : 0, total: desc.size });
    });
    const missing = resolved.layers.map((_, i) => i).filter((i) => !present[i]);
    await forEachLimited(missing, deps.concurrency ?? DEFAULT_CONCURRENCY, signal, async (i, layerSignal) => {
      const desc = resolved.layers[i] as Descriptor;
      try {
        await pullLayer(deps, ref, resolved, i, diffIds, chain, emit, layerSignal);
      } catch (err) {
        throw withContext(err, `layer ${shortDigest(desc.digest)} (${i + 1} of ${resolved.layers.length})`);
      }
    });

    const existing = await stores.images.get(id);
    const manifest: BlobRef = { digest: resolved.manifestDigest, size: resolved.manifestBytes.length, mediaType: resolved.manifestMediaType };
    const manifests = [...(existing?.manifests ?? []).filter((m) => m.digest !== manifest.digest), manifest];
    const record: ImageRecord = {
      id,
      configMediaType: resolved.config.mediaType,
      platform: parsed.platform,
      ...(parsed.created !== undefined ? { created: parsed.created } : {}),
      config: parsed.config,
      diffIds,
      chainIds: chain,
      layerBlobs: resolved.layers.map((l) => ({ digest: l.digest, size: l.size, mediaType: l.mediaType })),
      manifests,
      size: resolved.layers.reduce((sum, l) => sum + l.size, 0),
    };
    await stores.images.put(record);
    const refs: ImageRef[] =
      ref.digest !== undefined
        ? [ref]
        : [ref, makeReference(ref.domain, ref.path, undefined, resolved.indexDigest ?? resolved.manifestDigest)];
    await stores.images.addReferences(id, refs);
    recorded = true;
    const info = stores.images.info(record, await stores.images.references());
    emit({ kind: 'done', ref: ref.familiar, id });
    return info;
  } catch (err) {
    throw signal.aborted ? abortReason(signal) : withContext(err, what);
  } finally {
    lease.release();
    if (!recorded) await collectGarbage(stores, { layers: chain, blobs }).catch(() => undefined);
  }
}

async function pullLayer(
  deps: PullDeps,
  ref: ImageRef,
  resolved: ResolvedImage,
  i: number,
  diffIds: readonly string[],
  chain: readonly string[],
  emit: (e: PullEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  const desc = resolved.layers[i] as Descriptor;
  const total = desc.size;
  const report = (status: 'downloading' | 'extracting' | 'exists' | 'done', current: number): void =>
    emit({ kind: 'layer', digest: desc.digest, status, current, total });
  const { existed } = await deps.stores.layers.ensure(
    {
      chainId: chain[i] as string,
      diffId: diffIds[i] as string,
      ...(i > 0 ? { parent: chain[i - 1] as string } : {}),
      compressedDigest: desc.digest,
      compressedSize: desc.size,
      unpack: (target, unpackSignal) => fetchAndUnpack(deps, ref, desc, target, unpackSignal, report),
    },
    signal,
  );
  report(existed ? 'exists' : 'done', total);
}

/** The layer's files into `target`: from the content store when the blob is there, else downloaded. */
async function fetchAndUnpack(
  deps: PullDeps,
  ref: ImageRef,
  desc: Descriptor,
  target: string,
  signal: AbortSignal,
  report: (status: 'downloading' | 'extracting', current: number) => void,
): Promise<UnpackResult> {
  const { content } = deps.stores;
  if (await content.has(desc.digest)) {
    report('extracting', desc.size);
    return deps.extractLayer(await content.open(desc.digest), target, { signal });
  }
  report('downloading', 0);
  const meter = new Meter(desc.size, (n) => report('downloading', n));
  const remote = await deps.registry.openBlob(ref, desc, { signal });
  if (deps.streaming === false) {
    remote.on('error', (err: Error) => meter.destroy(err));
    remote.pipe(meter);
    try {
      await content.ingestStream(desc.digest, meter, { size: desc.size, signal });
    } catch (err) {
      destroy(remote, err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
    report('extracting', desc.size);
    return deps.extractLayer(await content.open(desc.digest), target, { signal });
  }
  return tee(remote, meter, signal, (toStore, toExtract, teeSignal) => [
    content.ingestStream(desc.digest, toStore, { size: desc.size, signal: teeSignal }).then(() => report('extracting', desc.size)),
    deps.extractLayer(toExtract, target, { signal: teeSignal }),
  ]);
}

/** How an error is re-made with more context: engine errors keep their kind (a digest mismatch is the registry's fault). */
const errorKinds: ReadonlyArray<[abstract new (...args: never[]) => Error, (message: string, err: Error) => EngineError]> = [
  [RegistryError, (m, e) => new RegistryError(m, (e as RegistryError).reason, (e as RegistryError).registry, false, { cause: e })],
  [DigestMismatchError, (m, e) => new RemoteError(m, { cause: e })],
  [RemoteError, (m, e) => new RemoteError(m, { cause: e })],
  [InvalidArgumentError, (m, e) => new InvalidArgumentError(m, { cause: e })],
  [ObjectNotFoundError, (m, e) => new ObjectNotFoundError(m, { cause: e })],
  [ObjectConflictError, (m, e) => new ObjectConflictError(m, { cause: e })],
];

/** A new error saying where `err` happened, of the same kind (the original as its cause). */
export function withContext(err: unknown, context: string): unknown {
  if (isAbort(err)) return err;
  const message = `${context}: ${err instanceof Error ? err.message : String(err)}`;
  if (err instanceof Error) for (const [kind, make] of errorKinds) if (err instanceof kind) return make(message, err);
  return new EngineError(message, { cause: err });
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

function platformString(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter((s) => s !== undefined && s !== '').join('/');
}
