/**
 * Reading an image archive (a tar, possibly gzip- or zstd-compressed) into temp files: every
 * regular member is streamed to its own file under a spool directory, hashed as it is written,
 * so no member is ever held in memory and the loader can then read members in any order.
 *
 * Only files, directories and links are accepted. Links are resolved by name, inside the
 * archive, never on the host: a symbolic or hard link must end at a regular file member
 * (docker save links `<id>/layer.tar` to a layer written once). A link to a directory, to an
 * absolute path or above the archive root fails, as do `..` and absolute member names.
 * Members named `blobs/sha256/<hex>` (OCI layout, Docker ≥ 25) are checked against their name.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ByteSource } from '../unpack/byte-source';
import { decompressed } from '../unpack/decompress';
import { LayerError, messageOf } from '../unpack/layer-error';
import { readTar, type TarEntry } from '../unpack/tar-reader';
import { archiveError } from './archive-error';
import { linkTarget, memberName } from './member-name';

/** One regular member, spooled. */
export interface SpooledFile {
  /** The clean member name (`blobs/sha256/…`, `abc/layer.tar`). */
  readonly name: string;
  /** The temp file holding its bytes. */
  readonly path: string;
  readonly size: number;
  /** `sha256:<hex>` of its bytes. */
  readonly digest: string;
}

/** JSON members (manifest.json, index.json, configs, manifests) larger than this are refused. */
export const MAX_JSON_BYTES = 32 << 20;
const MAX_LINK_HOPS = 16;
const BLOB_NAME = /^blobs\/sha256\/([0-9a-f]{64})$/;

export class SpooledArchive {
  constructor(
    /** The spool directory (removed by `remove`). */
    readonly dir: string,
    private readonly files: ReadonlyMap<string, SpooledFile>,
    /** link name → the file member it ends at */
    private readonly links: ReadonlyMap<string, string>,
  ) {}

  /** The file member `name` (a clean name) is, or links to. */
  find(name: string): SpooledFile | undefined {
    return this.files.get(this.links.get(name) ?? name);
  }

  /** Every file member's name, links included, in no particular order. */
  names(): string[] {
    return [...this.files.keys(), ...this.links.keys()];
  }

  /**
   * The file a path found in the archive's metadata names: `referrer` (the member holding the
   * path, e.g. `manifest.json`) and `what` (`Layers[2]`) say where, should the path leave the
   * archive or name nothing in it.
   */
  file(pathName: string, referrer: string, what: string): SpooledFile {
    const file = this.find(memberName(pathName, referrer, what));
    if (file === undefined) throw archiveError(`${what} names ${JSON.stringify(pathName)}, which is not a file in the archive`, referrer);
    return file;
  }

  /** The bytes of a small member (JSON), read whole. */
  async read(file: SpooledFile): Promise<Buffer> {
    if (file.size > MAX_JSON_BYTES) throw archiveError(`too large for metadata (${file.size} bytes, at most ${MAX_JSON_BYTES})`, file.name);
    return fs.readFile(file.path);
  }

  /** A member's content parsed as JSON (throws naming the member when it is not JSON). */
  async readJson(file: SpooledFile): Promise<{ readonly bytes: Buffer; readonly json: unknown }> {
    const bytes = await this.read(file);
    try {
      return { bytes, json: JSON.parse(bytes.toString('utf8')) as unknown };
    } catch (err) {
      throw archiveError(`not valid JSON (${messageOf(err)})`, file.name);
    }
  }

  open(file: SpooledFile): Readable {
    return createReadStream(file.path, { highWaterMark: 1 << 20 });
  }

