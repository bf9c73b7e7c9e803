/**
 * A fake container's files, in memory: what `copyTo` extracts and `copyFrom` archives, and
 * what a test writes or reads directly. Paths are absolute POSIX paths; parents are created
 * as needed. Tar in: ustar/pax/GNU (the bundled engine's reader); tar out: files and
 * directories (symlinks are left out of archives).
 */
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { InvalidArgumentError } from '../errors';
import { TAR_END, tarHeader, tarPadding } from '../bundled/tar/tar-writer';
import { ByteSource, isStreamFailure } from '../bundled/images/unpack/byte-source';
import { messageOf } from '../bundled/images/unpack/layer-error';
import { readTar } from '../bundled/images/unpack/tar-reader';

export type MemoryEntry =
  | { readonly type: 'dir'; readonly mode: number }
  | { readonly type: 'file'; readonly mode: number; readonly content: Buffer }
  | { readonly type: 'symlink'; readonly target: string };

export class MemoryFilesystem {
  private readonly entries = new Map<string, MemoryEntry>([['/', { type: 'dir', mode: 0o755 }]]);

  static normalize(p: string): string {
    return path.posix.resolve('/', p);
  }

  stat(p: string): MemoryEntry | undefined {
    return this.entries.get(MemoryFilesystem.normalize(p));
  }

  readFile(p: string): Buffer | undefined {
    const e = this.stat(p);
    return e?.type === 'file' ? e.content : undefined;
  }

  /** Every path, sorted. */
  paths(): string[] {
    return [...this.entries.keys()].sort();
  }

  mkdir(p: string, mode = 0o755): void {
    const target = MemoryFilesystem.normalize(p);
    if (target === '/') return;
    this.mkdir(path.posix.dirname(target));
    const existing = this.entries.get(target);
    if (existing?.type === 'dir') return;
    if (existing) throw new InvalidArgumentError(`cannot create directory ${target}: a ${existing.type} is in the way`);
    this.entries.set(target, { type: 'dir', mode });
  }

  writeFile(p: string, content: string | Buffer, mode = 0o644): void {
    const target = MemoryFilesystem.normalize(p);
    this.mkdir(path.posix.dirname(target));
    if (this.entries.get(target)?.type === 'dir') throw new InvalidArgumentError(`cannot write ${target}: it is a directory`);
    this.entries.set(target, { type: 'file', mode, content: Buffer.isBuffer(content) ? content : Buffer.from(content) });
  }

  symlink(p: string, target: string): void {
    const at = MemoryFilesystem.normalize(p);
    this.mkdir(path.posix.dirname(at));
    this.entries.set(at, { type: 'symlink', target });
  }

  /** A tar of `p` (named by its base name, as Docker's archive GET); undefined when `p` does not exist. */
  tar(p: string): Readable | undefined {
    const root = MemoryFilesystem.normalize(p);
    if (!this.entries.has(root)) return undefined;
    const base = root === '/' ? '.' : path.posix.basename(root);
    const chunks: Buffer[] = [];
    for (const at of this.paths()) {
      if (at !== root && !at.startsWith(root === '/' ? '/' : `${root}/`)) continue;
      const e = this.entries.get(at) as MemoryEntry;
      const name = at === root ? base : path.posix.join(base, at.slice(root.length + (root === '/' ? 0 : 1)));
      if (e.type === 'dir') chunks.push(tarHeader({ name, type: 'dir', mode: e.mode }));
      else if (e.type === 'file') chunks.push(tarHeader({ name, type: 'file', size: e.content.length, mode: e.mode }), e.content, tarPadding(e.content.length));
    }
    chunks.push(TAR_END);
    return Readable.from(chunks, { objectMode: false });
  }

  /** Extracts a tar into the directory `dir` (entries can never land outside it). */
  async extract(dir: string, tar: NodeJS.ReadableStream): Promise<void> {
    const into = MemoryFilesystem.normalize(dir);
    const source = new ByteSource(tar[Symbol.asyncIterator](), () => undefined);
    const at = (name: string): string => path.posix.join(into, path.posix.normalize(`/${name}`));
    try {
      for await (const entry of readTar(source)) {
        const target = at(entry.name);
        switch (entry.type) {
          case 'dir':
            this.mkdir(target, entry.mode);
            break;
          case 'file': {
            const parts: Buffer[] = [];
            for await (const piece of entry.body) parts.push(piece);
            this.writeFile(target, Buffer.concat(parts), entry.mode);
            break;
          }
          case 'symlink':
            this.symlink(target, entry.linkname);
            break;
          case 'hardlink': {
            const linked = this.stat(at(entry.linkname));
            if (linked?.type === 'file') this.writeFile(target, linked.content, linked.mode);
            break;
          }
          default:
            break; // devices and fifos: nothing a fake keeps
        }
      }
      await source.drain();
    } catch (err) {
      if (err instanceof InvalidArgumentError || isStreamFailure(err)) throw err;
      throw new InvalidArgumentError(`invalid tar archive: ${messageOf(err)}`, { cause: err });
    }
  }
}
