/**
 * In-test fakes of the registry client and the layer extractor, and temp roots.
 * Layers are real gzip streams of small payloads, so digests and diff IDs are computed
 * exactly as for real images.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync, gzipSync, createGunzip } from 'node:zlib';
import { Writable } from 'node:stream';
import type { ImageRef, Platform } from '../../../../../../src/engine/engine';
import { RemoteError } from '../../../../../../src/engine/errors';
import type { PullRegistry } from '../../../../../../src/engine/bundled/images/pull';
import type { Descriptor, ResolvedImage } from '../../../../../../src/engine/bundled/images/registry/client';

export const sha256 = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export interface FakeLayer {
  readonly payload: string;
  readonly blob: Buffer;
  readonly digest: string;
  readonly diffId: string;
}

export function layer(payload: string): FakeLayer {
  const blob = gzipSync(Buffer.from(payload));
  return { payload, blob, digest: sha256(blob), diffId: sha256(payload) };
}

export interface FakeImageSpec {
  readonly layers: readonly FakeLayer[];
  readonly config?: Record<string, unknown>;
  /** diff IDs to announce instead of the real ones (to make a mismatch). */
  readonly diffIds?: readonly string[];
  readonly created?: string;
}

export interface FakeImage {
  readonly resolved: Omit<ResolvedImage, 'ref'>;
  readonly spec: FakeImageSpec;
}

export function fakeImage(spec: FakeImageSpec, platform: Platform = { os: 'linux', architecture: 'amd64' }): FakeImage {
  const configBytes = Buffer.from(
    JSON.stringify({
      created: spec.created ?? '2024-01-02T03:04:05Z',
      architecture: platform.architecture,
      os: platform.os,
      config: spec.config ?? {},
      rootfs: { type: 'layers', diff_ids: spec.diffIds ?? spec.layers.map((l) => l.diffId) },
    }),
  );
  const config: Descriptor = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(configBytes), size: configBytes.length };
  const layers: Descriptor[] = spec.layers.map((l) => ({
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    digest: l.digest,
    size: l.blob.length,
  }));
  const manifestBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers }));
  return {
    spec,
    resolved: {
      manifestDigest: sha256(manifestBytes),
      manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      manifestBytes,
      config,
      configBytes,
      layers,
      platform,
      source: 'fake registry',
    },
  };
}

/** A registry in memory: images by canonical reference, blobs by digest, with counters and faults. */
export class FakeRegistry implements PullRegistry {
  readonly images = new Map<string, FakeImage>();
  readonly blobs = new Map<string, Buffer>();
  readonly resolves: string[] = [];
  readonly opens = new Map<string, number>();
  /** Bytes handed out per blob. */
  readonly served = new Map<string, number>();
  /** Blobs whose stream fails after half the bytes. */
  readonly failing = new Set<string>();
  /** Blobs held back until released (to make pulls overlap). */
  readonly gates = new Map<string, Promise<void>>();
  /** Bytes per chunk and pause between chunks. */
  chunk = 64;
  resolveDelayMs = 5;
  /** Thrown by resolve, when set. */
  resolveError: Error | undefined;

  add(name: string, image: FakeImage): this {
    this.images.set(name, image);
    for (const l of image.spec.layers) this.blobs.set(l.digest, l.blob);
    return this;
  }

  gate(digest: string): () => void {
    let release = (): void => undefined;
    this.gates.set(digest, new Promise<void>((resolve) => (release = resolve)));
    return () => release();
  }

  async resolve(ref: ImageRef, _platform: Platform, signal?: AbortSignal): Promise<ResolvedImage> {
    this.resolves.push(ref.canonical);
    await delay(this.resolveDelayMs, signal);
    if (this.resolveError) throw this.resolveError;
    const image = this.images.get(ref.canonical);
    if (!image) throw new RemoteError(`${ref.canonical}: manifest unknown`);
    return { ref, ...image.resolved };
  }

  async openBlob(_ref: ImageRef, desc: Descriptor, options: { signal?: AbortSignal } = {}): Promise<NodeJS.ReadableStream> {
    this.opens.set(desc.digest, (this.opens.get(desc.digest) ?? 0) + 1);
    const bytes = this.blobs.get(desc.digest);
    if (!bytes) throw new RemoteError(`blob ${desc.digest} unknown`);
    const gate = this.gates.get(desc.digest);
    const failing = this.failing.has(desc.digest);
    const chunk = this.chunk;
    const signal = options.signal;
    const served = this.served;
    return Readable.from(
      (async function* () {
        if (gate) await gate;
        const end = failing ? Math.floor(bytes.length / 2) : bytes.length;
        for (let i = 0; i < end; i += chunk) {
          if (signal?.aborted) throw signal.reason;
          const piece = bytes.subarray(i, Math.min(i + chunk, end));
          served.set(desc.digest, (served.get(desc.digest) ?? 0) + piece.length);
          yield piece;
          await delay(1);
        }
        if (failing) throw new RemoteError('connection reset by peer');
      })(),
    );
  }

  opened(digest: string): number {
    return this.opens.get(digest) ?? 0;
  }
}

/** A stand-in for unpack/extract.ts: gunzips, hashes, writes the payload to `<target>/payload`. */
export class FakeExtractor {
  readonly calls: string[] = [];
  /** Fails (as the real one does on a hostile entry) after the first chunk, when set. */
  failWith: Error | undefined;

  readonly extract = async (compressed: NodeJS.ReadableStream, target: string, options: { signal?: AbortSignal } = {}): Promise<{ diffId: string; size: number }> => {
    const parts: Buffer[] = [];
    await pipeline(
      compressed,
      createGunzip(),
      new Writable({
        write: (chunk: Buffer, _enc, done) => {
          parts.push(chunk);
          done(this.failWith ?? null);
        },
      }),
      { signal: options.signal ?? new AbortController().signal },
    );
    const bytes = Buffer.concat(parts);
    this.calls.push(sha256(bytes));
    await fs.writeFile(path.join(target, 'payload'), bytes);
    return { diffId: sha256(bytes), size: bytes.length };
  };
}

export function gunzipText(blob: Buffer): string {
  return gunzipSync(blob).toString();
}

export async function tempRoot(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'tscompose-store-'));
}

/** Every file and directory under `root`, relative, sorted (directories end in `/`). */
export async function tree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const rel = path.relative(root, path.join(dir, entry.name));
      if (entry.isDirectory()) {
        out.push(`${rel}/`);
        await walk(path.join(dir, entry.name));
      } else out.push(rel);
    }
  };
  await walk(root);
  return out.sort();
}

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