  async remove(): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Spools the archive `tar` into `dir` (created here; its parent must exist). On failure `dir`
 * is removed and the error names the member at fault; the input is read to its end on success.
 */
export async function spoolArchive(tar: NodeJS.ReadableStream, dir: string, options: { readonly signal?: AbortSignal } = {}): Promise<SpooledArchive> {
  const input = tar instanceof Readable ? tar : new Readable().wrap(tar);
  await fs.mkdir(dir, { mode: 0o700 });
  const files = new Map<string, SpooledFile>();
  const rawLinks = new Map<string, string>();
  const dirs = new Set<string>();
  const onAbort = (): void => {
    input.destroy(options.signal?.reason instanceof Error ? options.signal.reason : new Error('aborted'));
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    options.signal?.throwIfAborted();
    const { stream } = await decompressed(input).catch((err: unknown) => {
      throw tarProblem(err);
    });
    const source = new ByteSource(stream[Symbol.asyncIterator](), () => undefined);
    let entries = 0;
    try {
      for await (const entry of readTar(source)) {
        entries++;
        options.signal?.throwIfAborted();
        const name = memberName(entry.name);
        if (entry.type === 'dir') {
          dirs.add(name);
          continue;
        }
        if (name === '') throw archiveError(`a ${entry.type} entry names the archive root`, entry.name);
        if (files.has(name) || rawLinks.has(name)) throw archiveError('appears twice in the archive', entry.name);
        if (entry.type === 'file') {
          files.set(name, await spoolMember(entry, name, path.join(dir, String(files.size))));
        } else if (entry.type === 'symlink') {
          rawLinks.set(name, linkTarget(name, entry.linkname));
        } else if (entry.type === 'hardlink') {
          const target = memberName(entry.linkname, entry.name, 'its link target');
          if (!files.has(target) && !rawLinks.has(target)) {
            throw archiveError(`a hard link to ${JSON.stringify(entry.linkname)}, which is not a file before it in the archive`, entry.name);
          }
          rawLinks.set(name, target);
        } else {
          const kind = entry.type === 'fifo' ? 'a FIFO' : `a ${entry.type === 'char' ? 'character' : 'block'} device`;
          throw archiveError(`is ${kind}; an image archive holds only files, directories and links`, entry.name);
        }
      }
      await source.drain();
    } catch (err) {
      throw tarProblem(err, entries === 0);
    }
    return new SpooledArchive(dir, files, resolveLinks(rawLinks, files, dirs));
  } catch (err) {
    input.destroy();
    await fs.rm(dir, { recursive: true, force: true });
    throw options.signal?.aborted ? options.signal.reason : err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

async function spoolMember(entry: TarEntry, name: string, file: string): Promise<SpooledFile> {
  const hash = createHash('sha256');
  let size = 0;
  async function* hashed(): AsyncGenerator<Buffer> {
    for await (const chunk of entry.body) {
      hash.update(chunk);
      size += chunk.length;
      yield chunk;
    }
  }
  await pipeline(hashed(), createWriteStream(file, { flags: 'wx', mode: 0o600, highWaterMark: 1 << 20 }));
  const hex = hash.digest('hex');
  const named = BLOB_NAME.exec(name);
  if (named && named[1] !== hex) {
    throw archiveError(`digest mismatch: its content is sha256:${hex}, not the digest its name says`, entry.name);
  }
  return { name, path: file, size, digest: `sha256:${hex}` };
}

/** link name → the file member it ends at; throws for a link ending anywhere else. */
function resolveLinks(rawLinks: ReadonlyMap<string, string>, files: ReadonlyMap<string, SpooledFile>, dirs: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, first] of rawLinks) {
    let target = first;
    for (let hops = 0; rawLinks.has(target); hops++) {
      if (hops >= MAX_LINK_HOPS) throw archiveError('too many levels of links', name);
      target = rawLinks.get(target) as string;
    }
    if (!files.has(target)) {
      const what = target === '' || dirs.has(target) || [...files.keys()].some((f) => f.startsWith(`${target}/`)) ? 'the directory' : 'the missing member';
      throw archiveError(`a link to ${what} ${JSON.stringify(target)}: only links to files inside the archive are accepted`, name);
    }
    out.set(name, target);
  }
  return out;
}

/** The tar reader's and decompressor's errors speak of layers: say "archive" instead. */
function tarProblem(err: unknown, atStart = false): unknown {
  if (err instanceof LayerError) {
    const message = (atStart ? 'not a tar archive: ' : '') + err.message
      .replace(/the layer's tar/g, 'the archive')
      .replace(/^layer entry /, 'member ')
      .replace(/unsupported layer compression/, 'unsupported compression');
    return archiveError(message, undefined, { cause: err });
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) return archiveError(`invalid gzip data: ${messageOf(err)}`, undefined, { cause: err });
  return err;
}
