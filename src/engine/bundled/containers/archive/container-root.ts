/**
 * The root a copy works in, opened as a directory descriptor (RootFs):
 *
 * - a running (or paused) container: `/proc/<pid>/root` — its root in its own mount
 *   namespace, so its binds, volumes and tmpfs mounts are all there as its processes see them;
 * - a stopped (or never started) container: its overlay root mounted at its `merged`
 *   directory for as long as the copy runs (the same mount a start would make: a container
 *   started meanwhile finds it mounted and uses it), its bind mounts mapped to their host
 *   sources. Copies of one container share the mount (counted); the last one out unmounts it,
 *   unless the container is running by then or the root was mounted before the copy began.
 */
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import { KeyedLock } from '../manager/keyed-lock';
import { mountAt } from '../rootfs/mountinfo';
import { mountRootfs, unmountRootfs } from '../rootfs/overlay';
import type { OverlayDirs } from '../rootfs/overlay-plan';
import { closeQuietly, OPEN_DIR } from './fd-ops';
import { RootFs } from './root-fs';

export interface ContainerRoot {
  readonly fs: RootFs;
  /** Closes the root (and unmounts what was mounted for the copy). Idempotent. */
  release(): Promise<void>;
}

/**
 * The root of the running container whose main process is `pid`; undefined when that process
 * is gone. `stillRunning` is asked once the root is open, so that a PID reused by another
 * process between the caller's check and the open is never taken for the container.
 */
export async function openRunningRoot(pid: number, stillRunning: () => Promise<boolean>): Promise<ContainerRoot | undefined> {
  let fd: number;
  try {
    fd = fs.openSync(`/proc/${pid}/root`, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch {
    return undefined;
  }
  if (!(await stillRunning().catch(() => false))) {
    closeQuietly(fd);
    return undefined;
  }
  const rootFs = new RootFs(fd);
  return { fs: rootFs, release: async () => rootFs.close() };
}

export interface StoppedRootSpec {
  /** The image's layer directories, lowest first. */
  readonly layerDirs: readonly string[];
  readonly dirs: OverlayDirs;
  /** The container's bind mounts, parents before children: container path → host path. */
  readonly binds: ReadonlyArray<{ readonly target: string; readonly source: string }>;
  /** Whether the container runs now (then its root stays mounted after the copy). */
  readonly running: () => Promise<boolean>;
}

/** Mounts of stopped containers' roots held by copies, counted per `merged` directory. */
export class CopyRootMounts {
  private readonly lock = new KeyedLock();
  private readonly holders = new Map<string, { count: number; readonly mountedHere: boolean }>();

  async openStopped(spec: StoppedRootSpec): Promise<ContainerRoot> {
    const key = spec.dirs.merged;
    await this.lock.run(key, async () => {
      const held = this.holders.get(key);
      if (held) {
        held.count++;
        return;
      }
      // the directories as a start makes them (mountRootfs would make them 0755)
      for (const d of [spec.dirs.upper, spec.dirs.work, spec.dirs.merged]) await fsp.mkdir(d, { recursive: true, mode: 0o700 });
      const before = await mountAt(await fsp.realpath(key));
      if (!before) await mountRootfs(spec.layerDirs, spec.dirs);
      this.holders.set(key, { count: 1, mountedHere: !before });
    });
    let rootFs: RootFs | undefined;
    try {
      rootFs = new RootFs(fs.openSync(key, OPEN_DIR));
      for (const b of spec.binds) rootFs.addMount(b.target, b.source);
    } catch (err) {
      rootFs?.close();
      await this.drop(key, spec.running);
      throw err;
    }
    const opened = rootFs;
    let released = false;
    return {
      fs: opened,
      release: async () => {
        if (released) return;
        released = true;
        opened.close();
        await this.drop(key, spec.running);
      },
    };
  }

  private drop(key: string, running: () => Promise<boolean>): Promise<void> {
    return this.lock.run(key, async () => {
      const held = this.holders.get(key);
      if (!held) return;
      if (--held.count > 0) return;
      this.holders.delete(key);
      if (held.mountedHere && !(await running().catch(() => true))) await unmountRootfs(key);
    });
  }
}
