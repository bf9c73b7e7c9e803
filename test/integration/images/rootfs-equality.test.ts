/**
 * Issue 3's acceptance test: the root filesystem tscompose unpacks for an image equals the one
 * Docker gives for the same image (`docker pull` + `docker create` + `docker export` on Debian's
 * docker.io 20.10, started by test/support/dockerd.ts), for each stand-in image of the local
 * registry (127.0.0.1:5000, ../shared/fixtures/standin-images.sh).
 *
 * tscompose's side is what a container will see: the image's layer directories from the layer
 * store mounted as a read-only overlay (lowerdir = the layers' diff dirs, topmost first), so the
 * kernel itself interprets the whiteouts and opaque directories tscompose wrote. Docker's side is
 * the export tar, read entry by entry (test/support/rootfs-from-tar.ts). Compared for every
 * path: type, mode with setuid/setgid/sticky, uid/gid, symlink target, hard-link structure,
 * sha256 of the contents, device numbers, security.capability, and mtime (whole seconds, all
 * docker export keeps) — except where neither side has a time to keep (see impliedDirectories).
 *
 * What `docker create` adds (the container's init layer) is modelled exactly (INIT_LAYER), and
 * the test asserts that those paths are all that differs between the two trees.
 */
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { openImageStore, type OpenedImageStore } from '../../../src/engine/bundled/images/open-image-store';
import { chainIds } from '../../../src/engine/bundled/images/store/chain-id';
import { compareRootfs, describeDifferences } from '../../support/compare-rootfs';
import { startDockerd, type Dockerd } from '../../support/dockerd';
import { unmountUnder } from '../../support/mounts';
import { rootfsFromDir } from '../../support/rootfs-from-dir';
import { rootfsFromTar } from '../../support/rootfs-from-tar';
import { assignLinkGroups, type Rootfs, type RootfsEntry } from '../../support/rootfs-entry';
import { runCommand } from '../../support/run-command';

jest.setTimeout(600_000);

const REGISTRY = '127.0.0.1:5000';
const IMAGES: readonly (readonly [string, string])[] = [
  ['wordpress', 'php7.4'],
  ['mysql', '5.7'],
  ['busybox', 'latest'],
  ['debian', 'bookworm-slim'],
];

/**
 * The container's init layer, which `docker create` puts between the image and the container's
 * own layer, so `docker export` shows it (moby 20.10, daemon/initlayer/setup_unix.go). These
 * paths, and the mtimes of the directories holding them, are the only expected differences.
 * For each path, in this order, dockerd:
 *  1. unlinks every prefix of the path and the path itself (a directory survives unlink; a
 *     file, symlink or device the image had there is removed),
 *  2. if the path still exists, leaves it; otherwise creates its missing parents (0755,
 *     root) and then the path itself, owned by root:
 *     'dir' → a directory 0755; 'file' → an empty file 0755; anything else → a symlink to it.
 */
const INIT_LAYER: readonly (readonly [string, string])[] = [
  ['dev/pts', 'dir'], // devpts is mounted here at run time
  ['dev/shm', 'dir'], // the container's /dev/shm tmpfs
  ['proc', 'dir'],
  ['sys', 'dir'],
  ['.dockerenv', 'file'], // marks a Docker container
  ['etc/resolv.conf', 'file'], // bind-mounted from the container's own files at run time
  ['etc/hosts', 'file'],
  ['etc/hostname', 'file'],
  ['dev/console', 'file'], // the console/pty is bind-mounted here with -t
  ['etc/mtab', '/proc/mounts'], // symlink
];

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i === -1 ? '' : p.slice(0, i);
}

/**
 * `image` as `docker create` leaves it: INIT_LAYER applied. Returns the result, the paths it
 * created or replaced (their mtime is the time of `docker create`), and the directories whose
 * entries changed (only their mtime differs).
 */
