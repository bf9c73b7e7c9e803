/**
 * What the runtime/monitor integration tests share: a temp engine root and run dir, busybox
 * pulled from the local registry (127.0.0.1:5000) into it, a cgroup parent of their own, and
 * containers made the engine's way — overlay root (rootfs/overlay.ts), a minimal OCI spec
 * written here (namespaces, Docker's capabilities, /proc /dev /dev/pts /dev/shm /sys), created
 * under conmon (monitor/conmon.ts).
 *
 * tearDown removes everything they made, also after a failure: runtime state (delete
 * --force), conmon processes (by the PID in their own pid files, checked to be that conmon),
 * mounts, cgroups, directories.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openImageStore } from '../../../src/engine/bundled/images/open-image-store';
import { chainIds } from '../../../src/engine/bundled/images/store/chain-id';
import { createUnderMonitor, type Monitored } from '../../../src/engine/bundled/containers/monitor/conmon';
import type { MonitorOptions } from '../../../src/engine/bundled/containers/monitor/conmon-args';
import type { OciMount, OciSpec } from '../../../src/engine/bundled/containers/oci/oci-spec-types';
import { mountRootfs } from '../../../src/engine/bundled/containers/rootfs/overlay';
import { detectRuntime, type RuntimeInfo } from '../../../src/engine/bundled/containers/runtime/detect';
import { OciRuntime } from '../../../src/engine/bundled/containers/runtime/oci-runtime';
import { unmountUnder } from '../../support/mounts';
import { isRunning, waitForExit } from '../../support/processes';

export const REPO = path.resolve(__dirname, '../../..');

export interface Fixture {
  readonly dir: string;
  readonly root: string;
  readonly run: string;
  readonly runtimeRoot: string;
  readonly exitDir: string;
  /** e.g. `/tscompose-test-1a2b3c`: every container's cgroup is below it. */
  readonly cgroupParent: string;
  readonly info: RuntimeInfo;
  readonly runtime: OciRuntime;
  readonly layerDirs: readonly string[];
  readonly containers: Container[];
}

export interface Container {
  readonly id: string;
  readonly bundle: string;
  readonly merged: string;
  readonly log: string;
  readonly monitor: MonitorOptions;
}

export async function setUpFixture(prefix: string): Promise<Fixture> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `tscompose-${prefix}-`));
  const root = path.join(dir, 'root');
  const run = path.join(dir, 'run');
  const info = await detectRuntime({ env: { PATH: process.env.PATH }, workDir: path.join(run, 'probe') });
  const opened = openImageStore({ env: {}, root, registryConfig: { mirrors: ['http://127.0.0.1:5000'], insecure: [], mirrorOnly: true } });
  let layerDirs: string[];
  try {
    const image = await opened.store.pullImage('busybox');
    layerDirs = chainIds(image.layers).map((c) => path.join(root, 'layers', c.slice('sha256:'.length), 'diff'));
  } finally {
    opened.close();
  }
  const runtimeRoot = path.join(run, 'runtime');
  return {
    dir,
    root,
    run,
    runtimeRoot,
    exitDir: path.join(run, 'exits'),
    cgroupParent: `/tscompose-test-${randomBytes(4).toString('hex')}`,
    info,
    runtime: new OciRuntime(info, runtimeRoot, { scratchDir: path.join(run, 'exec') }),
    layerDirs,
    containers: [],
  };
}

const CAPS = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE'];
export const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ContainerOptions {
  readonly args: readonly string[];
  readonly tty?: boolean;
  readonly logSizeMax?: number;
  readonly extraMounts?: readonly OciMount[];
}

