import { ByteSource } from './byte-source';
import { LayerError } from './layer-error';
import { parsePax } from './pax';
import { BLOCK, cString, isZeroBlock, parseTarHeader, type TarHeader } from './tar-header';

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** One tar entry, its pax / GNU long-name headers already applied. */
export interface TarEntry {
  readonly type: TarEntryType;
  /** The name as the tar states it (UTF-8), not yet cleaned. */
  readonly name: string;
  /** Symlink target, or the hard link's target entry name. */
  readonly linkname: string;
  /** Permission bits with setuid, setgid and sticky (07777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Content length (0 for anything but regular files). */
  readonly size: number;
  /** Seconds since the epoch, possibly fractional (pax). */
  readonly mtime: number;
  readonly atime?: number;
  readonly devmajor: number;
  readonly devminor: number;
  /** Extended attributes (pax `SCHILY.xattr.*` / `LIBARCHIVE.xattr.*`). */
  readonly xattrs: ReadonlyMap<string, Buffer>;
  /** The content, streamed; may be left unread (the reader skips what is left). Read once. */
  readonly body: AsyncIterable<Buffer>;
}

/** pax, GNU long-name and long-link bodies larger than this are refused (Go's limit too). */
const MAX_SPECIAL = 1 << 20;

const utf8 = new TextDecoder('utf-8', { fatal: true });

const TYPES: Readonly<Record<string, TarEntryType>> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file', // contiguous file: a regular file everywhere but on Masscomp
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
};

/** Types whose size field does not announce content (Go's archive/tar ignores it too). */
const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6']);

/**
 * Reads tar entries (ustar, pax, GNU long names `L`/`K`) from `source`, one at a time: the
 * next header is read only after the consumer is done with the previous entry's body.
 * Stops at the first all-zero block (the end-of-archive marker) or at the end of the stream;
 * the caller drains whatever follows. pax global headers (`g`) are ignored, as Docker and
 * containerd ignore them. Sparse files, multi-volume and other exotic types fail (LayerError).
 */
export async function* readTar(source: ByteSource): AsyncGenerator<TarEntry> {
  let pax = new Map<string, Buffer>();
  let longName: Buffer | undefined;
  let longLink: Buffer | undefined;
  const truncated = (what: string) => (got: number) =>
    new LayerError(`the layer's tar is truncated: it ends inside ${what} (after ${got} bytes, at byte ${source.position})`);

  for (;;) {
    const offset = source.position;
    const block = await source.read(BLOCK, truncated('a header'));
    if (block === null) {
      if (pax.size > 0 || longName || longLink) throw new LayerError(`the layer's tar is truncated: it ends after an extended header (at byte ${offset})`);
      return;
    }
    if (isZeroBlock(block)) return;
    const header = parseTarHeader(block, offset);
    const where = `byte ${offset}`;

    const readSpecial = async (what: string): Promise<Buffer> => {
      if (header.size > MAX_SPECIAL) throw new LayerError(`${what} at ${where} is too large (${header.size} bytes, at most ${MAX_SPECIAL})`);
      const body = (await source.read(header.size, truncated(what))) ?? Buffer.alloc(0);
      await source.skip(padding(header.size), truncated(what));
      return body;
    };

    switch (header.typeflag) {
      case 'x':
        for (const [k, v] of parsePax(await readSpecial('a pax header'), where)) pax.set(k, v);
        continue;
      case 'g':
        await readSpecial('a pax global header');
        continue;
      case 'L':
        longName = cString(await readSpecial('a GNU long name'), 0, header.size);
        continue;
      case 'K':
        longLink = cString(await readSpecial('a GNU long link name'), 0, header.size);
        continue;
    }

    const entry = buildEntry(header, pax, longName, longLink, where);
    pax = new Map();
    longName = undefined;
    longLink = undefined;

    let remaining = entry.size;
    let consumed = false;
    const what = `the content of ${JSON.stringify(entry.name)}`;
    const body: AsyncIterable<Buffer> = {
      [Symbol.asyncIterator]: () => {
        if (consumed) throw new Error(`the body of tar entry ${entry.name} was already read`);
        consumed = true;
        return (async function* () {
          for await (const piece of source.take(remaining, truncated(what))) {
            remaining -= piece.length;
            yield piece;
          }
        })();
      },
    };
    yield { ...entry, body };
    await source.skip(remaining + padding(entry.size), truncated(what));
  }
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function buildEntry(
  header: TarHeader,
  pax: ReadonlyMap<string, Buffer>,
  longName: Buffer | undefined,
  longLink: Buffer | undefined,
  where: string,
): Omit<TarEntry, 'body'> {
  for (const key of pax.keys()) {
    if (key.startsWith('GNU.sparse.')) throw new LayerError(`sparse files are not supported (pax record ${key} at ${where})`);
  }
  const text = (key: string): string | undefined => {
    const v = pax.get(key);
    return v === undefined || v.length === 0 ? undefined : decodeName(v, `pax ${key} at ${where}`);
  };
  const int = (key: string, fallback: number): number => {
    const v = text(key);
    if (v === undefined) return fallback;
    if (!/^[0-9]{1,15}$/.test(v)) throw new LayerError(`invalid pax ${key} ${JSON.stringify(v)} at ${where}`);
    return Number(v);
  };
  const time = (key: string): number | undefined => {
    const v = text(key);
    if (v === undefined) return undefined;
    if (!/^-?[0-9]{1,15}(\.[0-9]*)?$/.test(v)) throw new LayerError(`invalid pax ${key} ${JSON.stringify(v)} at ${where}`);
    return Number(v);
  };

  const name = text('path') ?? decodeName(longName ?? header.name, `entry name at ${where}`);
  let type = TYPES[header.typeflag];
  if (type === undefined) {
    const flag = header.typeflag;
    const shown = /^[\x21-\x7e]$/.test(flag) ? `'${flag}'` : `0x${flag.charCodeAt(0).toString(16)}`;
    throw new LayerError(`unsupported tar entry type ${shown}`, name);
  }
  if (header.typeflag === '\0' && name.endsWith('/')) type = 'dir'; // old tars mark directories by the slash

  const xattrs = new Map<string, Buffer>();
  for (const [key, value] of pax) {
    if (key.startsWith('SCHILY.xattr.')) xattrs.set(key.slice('SCHILY.xattr.'.length), value);
    else if (key.startsWith('LIBARCHIVE.xattr.')) {
      let attr: string;
      try {
        attr = decodeURIComponent(key.slice('LIBARCHIVE.xattr.'.length));
      } catch {
        throw new LayerError(`invalid pax ${key} at ${where}`, name);
      }
      xattrs.set(attr, Buffer.from(value.toString('latin1'), 'base64'));
    }
  }

  const mtime = time('mtime') ?? header.mtime;
  const atime = time('atime') ?? (header.atime || undefined);
  return {
    type,
    name,
    linkname: text('linkpath') ?? decodeName(longLink ?? header.linkname, `link name at ${where}`),
    mode: header.mode,
    uid: int('uid', header.uid),
    gid: int('gid', header.gid),
    size: HEADER_ONLY.has(header.typeflag) ? 0 : int('size', header.size),
    mtime,
    ...(atime === undefined ? {} : { atime }),
    devmajor: int('SCHILY.devmajor', header.devmajor),
    devminor: int('SCHILY.devminor', header.devminor),
    xattrs,
  };
}

/** Names are stored as bytes; only UTF-8 can be written faithfully through Node's fs. */
function decodeName(bytes: Buffer, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new LayerError(`${what} is not valid UTF-8 (${JSON.stringify(bytes.toString('latin1'))}); such names are not supported`);
  }
}