function withInitLayer(image: Rootfs): { rootfs: Rootfs; replaced: Set<string>; touchedDirs: Set<string> } {
  const rootfs: Rootfs = new Map(image);
  const replaced = new Set<string>();
  const touchedDirs = new Set<string>();
  const root = { mode: 0o755, uid: 0, gid: 0, mtime: 0 };
  const changedIn = (p: string): void => {
    if (parentOf(p) !== '') touchedDirs.add(parentOf(p)); // '' is / itself, which docker export leaves out
  };
  const removeTree = (p: string): void => {
    for (const key of [...rootfs.keys()]) if (key === p || key.startsWith(`${p}/`)) rootfs.delete(key);
  };
  for (const [p, typ] of INIT_LAYER) {
    const parts = p.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      const e = rootfs.get(prefix);
      if (e !== undefined && e.kind !== 'dir') {
        removeTree(prefix);
        replaced.add(prefix);
        changedIn(prefix);
      }
    }
    if (rootfs.get(p)?.kind === 'dir') continue;
    for (let i = 1; i < parts.length; i++) {
      const ancestor = parts.slice(0, i).join('/');
      if (!rootfs.has(ancestor)) {
        rootfs.set(ancestor, { kind: 'dir', ...root });
        replaced.add(ancestor);
        changedIn(ancestor);
      }
    }
    const created: RootfsEntry =
      typ === 'dir' ? { kind: 'dir', ...root }
      : typ === 'file' ? { kind: 'file', ...root, size: 0, sha256: EMPTY_SHA256 }
      : { kind: 'symlink', ...root, mode: 0o777, target: typ };
    rootfs.set(p, created);
    replaced.add(p);
    changedIn(p);
  }
  // a replaced path no longer shares its old inode: regroup the hard links that remain
  const groups = new Map<string, string[]>();
  for (const [p, e] of rootfs) {
    if (e.linkGroup === undefined) continue;
    if (!replaced.has(p)) groups.set(e.linkGroup, [...(groups.get(e.linkGroup) ?? []), p]);
    const { linkGroup: _dropped, ...rest } = e;
    rootfs.set(p, rest);
  }
  assignLinkGroups(rootfs, groups.values());
  for (const p of replaced) touchedDirs.delete(p);
  return { rootfs, replaced, touchedDirs };
}

/**
 * Directories whose mtime neither side can keep: a layer tar may create a directory only
 * implicitly, as the parent of an entry, without a header of its own (the stand-in mysql and
 * wordpress layers do, e.g. usr/ and etc/apt/). Both Docker and tscompose then make it at
 * unpack time, so its mtime is the time of each one's pull. Found from the layer tars themselves
 * (tscompose's verified blobs): a directory of the merged tree whose providing layer — the
 * topmost one that has the path — has no header for it.
 */
async function impliedDirectories(opened: OpenedImageStore, layers: readonly string[], merged: Rootfs, scratch: string): Promise<Set<string>> {
  const chains = chainIds(layers);
  const headers: Set<string>[] = [];
  for (const chain of chains) {
    const meta = await opened.store.layers.get(chain);
    if (meta?.compressedDigest === undefined) throw new Error(`layer ${chain} has no compressed digest in its meta.json`);
    const tar = path.join(scratch, `${chain.slice(7, 19)}.tar`);
    const blob = opened.store.content.path(meta.compressedDigest);
    await pipeline(createReadStream(blob), createGunzip(), createWriteStream(tar)).catch((e: Error) => {
      throw new Error(`cannot gunzip layer blob ${blob} (the stand-ins are gzip): ${e.message}`);
    });
    headers.push(new Set((await rootfsFromTar(tar, { contents: false })).keys()));
    await fs.rm(tar);
  }
  const implied = new Set<string>();
  for (const [p, e] of merged) {
    if (e.kind !== 'dir') continue;
    for (let i = chains.length - 1; i >= 0; i--) {
      const inLayer = await fs.lstat(path.join(opened.store.layers.diffPath(chains[i] as string), p)).then(() => true, () => false);
      if (!inLayer) continue;
      if (!(headers[i] as Set<string>).has(p)) implied.add(p);
      break;
    }
  }
  return implied;
}