export function minimalSpec(rootfs: string, cgroupsPath: string, o: ContainerOptions): OciSpec {
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: o.tty === true,
      user: { uid: 0, gid: 0 },
      args: [...o.args],
      env: [PATH_ENV, 'HOME=/root', ...(o.tty ? ['TERM=xterm'] : [])],
      cwd: '/',
      capabilities: { bounding: CAPS, effective: CAPS, permitted: CAPS },
      noNewPrivileges: true,
    },
    root: { path: rootfs, readonly: false },
    hostname: 'ctr',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      ...(o.extraMounts ?? []),
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'ipc' }, { type: 'uts' }, { type: 'network' }],
      cgroupsPath,
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      maskedPaths: ['/proc/kcore', '/proc/keys', '/proc/timer_list'],
      readonlyPaths: ['/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/** Mounts a busybox root and writes the bundle; the container is not created yet. */
export async function prepareContainer(fx: Fixture, o: ContainerOptions): Promise<Container> {
  const id = randomBytes(32).toString('hex');
  const dir = path.join(fx.root, 'containers', id);
  const runDir = path.join(fx.run, 'containers', id);
  const bundle = path.join(dir, 'bundle');
  const merged = path.join(dir, 'fs', 'merged');
  await fs.mkdir(bundle, { recursive: true });
  const container: Container = {
    id,
    bundle,
    merged,
    log: path.join(dir, 'ctr.log'),
    monitor: {
      id,
      name: `test-${id.slice(0, 8)}`,
      runtime: fx.info,
      runtimeRoot: fx.runtimeRoot,
      bundle,
      exitDir: fx.exitDir,
      persistDir: path.join(runDir, 'persist'),
      socketDir: path.join(runDir, 'sockets'),
      pidFile: path.join(runDir, 'pidfile'),
      monitorPidFile: path.join(runDir, 'conmon.pid'),
      logPath: path.join(dir, 'ctr.log'),
      ...(o.logSizeMax !== undefined ? { logSizeMax: o.logSizeMax } : {}),
      tty: o.tty === true,
      openStdin: false,
    },
  };
  fx.containers.push(container);
  await mountRootfs(fx.layerDirs, { upper: path.join(dir, 'fs', 'upper'), work: path.join(dir, 'fs', 'work'), merged });
  await fs.writeFile(path.join(bundle, 'config.json'), JSON.stringify(minimalSpec(merged, `${fx.cgroupParent}/${id}`, o), null, 2));
  return container;
}

/** prepareContainer, created under conmon and started. */
export async function startContainer(fx: Fixture, o: ContainerOptions): Promise<Container & Monitored> {
  const c = await prepareContainer(fx, o);
  const m = await createUnderMonitor(c.monitor);
  await fx.runtime.start(c.id);
  return { ...c, ...m };
}

/** Resolves once `pred` holds (polled every 20 ms); rejects naming `what` after `ms`. */
export async function waitFor(what: string, pred: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await pred()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The k8s-file lines of a log as `<stream> <tag> <text>` (time dropped). */
export async function rawLog(file: string): Promise<string[]> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l !== '').map((l) => l.slice(l.indexOf(' ') + 1));
}

async function readPid(file: string): Promise<number | undefined> {
  const n = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Cgroup directories (any hierarchy) at or below `cgroupPath`. */
export async function cgroupDirs(cgroupPath: string): Promise<string[]> {
  const out: string[] = [];
  for (const hierarchy of ['', ...(await fs.readdir('/sys/fs/cgroup'))]) {
    const dir = path.join('/sys/fs/cgroup', hierarchy, cgroupPath);
    if (await fs.stat(dir).then((s) => s.isDirectory(), () => false)) out.push(dir);
  }
  return out;
}

export async function tearDown(fx: Fixture | undefined): Promise<void> {
  if (!fx) return;
  const problems: string[] = [];
  for (const c of fx.containers) {
    await fx.runtime.delete(c.id, true).catch(() => undefined);
    const conmon = await readPid(c.monitor.monitorPidFile);
    if (conmon !== undefined && (await isRunning(conmon))) {
      const cmdline = await fs.readFile(`/proc/${conmon}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.includes(c.id)) {
        process.kill(conmon, 'SIGKILL');
        if (!(await waitForExit(conmon, 5000))) problems.push(`conmon ${conmon} of ${c.id} did not exit`);
      }
    }
  }
  await unmountUnder(fx.dir).catch((e: Error) => problems.push(e.message));
  for (const c of fx.containers) {
    for (const d of await cgroupDirs(`${fx.cgroupParent}/${c.id}`)) await fs.rmdir(d).catch((e: Error) => problems.push(e.message));
  }
  for (const d of await cgroupDirs(fx.cgroupParent)) await fs.rmdir(d).catch((e: Error) => problems.push(e.message));
  await fs.rm(fx.dir, { recursive: true, force: true });
  if (problems.length > 0) throw new Error(`teardown left things behind: ${problems.join('; ')}`);
}
