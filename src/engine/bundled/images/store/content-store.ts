/**
 * Content-addressed blobs (`<root>/content/blobs/<alg>/<hex>`): layers as downloaded,
 * image configs, manifests. A blob is written to `<root>/content/ingest/`, hashed while
 * it is written, fsynced, and renamed into place only when its digest matches; a
 * mismatch deletes the temp file and fails. Concurrent `ingest`s of one digest share
 * one download and one write.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable, Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EngineError, ObjectNotFoundError } from '../../../errors';
import { syncDir } from './atomic-write';
import { isMissing, readdirIfPresent, removeStale } from './fs-helpers';
import { parseDigest } from './digest';
import { SharedWork } from './shared-work';

/** The bytes did not hash to the digest (or add up to the size) they were announced with. */
export class DigestMismatchError extends EngineError {
  override readonly name = 'DigestMismatchError';
  constructor(readonly expected: string, readonly actual: string, what = 'content', kind = 'digest') {
    super(`${kind} mismatch: ${what} should be ${expected} but is ${actual}`);
  }

  static size(digest: string, expected: number, actual: string): DigestMismatchError {
    return new DigestMismatchError(`${expected} bytes`, actual, `blob ${digest}`, 'size');
  }
}

export interface IngestOptions {
  /** The announced size; more or fewer bytes fail the ingest. */
  readonly size?: number;
  readonly signal?: AbortSignal;
}

export interface IngestResult {
  readonly digest: string;
  readonly size: number;
  /** True when the blob was already in the store and nothing was written. */
  readonly existed: boolean;
}

export class ContentStore {
  readonly dir: string;
  private readonly ingestDir: string;
  private readonly work = new SharedWork<IngestResult>();

  constructor(root: string) {
    this.dir = path.join(root, 'content');
    this.ingestDir = path.join(this.dir, 'ingest');
  }

  /**
   * Creates the directories and removes temp files a crashed process left in `ingest/`
   * (those not written to for `staleAfterMs`, so a live ingest of another process survives).
   */
  async init(staleAfterMs = 15 * 60_000): Promise<void> {
    await fs.mkdir(path.join(this.dir, 'blobs', 'sha256'), { recursive: true });
    await fs.mkdir(this.ingestDir, { recursive: true });
    await removeStale(this.ingestDir, () => true, staleAfterMs);
  }

  path(digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    return path.join(this.dir, 'blobs', algorithm, hex);
  }

  async has(digest: string): Promise<boolean> {
    try {
      return (await fs.stat(this.path(digest))).isFile();
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  async size(digest: string): Promise<number> {
    try {
      return (await fs.stat(this.path(digest))).size;
    } catch (err) {
      throw isMissing(err) ? notFound(digest) : err;
    }
  }

  /** A stream of the blob's bytes; ObjectNotFoundError when it is not in the store. */
  async open(digest: string): Promise<NodeJS.ReadableStream> {
    const file = this.path(digest);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'r');
    } catch (err) {
      throw isMissing(err) ? notFound(digest) : err;
    }
    return handle.createReadStream({ highWaterMark: 1 << 20 });
  }

  async read(digest: string): Promise<Buffer> {
    try {
      return await fs.readFile(this.path(digest));
    } catch (err) {
      throw isMissing(err) ? notFound(digest) : err;
    }
  }

  /**
   * Stores the blob `digest` from the stream `open` gives, unless it is already stored.
   * Concurrent calls for one digest share the first call's work (`open` is called once).
   */
  ingest(digest: string, open: (signal: AbortSignal) => Promise<NodeJS.ReadableStream>, options: IngestOptions = {}): Promise<IngestResult> {
    parseDigest(digest);
    return this.work.run(
      digest,
      async (signal) => {
        const existing = await this.sizeIfPresent(digest);
        if (existing !== undefined) return { digest, size: existing, existed: true };
        return this.ingestStream(digest, await open(signal), { size: options.size, signal });
      },
      options.signal,
    );
  }