describe('the root filesystem tscompose unpacks equals docker export of the same image', () => {
  let dockerd: Dockerd;
  const roots: string[] = [];

  beforeAll(async () => {
    dockerd = await startDockerd();
  });
  afterAll(async () => {
    for (const root of roots) {
      await unmountUnder(root).catch((e: Error) => process.stderr.write(`${e.message}\n`));
      await fs.rm(root, { recursive: true, force: true });
    }
    await dockerd?.stop();
  });

  it.each(IMAGES)('%s:%s', async (name, tag) => {
    const ref = `${name}:${tag}`;
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tscompose-rootfs-'));
    roots.push(root);
    const merged = path.join(root, 'merged');
    const exportTar = path.join(root, 'export.tar');
    const opened = openImageStore({
      env: {},
      root: path.join(root, 'engine'),
      registryConfig: { mirrors: [`http://${REGISTRY}`], insecure: [], mirrorOnly: true },
    });
    try {
      // tscompose
      const info = await opened.store.pullImage(ref);

      // docker, from the same registry under an explicit name (never Docker Hub)
      const dockerRef = `${REGISTRY}/library/${ref}`;
      await dockerd.dockerOk(['pull', '-q', dockerRef]);
      const dockerId = (await dockerd.dockerOk(['image', 'inspect', '--format', '{{.Id}}', dockerRef])).trim();
      expect(info.id).toBe(dockerId); // the same image (config digest) on both sides
      const container = (await dockerd.dockerOk(['create', '--network', 'none', dockerRef])).trim();
      await dockerd.dockerOk(['export', '--output', exportTar, container]);
      await dockerd.dockerOk(['rm', '--volumes', container]);

      // tscompose's layers as the overlay a container gets (an empty bottom layer, so that
      // a one-layer image also makes a valid read-only overlay)
      const lowers = chainIds(info.layers).map((c) => opened.store.layers.diffPath(c)).reverse();
      await fs.mkdir(path.join(root, 'empty'));
      await fs.mkdir(merged);
      for (const dir of lowers) expect((await fs.stat(dir)).isDirectory()).toBe(true);
      const mount = await runCommand('mount', ['-t', 'overlay', 'overlay', '-o', `ro,lowerdir=${[...lowers, path.join(root, 'empty')].join(':')}`, merged]);
      if (mount.code !== 0) throw new Error(`mounting ${ref}'s layers as an overlay at ${merged} failed: ${mount.stderr.trim()}`);

      let ours: Rootfs;
      try {
        ours = await rootfsFromDir(merged);
      } finally {
        await unmountUnder(merged);
      }
      const theirs = await rootfsFromTar(exportTar);
      const implied = await impliedDirectories(opened, info.layers, ours, root);

      const { rootfs: expected, replaced, touchedDirs } = withInitLayer(ours);
      const ignoreMtime = new Set([...replaced, ...touchedDirs, ...implied]);
      const diffs = compareRootfs(expected, theirs, { names: ['tscompose (+ the init layer)', 'docker export'], ignoreMtime });
      if (diffs.length > 0) {
        throw new Error(`${ref}: ${diffs.length} path(s) differ between tscompose's root filesystem and docker export:\n${describeDifferences(diffs)}`);
      }

      // and the init layer is exactly what differs between the image as unpacked and the export
      const raw = compareRootfs(ours, theirs, { names: ['tscompose', 'docker export'], ignoreMtime: implied }).map((d) => d.path);
      expect(raw).toEqual([...replaced, ...[...touchedDirs].filter((d) => !implied.has(d))].sort());

      // a sanity floor, so that two empty trees cannot pass
      expect(ours.size).toBeGreaterThan(200);
      expect([...ours.values()].filter((e) => e.kind === 'file').length).toBeGreaterThan(0);
    } finally {
      opened.close();
      await unmountUnder(root);
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});
