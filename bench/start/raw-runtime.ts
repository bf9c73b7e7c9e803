/**
 * The anchor of bench/start: the OCI runtime on its own, running the bundle the engine wrote.
 * `prepareRawBundle` copies a container's bundle/config.json (and the /etc files it binds in)
 * out of the engine root, mounts an overlay of the image's layers of its own, and points
 * root.path at it; `runOnce` then runs `<runtime> run` with a fresh container ID and a fresh
 * cgroup each time, as a whole process, and checks that it exits 0.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { mountRootfs, unmountRootfs } from '../../src/engine/bundled/containers/rootfs/overlay';
import { runCommand } from '../../test/support/run-command';

export interface RawBundle {
  /** The bundle directory (config.json, rewritten per run). */
  readonly dir: string;
  /** The overlay the bundle's root.path names (mounted once). */
  readonly merged: string;
  readonly layerDirs: readonly string[];
  /** The config as the engine wrote it, with root.path and mount sources moved to the copy. */
  readonly config: OciConfig;
}

/** The parts of config.json we rewrite; the rest passes through untouched. */
interface OciConfig {
  process: { args: string[]; terminal?: boolean } & Record<string, unknown>;
  root: { path: string; readonly?: boolean };
  mounts?: Array<{ destination: string; source?: string } & Record<string, unknown>>;
  linux: { cgroupsPath?: string } & Record<string, unknown>;
  [key: string]: unknown;
}

/** `containerDir` is `<root>/containers/<id>` of a container the engine ran with `true`. */
export async function prepareRawBundle(containerDir: string, layerDirs: readonly string[], workDir: string): Promise<RawBundle> {
  const config = JSON.parse(await fs.readFile(path.join(containerDir, 'bundle', 'config.json'), 'utf8')) as OciConfig;
  const dir = path.join(workDir, 'bundle');
  const userdata = path.join(workDir, 'userdata');
  const fsDir = path.join(workDir, 'fs');
  await fs.mkdir(dir, { recursive: true });
  await fs.cp(path.join(containerDir, 'userdata'), userdata, { recursive: true });
  for (const m of config.mounts ?? []) {
    if (m.source?.startsWith(`${containerDir}/`)) {
      const relative = path.relative(path.join(containerDir, 'userdata'), m.source);
      if (relative.startsWith('..')) throw new Error(`bench/start: the engine's bundle mounts ${m.source}, which is not one of its /etc files`);
      m.source = path.join(userdata, relative);
    }
  }
  const merged = path.join(fsDir, 'merged');
  await mountRootfs(layerDirs, { upper: path.join(fsDir, 'upper'), work: path.join(fsDir, 'work'), merged });
  config.root = { ...config.root, path: merged };
  config.process = { ...config.process, args: ['true'], terminal: false };
  return { dir, merged, layerDirs, config };
}

export async function releaseRawBundle(bundle: RawBundle): Promise<void> {
  await unmountRootfs(bundle.merged);
}

export interface RuntimeRun {
  /** Runtime binary, e.g. /usr/sbin/runc. */
  readonly runtime: string;
  /** Its --root (state directory). */
  readonly stateRoot: string;
  /** Makes each container's cgroup unique: `/<prefix>-<n>`. */
  readonly cgroupPrefix: string;
}

let counter = 0;

/** Writes the config for a fresh ID and cgroup (untimed), then times `<runtime> run`. */
export async function runOnce(bundle: RawBundle, run: RuntimeRun, options: { readonly rootPath?: string } = {}): Promise<number> {
  const id = `${run.cgroupPrefix}-${process.pid}-${++counter}`;
  const config: OciConfig = {
    ...bundle.config,
    root: { ...bundle.config.root, path: options.rootPath ?? bundle.merged },
    linux: { ...bundle.config.linux, cgroupsPath: `/${id}` },
  };
  await fs.writeFile(path.join(bundle.dir, 'config.json'), JSON.stringify(config));
  const started = performance.now();
  const r = await runCommand(run.runtime, ['--root', run.stateRoot, 'run', '--bundle', bundle.dir, id], { timeoutMs: 60_000 });
  const seconds = (performance.now() - started) / 1000;
  if (r.code !== 0) throw new Error(`${path.basename(run.runtime)} run ${id} exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(-500)}`);
  return seconds;
}

/** The same, with the container's own overlay mounted before and unmounted after, inside the timing. */
export async function runWithMount(bundle: RawBundle, run: RuntimeRun, scratch: string): Promise<number> {
  const dirs = { upper: path.join(scratch, 'upper'), work: path.join(scratch, 'work'), merged: path.join(scratch, 'merged') };
  const started = performance.now();
  await mountRootfs(bundle.layerDirs, dirs);
  try {
    await runOnce(bundle, run, { rootPath: dirs.merged });
  } finally {
    await unmountRootfs(dirs.merged);
  }
  const seconds = (performance.now() - started) / 1000;
  await fs.rm(scratch, { recursive: true, force: true });
  return seconds;
}

/** Where a runtime binary is, if installed. */
export async function findRuntime(name: string): Promise<string | undefined> {
  for (const dir of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    const p = path.join(dir, name);
    if (await fs.access(p).then(() => true, () => false)) return p;
  }
  return undefined;
}