  /**
   * Writes `stream` as the blob `digest`, consuming it whole even when the blob is already
   * stored (so a stream teed to another consumer keeps flowing). Renames into place only
   * when the digest (and size, when given) match.
   */
  async ingestStream(digest: string, stream: NodeJS.ReadableStream, options: IngestOptions = {}): Promise<IngestResult> {
    const { algorithm } = parseDigest(digest);
    await fs.mkdir(this.ingestDir, { recursive: true });
    const temp = path.join(this.ingestDir, `${parseDigest(digest).hex}-${randomBytes(6).toString('hex')}`);
    const tap = new HashTap(algorithm, options.size, (n) => DigestMismatchError.size(digest, n, 'more'));
    // opened here, not by the write stream, so that no late open can recreate it after clean-up
    const handle = await fs.open(temp, 'wx', 0o644);
    let closed = false;
    try {
      await pipeline(stream, tap, writeInto(handle), { signal: options.signal });
      const actual = `${algorithm}:${tap.digest()}`;
      if (actual !== digest) throw new DigestMismatchError(digest, actual);
      if (options.size !== undefined && tap.bytes !== options.size) {
        throw DigestMismatchError.size(digest, options.size, `${tap.bytes} bytes`);
      }
      await handle.sync();
      await handle.close();
      closed = true;
      const target = this.path(digest);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(temp, target);
      await syncDir(path.dirname(target));
      return { digest, size: tap.bytes, existed: false };
    } catch (err) {
      if (!closed) await handle.close().catch(() => undefined);
      await fs.rm(temp, { force: true });
      throw err;
    }
  }

  /** Stores bytes already in memory (a config, a manifest) after checking their digest. */
  async put(digest: string, bytes: Buffer): Promise<IngestResult> {
    const existing = await this.sizeIfPresent(digest);
    if (existing !== undefined) return { digest, size: existing, existed: true };
    return this.ingestStream(digest, Readable.from([bytes]), { size: bytes.length });
  }

  /** Removes a blob; false when it was not there. */
  async delete(digest: string): Promise<boolean> {
    try {
      await fs.unlink(this.path(digest));
      return true;
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  /** Every stored digest. */
  async list(): Promise<string[]> {
    const out: string[] = [];
    const blobs = path.join(this.dir, 'blobs');
    for (const algorithm of await readdirIfPresent(blobs)) {
      for (const hex of await readdirIfPresent(path.join(blobs, algorithm))) {
        const digest = `${algorithm}:${hex}`;
        try {
          parseDigest(digest);
          out.push(digest);
        } catch {
          // not a blob of ours; leave it alone
        }
      }
    }
    return out;
  }

  private async sizeIfPresent(digest: string): Promise<number | undefined> {
    try {
      return (await fs.stat(this.path(digest))).size;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }
}

/** Passes bytes through while hashing and counting them; fails early past `limit`. */
class HashTap extends Transform {
  private readonly hash;
  bytes = 0;

  constructor(
    algorithm: string,
    private readonly limit?: number,
    private readonly tooMany?: (limit: number) => Error,
  ) {
    super();
    this.hash = createHash(algorithm);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.limit !== undefined && this.bytes > this.limit) {
      done(this.tooMany?.(this.limit) ?? new EngineError(`more than the announced ${this.limit} bytes`));
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** A writable onto an open file that leaves closing to the owner of the handle. */
function writeInto(handle: fs.FileHandle): Writable {
  const writeAll = async (chunks: readonly Buffer[]): Promise<void> => {
    for (const chunk of chunks) {
      let at = 0;
      while (at < chunk.length) at += (await handle.write(chunk, at, chunk.length - at)).bytesWritten;
    }
  };
  return new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _encoding, done) {
      writeAll([chunk]).then(() => done(), done);
    },
    writev(chunks, done) {
      writeAll(chunks.map((c) => c.chunk as Buffer)).then(() => done(), done);
    },
  });
}

function notFound(digest: string): ObjectNotFoundError {
  return new ObjectNotFoundError(`blob ${digest} is not in the content store`);
}
