/**
 * Unpacked layers, one directory per chain ID, shared by every image that has the layer:
 * `<root>/layers/<chain hex>/diff/` (overlay-ready) and `meta.json`. A layer is unpacked
 * into `<root>/layers/tmp-…` and renamed into place only when it is complete and its diff
 * ID matched and its files were flushed to disk, so a directory named for a chain ID is always
 * whole, even after a crash. Concurrent requests for one layer unpack it once.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../../../errors';
import { syncDir } from './atomic-write';
import { chainId as computeChainId } from './chain-id';
import { DigestMismatchError } from './content-store';
import { parseDigest } from './digest';
import { fsyncFile, isMissing, readdirIfPresent, removeStale } from './fs-helpers';
import { SharedWork } from './shared-work';
import { syncFilesystem } from './sync-filesystem';

export interface LayerMeta {
  readonly chainId: string;
  readonly diffId: string;
  /** Chain ID of the layer below; absent for a bottom layer. */
  readonly parent?: string;
  /** Bytes of the uncompressed layer tar. */
  readonly size: number;
  /** Digest and size of the blob it was unpacked from, when known. */
  readonly compressedDigest?: string;
  readonly compressedSize?: number;
}

/** What the unpacker of a layer reports (the extractor's result). */
export interface UnpackResult {
  readonly diffId: string;
  readonly size: number;
}

export interface LayerSource {
  readonly chainId: string;
  /** The diff ID the image config announces; the unpacked content must match it. */
  readonly diffId: string;
  readonly parent?: string;
  readonly compressedDigest?: string;
  readonly compressedSize?: number;
  /** Fills `target` (an empty directory) with the layer's files. */
  readonly unpack: (target: string, signal: AbortSignal) => Promise<UnpackResult>;
}

export interface EnsureResult {
  readonly meta: LayerMeta;
  /** True when the layer was already on disk (or another caller unpacked it). */
  readonly existed: boolean;
}

const chainHex = /^[0-9a-f]{64}$/;

export class LayerStore {
  readonly dir: string;
  private readonly work = new SharedWork<EnsureResult>();

  /**
   * `sync` makes an unpacked layer durable before it is renamed into place (default: the
   * file system's syncfs, see sync-filesystem.ts); pass `null` to skip it (tests, benchmarks).
   */
  constructor(root: string, private readonly sync: ((dir: string) => Promise<void>) | null = syncFilesystem) {
    this.dir = path.join(root, 'layers');
  }

  /** Creates `layers/` and removes temp directories a crashed process left behind. */
  async init(staleAfterMs = 15 * 60_000): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    await removeStale(this.dir, (name) => name.startsWith('tmp-'), staleAfterMs);
  }

  /** `<root>/layers/<chain hex>` */
  layerDir(chainId: string): string {
    return path.join(this.dir, parseDigest(chainId).hex);
  }

  /** The unpacked files of a layer: the overlay lower directory. */
  diffPath(chainId: string): string {
    return path.join(this.layerDir(chainId), 'diff');
  }

  async get(chainId: string): Promise<LayerMeta | undefined> {
    try {
      return JSON.parse(await fs.readFile(path.join(this.layerDir(chainId), 'meta.json'), 'utf8')) as LayerMeta;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async has(chainId: string): Promise<boolean> {
    return (await this.get(chainId)) !== undefined;
  }

  /**
   * The layer, unpacked now unless it is on disk already. Concurrent calls for one chain ID
   * share one unpack; a directory that another process completed meanwhile is used as is.
   */
  async ensure(source: LayerSource, signal?: AbortSignal): Promise<EnsureResult> {
    const expected = computeChainId(source.parent, source.diffId);
    if (expected !== source.chainId) {
      throw new EngineError(`layer chain ID ${source.chainId} does not match its parent and diff ID (${expected})`);
    }
    const meta = await this.get(source.chainId);
    if (meta) return { meta, existed: true };
    return this.work.run(source.chainId, (s) => this.create(source, s), signal);
  }

  /** Removes a layer directory; false when it was not there. Never leaves a partial layer under its name. */
  async remove(chainId: string): Promise<boolean> {
    const doomed = await this.detach(chainId);
    if (doomed === undefined) return false;
    await this.purge(doomed);
    return true;
  }

  /**
   * Takes a layer out of its name at once (a rename to `tmp-rm-…`), so it no longer exists
   * for anyone; returns where it went (for `purge`), or undefined when it was not there.
   */
  async detach(chainId: string): Promise<string | undefined> {
    const doomed = path.join(this.dir, `tmp-rm-${parseDigest(chainId).hex.slice(0, 12)}-${randomBytes(4).toString('hex')}`);
    try {
      await fs.rename(this.layerDir(chainId), doomed);
      return doomed;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  /** Deletes a directory `detach` returned. */
  async purge(detached: string): Promise<void> {
    if (path.dirname(detached) !== this.dir || !path.basename(detached).startsWith('tmp-rm-')) {
      throw new EngineError(`refusing to purge ${detached}: not a detached layer`);
    }
    await fs.rm(detached, { recursive: true, force: true });
  }

  /** Chain IDs of every complete layer on disk. */
  async list(): Promise<string[]> {
    return (await readdirIfPresent(this.dir)).filter((name) => chainHex.test(name)).map((hex) => `sha256:${hex}`);
  }

  private async create(source: LayerSource, signal: AbortSignal): Promise<EnsureResult> {
    const again = await this.get(source.chainId);
    if (again) return { meta: again, existed: true };
    const hex = parseDigest(source.chainId).hex;
    await fs.mkdir(this.dir, { recursive: true });
    const temp = path.join(this.dir, `tmp-${hex.slice(0, 12)}-${randomBytes(4).toString('hex')}`);
    await fs.mkdir(temp, { mode: 0o700 });
    try {
      const diff = path.join(temp, 'diff');
      await fs.mkdir(diff, { mode: 0o755 });
      const result = await source.unpack(diff, signal);
      if (result.diffId !== source.diffId) {
        throw new DigestMismatchError(source.diffId, result.diffId, `the unpacked layer ${source.compressedDigest ?? source.chainId} (its diff ID)`);
      }
      const meta: LayerMeta = {
        chainId: source.chainId,
        diffId: result.diffId,
        ...(source.parent !== undefined ? { parent: source.parent } : {}),
        size: result.size,
        ...(source.compressedDigest !== undefined ? { compressedDigest: source.compressedDigest } : {}),
        ...(source.compressedSize !== undefined ? { compressedSize: source.compressedSize } : {}),
      };
      const metaFile = path.join(temp, 'meta.json');
      await fs.writeFile(metaFile, `${JSON.stringify(meta, null, 2)}\n`, { mode: 0o644 });
      if (this.sync) await this.sync(temp);
      else await fsyncFile(metaFile);
      await syncDir(temp);
      await fs.chmod(temp, 0o755);
      try {
        await fs.rename(temp, path.join(this.dir, hex));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const winner = code === 'ENOTEMPTY' || code === 'EEXIST' ? await this.get(source.chainId) : undefined;
        if (!winner) throw err;
        await fs.rm(temp, { recursive: true, force: true });
        return { meta: winner, existed: true };
      }
      await syncDir(this.dir);
      return { meta, existed: false };
    } catch (err) {
      await fs.rm(temp, { recursive: true, force: true });
      throw err;
    }
  }
}
