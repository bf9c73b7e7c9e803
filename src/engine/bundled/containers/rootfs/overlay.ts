/**
 * A container's root file system: an overlay of the image's layer directories (read-only,
 * shared with every container of the image) under the container's own upper directory.
 *
 * Node has no mount(2), so this runs util-linux `mount -t overlay` and `umount`. How the layer
 * list is passed (absolute paths, or index symlinks when it is too long for one page of mount
 * data) is overlay-plan.ts. An image of one layer works too: overlay needs one lower directory
 * when it has an upper one.
 *
 * mountRootfs leaves nothing behind when it fails (directories it made are removed, the index
 * links always); a root already mounted at `merged` with the same upper directory counts as
 * mounted (a retry after a crash). unmountRootfs is idempotent.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EngineError, InvalidArgumentError, ObjectConflictError } from '../../../errors';
import { runProgram } from '../runtime/run-program';
import { mountAt, mountOption } from './mountinfo';
import { planOverlayMount, type OverlayDirs } from './overlay-plan';

const PAGE_SIZE = 4096;

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(() => true, () => false);
}

/** Whether the kernel's overlay defaults to `index=on` (then we say off, as Docker does). */
async function kernelIndexOn(): Promise<boolean> {
  const v = await fs.readFile('/sys/module/overlay/parameters/index', 'utf8').catch(() => 'N');
  return v.trim() === 'Y';
}

/** The path the mount table shows for `p`: symlinks resolved (when it exists). */
async function canonical(p: string): Promise<string> {
  return fs.realpath(p).catch(() => path.resolve(p));
}

function programMessage(r: { stdout: string; stderr: string }): string {
  return (r.stderr.trim() || r.stdout.trim()).split('\n').join('; ');
}

/**
 * Mounts `layerDirs` (lowest first, as ImageInfo.layers) with `dirs.upper` over them at
 * `dirs.merged`. Makes the three directories when they are missing.
 */
export async function mountRootfs(layerDirs: readonly string[], dirs: OverlayDirs): Promise<void> {
  for (const p of [dirs.upper, dirs.work, dirs.merged, ...layerDirs]) {
    if (!path.isAbsolute(p)) throw new InvalidArgumentError(`overlay directory ${JSON.stringify(p)} is not an absolute path`);
  }
  const merged = await canonical(dirs.merged);
  const plan = planOverlayMount(layerDirs, dirs, { pageSize: PAGE_SIZE, indexOff: await kernelIndexOn() });
  for (const layer of layerDirs) {
    const st = await fs.stat(layer).catch(() => undefined);
    if (!st?.isDirectory()) throw new EngineError(`cannot mount a root file system at ${merged}: layer directory ${layer} is missing`);
  }
  const present = await mountAt(merged);
  if (present) {
    const upper = mountOption(present.superOptions, 'upperdir');
    if (present.fsType === 'overlay' && (upper === dirs.upper || upper === (await canonical(dirs.upper)))) return;
    throw new ObjectConflictError(`cannot mount a root file system at ${merged}: a ${present.fsType} file system is already mounted there`);
  }

  const created: string[] = [];
  let linkDir: string | undefined;
  try {
    for (const d of [dirs.upper, dirs.work, merged]) {
      const first = await fs.mkdir(d, { recursive: true, mode: 0o755 }); // the topmost directory it made
      if (first !== undefined) created.push(first);
    }
    if (plan.links) {
      linkDir = path.join(path.dirname(merged), `.lower-${randomBytes(6).toString('hex')}`);
      await fs.mkdir(linkDir, { mode: 0o700 });
      for (const link of plan.links) await fs.symlink(link.target, path.join(linkDir, link.name));
    }
    const r = await runProgram('mount', ['-t', 'overlay', 'overlay', '-o', plan.data, merged], { ...(linkDir ? { cwd: linkDir } : {}), timeoutMs: 120_000 });
    if (r.code !== 0) {
      throw new EngineError(`cannot mount the overlay root file system of ${layerDirs.length} layer(s) at ${merged}: ${programMessage(r)}`);
    }
  } catch (err) {
    for (const d of created.reverse()) await fs.rm(d, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  } finally {
    if (linkDir) await fs.rm(linkDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Unmounts the root file system at `merged` (every mount stacked there); nothing to do when
 * none is. A mount that stays busy for ~2 s is detached lazily (as Docker's overlay2 does).
 */
export async function unmountRootfs(merged: string): Promise<void> {
  const point = await canonical(merged);
  for (let attempt = 0; attempt < 60; attempt++) {
    if (!(await mountAt(point))) return;
    const lazy = attempt >= 20;
    const r = await runProgram('umount', lazy ? ['-l', point] : [point], { timeoutMs: 120_000 });
    if (r.code === 0) continue;
    if (!(await mountAt(point))) return; // someone else unmounted it meanwhile
    if (!/busy/i.test(r.stderr) || lazy) throw new EngineError(`cannot unmount the root file system at ${point}: ${programMessage(r)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new EngineError(`cannot unmount the root file system at ${point}: still mounted after 60 attempts`);
}
