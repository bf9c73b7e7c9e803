import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { ContentStore, DigestMismatchError } from '../../../../../../src/engine/bundled/images/store/content-store';
import { InvalidArgumentError, ObjectNotFoundError } from '../../../../../../src/engine/errors';
import { delay, sha256, tempRoot, tree } from './fakes';

describe('ContentStore', () => {
  let root: string;
  let store: ContentStore;
  beforeEach(async () => {
    root = await tempRoot();
    store = new ContentStore(root);
    await store.init();
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  const bytes = Buffer.from('hello, blob');
  const digest = sha256(bytes);
  const chunks = (b: Buffer, size = 3): Readable =>
    Readable.from((function* () {
      for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
    })());

  it('stores a blob under content/blobs/sha256/<hex> and reads it back', async () => {
    const result = await store.ingestStream(digest, chunks(bytes), { size: bytes.length });
    expect(result).toEqual({ digest, size: bytes.length, existed: false });
    const file = path.join(root, 'content', 'blobs', 'sha256', digest.slice(7));
    expect(await fs.readFile(file)).toEqual(bytes);
    expect(store.path(digest)).toBe(file);
    expect(await store.has(digest)).toBe(true);
    expect(await store.size(digest)).toBe(bytes.length);
    expect(await store.read(digest)).toEqual(bytes);
    const parts: Buffer[] = [];
    for await (const part of (await store.open(digest)) as AsyncIterable<Buffer>) parts.push(part);
    expect(Buffer.concat(parts)).toEqual(bytes);
    expect(await store.list()).toEqual([digest]);
    expect(await fs.readdir(path.join(root, 'content', 'ingest'))).toEqual([]);
  });

  it('refuses bytes that do not match the digest and keeps nothing', async () => {
    const wrong = sha256('something else');
    await expect(store.ingestStream(wrong, chunks(bytes))).rejects.toBeInstanceOf(DigestMismatchError);
    await expect(store.ingestStream(wrong, chunks(bytes))).rejects.toThrow(`should be ${wrong} but is ${digest}`);
    expect(await store.has(wrong)).toBe(false);
    expect(await tree(path.join(root, 'content'))).toEqual(['blobs/', 'blobs/sha256/', 'ingest/']);
  });

  it('refuses more or fewer bytes than announced', async () => {
    await expect(store.ingestStream(digest, chunks(bytes), { size: 4 })).rejects.toThrow(
      new DigestMismatchError('4 bytes', 'more', `blob ${digest}`, 'size'),
    );
    await expect(store.ingestStream(digest, chunks(bytes), { size: bytes.length + 1 })).rejects.toThrow(
      `size mismatch: blob ${digest} should be ${bytes.length + 1} bytes but is ${bytes.length} bytes`,
    );
    expect(await store.has(digest)).toBe(false);
    expect(await fs.readdir(path.join(root, 'content', 'ingest'))).toEqual([]);
  });

  it('removes the temp file when the source stream fails', async () => {
    const failing = Readable.from((async function* () {
      yield Buffer.from('hel');
      await delay(5);
      throw new Error('connection reset');
    })());
    await expect(store.ingestStream(digest, failing)).rejects.toThrow('connection reset');
    expect(await fs.readdir(path.join(root, 'content', 'ingest'))).toEqual([]);
    expect(await store.has(digest)).toBe(false);
  });

  it('does the work of concurrent ingests of one digest once', async () => {
    let opens = 0;
    const open = async (): Promise<NodeJS.ReadableStream> => {
      opens += 1;
      await delay(10);
      return chunks(bytes);
    };
    const results = await Promise.all([store.ingest(digest, open), store.ingest(digest, open), store.ingest(digest, open)]);
    expect(opens).toBe(1);
    expect(results.map((r) => r.size)).toEqual([bytes.length, bytes.length, bytes.length]);
    // and not at all once it is stored
    expect(await store.ingest(digest, open)).toEqual({ digest, size: bytes.length, existed: true });
    expect(opens).toBe(1);
  });

  it('stores buffers with put, checking their digest', async () => {
    expect((await store.put(digest, bytes)).existed).toBe(false);
    expect((await store.put(digest, bytes)).existed).toBe(true);
    await expect(store.put(sha256('x'), bytes)).rejects.toBeInstanceOf(DigestMismatchError);
  });

  it('rejects digests that could name a path outside the store', async () => {
    for (const bad of ['sha256:../../etc/passwd', 'sha256:' + 'A'.repeat(64), 'md5:' + 'a'.repeat(32), '../x']) {
      expect(() => store.path(bad)).toThrow(InvalidArgumentError);
      await expect(store.ingestStream(bad, chunks(bytes))).rejects.toBeInstanceOf(InvalidArgumentError);
    }
  });

  it('deletes blobs and reports missing ones', async () => {
    await store.put(digest, bytes);
    expect(await store.delete(digest)).toBe(true);
    expect(await store.delete(digest)).toBe(false);
    await expect(store.open(digest)).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.size(digest)).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.read(digest)).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('clears stale temp files at init', async () => {
    await fs.writeFile(path.join(root, 'content', 'ingest', 'leftover'), 'x');
    await store.init(60_000);
    expect(await fs.readdir(path.join(root, 'content', 'ingest'))).toEqual(['leftover']);
    await store.init(0);
    expect(await fs.readdir(path.join(root, 'content', 'ingest'))).toEqual([]);
  });
});
