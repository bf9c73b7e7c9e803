/**
 * Real layers from the local stand-in registry (127.0.0.1:5000, started by
 * shared/fixtures/standin-images.sh): each is streamed from the registry into extractLayer and
 * compared with GNU tar's extraction of the same blob — paths, types, modes, owners, sizes,
 * contents, link targets, hard-link groups, times, extended attributes — with whiteouts
 * mapped (`.wh.x` file in tar's tree = 0:0 character device `x` in ours). The diff ID must be
 * the one the image config announces.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extractLayer } from '../../../src/engine/bundled/images/unpack/extract';
import { listTree, treeXattrs, type TreeRecord } from '../../unit/engine/bundled/images/unpack/tree-listing';

jest.setTimeout(180_000);

const REGISTRY = 'http://127.0.0.1:5000';
const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
const ARCH = process.arch === 'arm64' ? 'arm64' : 'amd64';

interface Layer {
  readonly repo: string;
  readonly digest: string;
  readonly diffId: string;
}

/** GET without keep-alive (no socket outlives the test). */
function get(url: string, accept?: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: accept ? { accept } : {} }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET ${url}: ${res.statusCode}`));
      } else resolve(res);
    });
    req.on('error', reject);
  });
}

async function json(url: string): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const chunk of await get(url, ACCEPT)) parts.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
}

/** The layers of `repo:tag` for this host's architecture, with their diff IDs. */
async function layersOf(repo: string, tag: string): Promise<Layer[]> {
  let manifest = await json(`${REGISTRY}/v2/${repo}/manifests/${tag}`);
  if (Array.isArray(manifest['manifests'])) {
    const entries = manifest['manifests'] as Array<{ digest: string; platform?: { architecture?: string } }>;
    const pick = entries.find((m) => m.platform?.architecture === ARCH) ?? entries[0]!;
    manifest = await json(`${REGISTRY}/v2/${repo}/manifests/${pick.digest}`);
  }
  const config = await json(`${REGISTRY}/v2/${repo}/blobs/${(manifest['config'] as { digest: string }).digest}`);
  const diffIds = (config['rootfs'] as { diff_ids: string[] }).diff_ids;
  return (manifest['layers'] as Array<{ digest: string }>).map((l, i) => ({ repo, digest: l.digest, diffId: diffIds[i]! }));
}

function blobStream(layer: Layer): Promise<Readable> {
  return get(`${REGISTRY}/v2/${layer.repo}/blobs/${layer.digest}`);
}

let work: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-unpack-registry-'));
});
afterEach(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

/** Tar's tree, rewritten to what an overlay-ready extraction must look like. */
function expectedFromTar(tarTree: Map<string, TreeRecord>, explicit: ReadonlySet<string>): Map<string, TreeRecord> {
  const out = new Map<string, TreeRecord>();
  const opaque = new Set<string>();
  for (const [rel, record] of tarTree) {
    const base = path.posix.basename(rel);
    const dir = path.posix.dirname(rel);
    if (base === '.wh..wh..opq') opaque.add(dir);
    else if (base.startsWith('.wh.')) {
      const victim = dir === '.' ? base.slice(4) : `${dir}/${base.slice(4)}`;
      out.set(victim, { type: 'char', mode: 0, uid: 0, gid: 0, rdev: 0, mtime: -1, xattrs: '' });
    } else out.set(rel, record);
  }
  for (const dir of opaque) {
    const r = out.get(dir)!;
    out.set(dir, { ...r, xattrs: [r.xattrs, 'trusted.overlay.opaque=0x79'].filter(Boolean).join(',') });
  }
  // Directories without an entry of their own are made at extraction time by both.
  for (const [rel, r] of out) if (r.type === 'dir' && !explicit.has(rel)) out.set(rel, { ...r, mtime: -1 });
  return out;
}

function normalize(tree: Map<string, TreeRecord>, xattrs: Map<string, string>, expected: Map<string, TreeRecord>): Map<string, TreeRecord> {
  const out = new Map<string, TreeRecord>();
  for (const [rel, r] of tree) {
    const e = expected.get(rel);
    out.set(rel, { ...r, xattrs: xattrs.get(rel) ?? '', ...(e?.mtime === -1 ? { mtime: -1 } : {}) });
  }
  return out;
}

function canonical(record: TreeRecord | undefined): string {
  return record === undefined ? 'missing' : JSON.stringify(Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b))));
}

async function compareWithTar(layer: Layer, recompress?: 'zstd'): Promise<number> {
  const blob = path.join(work, 'blob');
  await pipeline(await blobStream(layer), fs.createWriteStream(blob));
  let source: NodeJS.ReadableStream = await blobStream(layer);
  if (recompress) {
    const z = spawnSync('sh', ['-c', `gzip -dc "${blob}" | zstd -q -c > "${blob}.zst"`]);
    expect(z.status).toBe(0);
    source = fs.createReadStream(`${blob}.zst`);
  }

  const ours = path.join(work, 'ours');
  fs.mkdirSync(ours);
  const warnings: string[] = [];
  const result = await extractLayer(source, ours, { onWarning: (w) => warnings.push(w) });
  expect(result.diffId).toBe(layer.diffId);
  const plain = spawnSync('sh', ['-c', `gzip -dc "${blob}" | wc -c`], { encoding: 'utf8' });
  expect(result.size).toBe(Number(plain.stdout.trim()));
  expect(warnings).toEqual([]);

  const theirs = path.join(work, 'tar');
  fs.mkdirSync(theirs);
  // --delay-directory-restore: set directory times after everything, as Docker (and we) do.
  const tar = spawnSync('tar', ['--delay-directory-restore', '--xattrs', '--xattrs-include=*', '--numeric-owner', '-xpf', blob, '-C', theirs], {
    encoding: 'utf8',
  });
  expect(tar.stderr).toBe('');
  expect(tar.status).toBe(0);
  const names = spawnSync('tar', ['-tf', blob], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout.split('\n');
  const explicit = new Set(names.filter((n) => n !== '').map((n) => path.posix.normalize(n).replace(/\/$/, '') || '.'));

  const expected = expectedFromTar(normalize(listTree(theirs, { withXattrs: false }), treeXattrs(theirs), new Map()), explicit);
  const actual = normalize(listTree(ours, { withXattrs: false }), treeXattrs(ours), expected);
  // Whiteouts: any time, and (being hard links to one another) no hard-link group to compare.
  for (const [rel, r] of actual) if (r.type === 'char' && r.rdev === 0) actual.set(rel, { ...r, mtime: -1 });

  const differences: string[] = [];
  for (const rel of new Set([...expected.keys(), ...actual.keys()])) {
    const a = canonical(actual.get(rel));
    const e = canonical(expected.get(rel));
    if (a !== e) differences.push(`${rel}\n  ours: ${a}\n  tar:  ${e}`);
  }
  expect(differences.slice(0, 10)).toEqual([]);
  expect(actual.size).toBeGreaterThan(100);
  return actual.size;
}

test('busybox (from the OCI index, this architecture): same tree as GNU tar', async () => {
  const [layer] = await layersOf('library/busybox', 'latest');
  await compareWithTar(layer!);
});

test('busybox recompressed with zstd: same tree, same diff ID', async () => {
  const [layer] = await layersOf('library/busybox', 'latest');
  await compareWithTar(layer!, 'zstd');
});

test('debian:bookworm-slim base layer: same tree as GNU tar', async () => {
  const [layer] = await layersOf('library/debian', 'bookworm-slim');
  await compareWithTar(layer!);
});

test('mysql:5.7 top layer (Docker schema 2, with whiteouts): same tree as GNU tar, whiteouts as devices', async () => {
  const layers = await layersOf('library/mysql', '5.7');
  expect(layers.length).toBeGreaterThan(1);
  await compareWithTar(layers[layers.length - 1]!);
});
