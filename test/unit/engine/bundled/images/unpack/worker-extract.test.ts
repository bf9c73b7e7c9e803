/**
 * The worker-thread extractor keeps extract.ts's contract: the same tree and diff ID, the
 * input's own error (a digest mismatch at the very end) wins, hostile entries are refused
 * with a LayerError naming them, an abort stops it, and a small pool runs many layers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { extractLayer } from '../../../../../../src/engine/bundled/images/unpack/extract';
import { LayerError } from '../../../../../../src/engine/bundled/images/unpack/layer-error';
import { createWorkerExtractor, type WorkerExtractor } from '../../../../../../src/engine/bundled/images/unpack/worker-extract';
import { makeSandbox, type Sandbox } from './sandbox';
import { buildTar, chunked, type TarSpec } from './tar-builder';
import { listTree } from './tree-listing';

jest.setTimeout(30_000);

let box: Sandbox;
let extractor: WorkerExtractor;
beforeEach(() => {
  box = makeSandbox();
  extractor = createWorkerExtractor({ maxWorkers: 2 });
});
afterEach(async () => {
  await extractor.close();
  box.remove();
});

const big = Buffer.alloc(3 << 20, 7); // several chunks: flow control is exercised
const layer: TarSpec[] = [
  { name: 'etc/', type: 'dir', mode: 0o755 },
  { name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n', mode: 0o644 },
  { name: 'usr/bin/tool', content: big, mode: 0o4755 },
  { name: 'usr/bin/alias', type: 'hardlink', linkname: 'usr/bin/tool' },
  { name: 'usr/lib/link', type: 'symlink', linkname: '../bin/tool' },
  { name: 'gone/.wh.file', content: '' },
];

function dir(name: string): string {
  const d = path.join(box.dir, name);
  fs.mkdirSync(d);
  return d;
}

describe('createWorkerExtractor', () => {
  it('gives the same tree and diff ID as the in-thread extractor', async () => {
    const tar = buildTar(layer);
    const inThread = dir('a');
    const inWorker = dir('b');
    const expected = await extractLayer(chunked(tar, 64 << 10), inThread);
    const got = await extractor.extractLayer(chunked(tar, 64 << 10), inWorker);
    expect(got).toEqual(expected);
    // directories the tar implies and whiteout devices get the time of the extraction: compare the rest
    const implied = new Set(['.', 'usr', 'usr/bin', 'usr/lib', 'gone', 'gone/file']);
    const comparable = (dir: string): unknown[] => [...listTree(dir)].map(([p, r]) => [p, implied.has(p) ? { ...r, mtime: 0 } : r]);
    expect(comparable(inWorker)).toEqual(comparable(inThread));
  });

  it('rejects with the input’s own error when it fails at the very end, after the whole tar', async () => {
    const tar = buildTar(layer);
    const input = new PassThrough();
    const mismatch = new Error('digest mismatch: expected sha256:aaa, got sha256:bbb');
    const done = extractor.extractLayer(input, box.target);
    input.write(tar);
    setTimeout(() => input.destroy(mismatch), 50);
    await expect(done).rejects.toBe(mismatch);
  });

  it('refuses a hostile entry with a LayerError naming it, and writes nothing outside', async () => {
    const before = box.snapshot();
    const err: unknown = await extractor
      .extractLayer(chunked(buildTar([{ name: '../secret', content: 'pwned' }])), box.target)
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(LayerError);
    expect((err as LayerError).entry).toBe('../secret');
    expect((err as Error).message).toContain('layer entry "../secret"');
    expect(box.snapshot()).toEqual(before);
  });

  it('stops when the signal is aborted, with the signal’s reason', async () => {
    const input = new PassThrough();
    const ac = new AbortController();
    const done = extractor.extractLayer(input, box.target, { signal: ac.signal });
    input.write(buildTar(layer).subarray(0, 1 << 20));
    const reason = new Error('pull cancelled');
    setTimeout(() => ac.abort(reason), 50);
    await expect(done).rejects.toBe(reason);
  });

  it('runs more layers than workers, each into its own directory, and is reusable after a refusal', async () => {
    const targets = [0, 1, 2, 3, 4].map((i) => dir(`layer${i}`));
    const results = await Promise.all(
      targets.map((t, i) => extractor.extractLayer(chunked(buildTar([{ name: `file${i}`, content: `layer ${i}\n` }])), t)),
    );
    expect(new Set(results.map((r) => r.diffId)).size).toBe(5);
    targets.forEach((t, i) => expect(fs.readFileSync(path.join(t, `file${i}`), 'utf8')).toBe(`layer ${i}\n`));
    await expect(extractor.extractLayer(chunked(buildTar([{ name: 'a/../../escape', content: 'x' }])), dir('bad'))).rejects.toBeInstanceOf(LayerError);
    const again = dir('again');
    await extractor.extractLayer(Readable.from([buildTar([{ name: 'ok', content: 'ok' }])]), again);
    expect(fs.readFileSync(path.join(again, 'ok'), 'utf8')).toBe('ok');
  });

  it('refuses work once closed', async () => {
    await extractor.close();
    await expect(extractor.extractLayer(chunked(buildTar(layer)), box.target)).rejects.toThrow('closed');
  });
});
