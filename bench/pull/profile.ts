/**
 * `npx tsx bench/pull/profile.ts [--image NAME:TAG] [--runs N]`: where a tscompose pull spends
 * its time, stage by stage, in-process (no CLI start-up), each stage from a cold store:
 *
 *   download          the layer blobs from the registry, verified, drained (all layers at once)
 *   + gunzip          the same, decompressed with zlib
 *   extract           the layers from files, as the CLI extracts them (worker threads, all layers
 *                     at once): decompress + hash + write the files
 *   syncfs            `sync -f` of the file system afterwards (what durableLayers costs)
 *   pull (…)          BundledImageStore.pullImage with the worker extractor (as openImageStore
 *                     assembles it), with durableLayers on/off and streaming on/off
 *
 * Medians of N runs (default 3). `sync` runs before each measurement. Not part of the test suite.
 */
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { BundledImageStore } from '../../src/engine/bundled/images/bundled-image-store';
import { parseReference } from '../../src/engine/bundled/images/reference';
import { RegistryClient } from '../../src/engine/bundled/images/registry/client';
import { hostPlatform } from '../../src/engine/bundled/images/registry/platform';
import { syncFilesystem } from '../../src/engine/bundled/images/store/sync-filesystem';
import { createWorkerExtractor } from '../../src/engine/bundled/images/unpack/worker-extract';
import { runCommand } from '../../test/support/run-command';

const REGISTRY = '127.0.0.1:5000';

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function sink(): Writable {
  return new Writable({ write: (_c, _e, done) => done() });
}

async function timed(fn: () => Promise<void>): Promise<number> {
  await runCommand('sync', []);
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const image = argv.includes('--image') ? (argv[argv.indexOf('--image') + 1] ?? '') : 'wordpress:php7.4';
  const runs = argv.includes('--runs') ? Number(argv[argv.indexOf('--runs') + 1]) : 3;
  const config = { mirrors: [`http://${REGISTRY}`], insecure: [], mirrorOnly: true };
  const registry = new RegistryClient({ config });
  const ref = parseReference(image);
  const resolved = await registry.resolve(ref, hostPlatform());
  const compressed = resolved.layers.reduce((s, l) => s + l.size, 0);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'tscompose-profile-pull-'));
  const blobs = resolved.layers.map((_, i) => path.join(work, `layer-${i}.blob`));
  const results = new Map<string, number[]>();
  const add = (k: string, s: number): void => void results.set(k, [...(results.get(k) ?? []), s]);
  let uncompressed = 0;
  try {
    for (const [i, desc] of resolved.layers.entries()) {
      await pipeline(await registry.openBlob(ref, desc), createWriteStream(blobs[i] as string));
    }
    for (let run = 0; run < runs; run++) {
      add('download', await timed(async () => {
        await Promise.all(resolved.layers.map(async (d) => pipeline(await registry.openBlob(ref, d), sink())));
      }));
      add('download + gunzip', await timed(async () => {
        await Promise.all(resolved.layers.map(async (d) => pipeline(await registry.openBlob(ref, d), createGunzip(), sink())));
      }));
      add('gunzip only (from file)', await timed(async () => {
        await Promise.all(blobs.map((b) => pipeline(createReadStream(b), createGunzip(), sink())));
      }));
      const targets = blobs.map((_, i) => path.join(work, `x${run}-${i}`));
      const extractor = createWorkerExtractor();
      add('extract (from files, on workers, at once)', await timed(async () => {
        const sizes = await Promise.all(blobs.map(async (b, i) => {
          await fs.mkdir(targets[i] as string);
          return (await extractor.extractLayer(createReadStream(b), targets[i] as string)).size;
        }));
        uncompressed = sizes.reduce((a, n) => a + n, 0);
      }));
      const t = performance.now();
      await syncFilesystem(work);
      add('syncfs after extract', (performance.now() - t) / 1000);
      for (const tgt of targets) await fs.rm(tgt, { recursive: true, force: true });

      for (const [label, durableLayers, streaming] of [
        ['pull (durable, streaming) = the CLI', true, true],
        ['pull (no syncfs, streaming)', false, true],
        ['pull (durable, download then unpack)', true, false],
      ] as const) {
        const root = path.join(work, `root-${run}-${label.length}`);
        const client = new RegistryClient({ config });
        const store = new BundledImageStore({
          root,
          registry: client,
          extractLayer: (c, t, o) => extractor.extractLayer(c, t, o),
          platform: hostPlatform(),
          durableLayers,
          streaming,
        });
        add(label, await timed(async () => void (await store.pullImage(image))));
        client.close();
        await fs.rm(root, { recursive: true, force: true });
      }
      await extractor.close();
    }
  } finally {
    registry.close();
    await fs.rm(work, { recursive: true, force: true });
  }
  process.stdout.write(`bench/pull/profile: ${image}: ${resolved.layers.length} layers, ${(compressed / 1e6).toFixed(1)} MB compressed, ${(uncompressed / 1e6).toFixed(1)} MB uncompressed; medians of ${runs}\n`);
  for (const [k, xs] of results) process.stdout.write(`  ${k.padEnd(40)} ${median(xs).toFixed(3)} s   (${xs.map((x) => x.toFixed(2)).join(', ')})\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench/pull/profile: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
