/**
 * The bundled engine's ContainerBackend: an overlay root from the image's layers, the OCI
 * spec written into a bundle, the container created under conmon and started by the OCI
 * runtime; exits come from conmon's exit files, logs from its k8s-file log.
 *
 * Directories (see /work/notes/ISSUE4.md and docs/engine.md):
 *   <root>/containers/<id>/{bundle/config.json, userdata/{hosts,hostname,resolv.conf}, ctr.log, fs/{upper,work,merged}}
 *   <run>/containers/<id>/{pidfile, conmon.pid, persist/, sockets/}, <run>/exits/<id>, <run>/runtime (runtime --root)
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { ContainerSpec, ContainerStats, ExecOptions, ExecResult, LogLine, LogOptions, ProcessList } from '../../containers';
import { InvalidArgumentError, ObjectNotFoundError } from '../../errors';
import { copyFromContainer } from './archive/copy-from-container';
import { copyTargetMounts, stoppedBinds } from './archive/copy-mounts';
import { copyToContainer } from './archive/copy-to-container';
import { type ContainerRoot, CopyRootMounts, openRunningRoot } from './archive/container-root';
import type { ContainerBackend, Running } from './manager/backend';
import type { ContainerRecord } from './manager/record';
import { createUnderMonitor, readExitFile, watchExits } from './monitor/conmon';
import { keepRotatedLogs, rotateLog } from './monitor/log-keeper';
import { readLog } from './monitor/log-reader';
import { buildOciSpec, type ResolvedMount } from './oci/build-spec';
import { hostnameFile, hostsFile, resolvConf } from './oci/etc-files';
import { hostCapabilities } from './oci/host-capabilities';
import { linuxResources } from './oci/resources';
import { rlimitsFromUlimits } from './oci/rlimits';
import { parseSecurityOptions } from './oci/security-options';
import { containerSysctls } from './oci/sysctls';
import { ociSpecJson } from './oci/oci-spec-json';
import { hostDevices, resolveDevices } from './oci/resolve-devices';
import { resolveUser } from './oci/resolve-user';
import { mountRootfs, unmountRootfs } from './rootfs/overlay';
import type { RuntimeInfo } from './runtime/detect';
import { OciRuntime } from './runtime/oci-runtime';
import { cgroupStats, wasOomKilled } from './cgroup-stats';

const run = promisify(execFile);

export interface BundledBackendOptions {
  readonly root: string;
  /** TSCOMPOSE_RUN: runtime state, exit files, monitor pid files. */
  readonly run: string;
  readonly runtime: RuntimeInfo;
  /** The parent cgroup of every container (`/tscompose` by default; tests use their own). */
  readonly cgroupParent?: string;
  /** Host path of the init bound in for `init: true`: a static one (Debian's /usr/bin/tini-static), as images may have no libc. */
  readonly initPath?: string;
}

export class BundledBackend implements ContainerBackend {
  readonly runtime: OciRuntime;
  private readonly cgroupParent: string;
  /** Stopped containers' roots mounted for copies (counted). */
  private readonly copyMounts = new CopyRootMounts();
  /** Per running container with max-file > 1: the keeper filing conmon's rotated logs. */
  private readonly logKeepers = new Map<string, { close(): void }>();

  constructor(private readonly options: BundledBackendOptions) {
    this.runtime = new OciRuntime(options.runtime, path.join(options.run, 'runtime'), { scratchDir: path.join(options.run, 'exec') });
    this.cgroupParent = options.cgroupParent ?? '/tscompose';
  }

  async init(): Promise<void> {
    await fs.mkdir(this.exitDir(), { recursive: true, mode: 0o700 });
    await fs.mkdir(path.join(this.options.run, 'runtime'), { recursive: true, mode: 0o700 });
  }

  /** What buildOciSpec would refuse at start, refused at create (as Docker does). */
  validate(spec: ContainerSpec): void {
    linuxResources(spec.resources);
    containerSysctls(spec.sysctls, spec.networkMode?.kind === 'host' ? 'host' : spec.networkMode?.kind === 'container' ? 'shared' : 'own');
    parseSecurityOptions(spec.securityOpt);
    rlimitsFromUlimits(spec.ulimits);
    maxFiles(spec.logConfig?.options);
    logLimits(spec.logConfig?.options);
  }

  async run(record: ContainerRecord): Promise<Running> {
    const p = this.paths(record);
    let mounted = false;
    try {
      for (const d of [p.upper, p.work, p.merged, p.userdata, p.bundle, p.runDir, p.persist, p.sockets]) await fs.mkdir(d, { recursive: true, mode: 0o700 });
      await fs.chmod(p.upper, 0o755); // the container's / (Docker's is 0755)
      await fs.rm(path.join(this.exitDir(), record.id), { force: true });
      // runtime state a crash left behind (one runtime call only when there is some)
      if (await exists(path.join(this.options.run, 'runtime', record.id))) await this.runtime.delete(record.id, true).catch(() => undefined);
      await mountRootfs(record.layerDirs, { upper: p.upper, work: p.work, merged: p.merged });
      mounted = true;
      const spec = record.spec;
      const user = resolveUser(p.merged, spec.user ?? record.imageConfig.user, spec.groupAdd);
      const hostname = spec.hostname ?? record.id.slice(0, 12);
      await fs.writeFile(p.hosts, hostsFile({ hostname, ...(spec.domainname !== undefined ? { domainname: spec.domainname } : {}), extraHosts: spec.extraHosts ?? [] }));
      await fs.writeFile(p.hostname, hostnameFile(hostname));
      await fs.writeFile(p.resolvConf, resolvConf({ hostResolvConf: await fs.readFile('/etc/resolv.conf', 'utf8').catch(() => ''), dns: spec.dns, dnsSearch: spec.dnsSearch, dnsOptions: spec.dnsOptions }));
      const ociSpec = buildOciSpec({
        id: record.id,
        spec: { ...spec, hostname },
        image: record.imageConfig,
        rootfs: p.merged,
        user,
        etcFiles: { hosts: p.hosts, hostname: p.hostname, resolvConf: p.resolvConf },
        mounts: await this.mounts(record),
        devices: [...(spec.privileged ? hostDevices() : []), ...resolveDevices(spec.devices)],
        availableCapabilities: hostCapabilities(),
        cgroupsPath: path.posix.join(this.cgroupParent, record.id),
        ...(spec.init && this.options.initPath ? { initPath: this.options.initPath } : {}),
      });
      await fs.writeFile(path.join(p.bundle, 'config.json'), ociSpecJson(ociSpec));
      await rotateLog(p.log, maxFiles(spec.logConfig?.options));
      const created = await createUnderMonitor({
        id: record.id,
        name: record.name,
        runtime: this.options.runtime,
        runtimeRoot: path.join(this.options.run, 'runtime'),
        bundle: p.bundle,
        exitDir: this.exitDir(),
        persistDir: p.persist,
        socketDir: p.sockets,
        pidFile: p.pidFile,
        monitorPidFile: p.monitorPidFile,
        logPath: p.log,
        ...logLimits(spec.logConfig?.options),
        tty: spec.tty === true,
        openStdin: spec.openStdin === true,
      });
      await this.runtime.start(record.id);
      this.keepLogs(record);
      return { pid: created.pid, monitorPid: created.monitorPid };
    } catch (err) {
      await this.runtime.delete(record.id, true).catch(() => undefined);
      if (mounted) await unmountRootfs(p.merged).catch(() => undefined);
      throw err;
    }
  }

  async signal(record: ContainerRecord, signal: string, all = false): Promise<void> {
    const state = await this.runtime.state(record.id);
    if (!state || state.status === 'stopped') throw new ObjectNotFoundError(`container ${record.name} is not running`);
    await this.runtime.kill(record.id, signal, all);
  }

  pause(record: ContainerRecord): Promise<void> {
    return this.runtime.pause(record.id);
  }

  resume(record: ContainerRecord): Promise<void> {
    return this.runtime.resume(record.id);
  }

  /** After the exit was handled: runtime state, root mount and the exit file go (a new engine must not report it again). */
  async cleanup(record: ContainerRecord): Promise<void> {
    this.logKeepers.get(record.id)?.close();
    this.logKeepers.delete(record.id);
    await this.runtime.delete(record.id, true).catch((err: unknown) => {
      if (!(err instanceof ObjectNotFoundError)) throw err;
    });
    await unmountRootfs(this.paths(record).merged);
    await fs.rm(path.join(this.exitDir(), record.id), { force: true });
  }

  async destroy(record: ContainerRecord): Promise<void> {
    const p = this.paths(record);
    await unmountRootfs(p.merged).catch(() => undefined);
    await fs.rm(p.runDir, { recursive: true, force: true });
    await fs.rm(path.join(this.exitDir(), record.id), { force: true });
    await fs.rm(p.containerDir, { recursive: true, force: true });
  }

  async alive(record: ContainerRecord): Promise<Running | undefined> {
    const state = await this.runtime.state(record.id);
    if (!state || (state.status !== 'running' && state.status !== 'paused')) return undefined;
    const monitorPid = Number((await fs.readFile(this.paths(record).monitorPidFile, 'utf8').catch(() => '0')).trim()) || 0;
    this.keepLogs(record); // re-adopted by a new engine: its rotated logs are kept again
    return { pid: state.pid, monitorPid };
  }

  exitCode(record: ContainerRecord): Promise<number | undefined> {
    return readExitFile(this.exitDir(), record.id);
  }

  oomKilled(record: ContainerRecord): Promise<boolean> {
    return wasOomKilled(path.posix.join(this.cgroupParent, record.id), this.paths(record).persist);
  }

  watchExits(onExit: (id: string, exitCode: number) => void): { close(): void } {
    return watchExits(this.exitDir(), onExit);
  }

  async exec(record: ContainerRecord, options: ExecOptions): Promise<ExecResult> {
    const p = this.paths(record);
    const spec = record.spec;
    const user = resolveUser(p.merged, options.user ?? spec.user ?? record.imageConfig.user, options.user === undefined ? spec.groupAdd : undefined);
    const config = JSON.parse(await fs.readFile(path.join(p.bundle, 'config.json'), 'utf8')) as { process: Record<string, unknown> & { env?: string[]; cwd?: string } };
    const env = mergeEnv(config.process.env ?? [], options.env ?? []);
    const process = {
      ...config.process,
      terminal: options.tty === true,
      args: [...options.cmd],
      env: options.tty === true && !env.some((e) => e.startsWith('TERM=')) ? [...env, 'TERM=xterm'] : env,
      cwd: options.workingDir ?? config.process.cwd ?? '/',
      user: { uid: user.uid, gid: user.gid, additionalGids: [...user.additionalGids] },
    };
    const outcome = await this.runtime.exec(record.id, process, {
      tty: options.tty === true,
      ...(options.stdin ? { stdin: options.stdin } : {}),
      ...(options.stdout ? { stdout: options.stdout } : {}),
      ...(options.stderr ? { stderr: options.stderr } : {}),
      ...(options.detach ? { detach: true } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return outcome.exitCode !== undefined ? { exitCode: outcome.exitCode } : {};
  }

  logs(record: ContainerRecord, options: LogOptions, stopWhen: PromiseLike<unknown>): AsyncIterable<LogLine> {
    return readLog(this.paths(record).log, { ...options, stopWhen });
  }

  stats(record: ContainerRecord): Promise<ContainerStats> {
    return cgroupStats(path.posix.join(this.cgroupParent, record.id), record.state.pid);
  }

  async top(record: ContainerRecord, psArgs: readonly string[]): Promise<ProcessList> {
    const pids = new Set(await this.runtime.ps(record.id));
    const args = psArgs.length > 0 ? [...psArgs] : ['-ef'];
    const { stdout } = await run('ps', args, { maxBuffer: 16 << 20 });
    const [header = '', ...rows] = stdout.trimEnd().split('\n');
    const titles = header.trim().split(/\s+/);
    const pidColumn = titles.indexOf('PID');
    if (pidColumn < 0) throw new InvalidArgumentError(`ps ${args.join(' ')} has no PID column`);
    const processes = rows
      .map((row) => splitPsRow(row, titles.length))
      .filter((cells) => pids.has(Number(cells[pidColumn])));
    return { titles, processes };
  }

  // ---- copy (Docker's archive GET/PUT): the work is in ./archive/ ----

  async copyFrom(record: ContainerRecord, containerPath: string): Promise<NodeJS.ReadableStream> {
    const { root } = await this.copyRoot(record);
    return copyFromContainer(root, containerPath, record.name);
  }

  async copyTo(record: ContainerRecord, containerPath: string, tar: NodeJS.ReadableStream): Promise<void> {
    const { root, running } = await this.copyRoot(record);
    await copyToContainer(root, containerPath, tar, {
      ref: record.name,
      sameOwner: process.getuid?.() === 0,
      mounts: copyTargetMounts(record.spec, running),
      readOnlyRootfs: record.spec.readOnlyRootfs === true,
    });
  }

  /** A running container's root through /proc/<pid>/root; a stopped one's overlay mounted for the copy, its binds mapped. */
  private async copyRoot(record: ContainerRecord): Promise<{ root: ContainerRoot; running: boolean }> {
    const live = await this.alive(record);
    if (live) {
      const root = await openRunningRoot(live.pid, async () => (await this.alive(record))?.pid === live.pid);
      if (root) return { root, running: true };
    }
    const p = this.paths(record);
    const root = await this.copyMounts.openStopped({
      layerDirs: record.layerDirs,
      dirs: { upper: p.upper, work: p.work, merged: p.merged },
      binds: stoppedBinds(record.spec, { hosts: p.hosts, hostname: p.hostname, resolvConf: p.resolvConf }),
      running: async () => {
        const state = await this.runtime.state(record.id);
        return state !== undefined && state.status !== 'stopped';
      },
    });
    return { root, running: false };
  }

  private async mounts(record: ContainerRecord): Promise<ResolvedMount[]> {
    const out: ResolvedMount[] = [];
    for (const m of record.spec.mounts ?? []) {
      if (m.type === 'bind') {
        const exists = await fs.stat(m.source).then(() => true, () => false);
        if (!exists) {
          if (!m.createHostPath) throw new InvalidArgumentError(`invalid mount config for type "bind": bind source path does not exist: ${m.source}`);
          await fs.mkdir(m.source, { recursive: true });
        }
        out.push({ destination: m.target, type: 'bind', source: m.source, options: ['rbind', m.readOnly ? 'ro' : 'rw', ...(m.propagation ? [m.propagation] : ['rprivate'])] });
      } else if (m.type === 'tmpfs') {
        const opts = ['nosuid', 'nodev', m.readOnly ? 'ro' : 'rw'];
        if (m.size) opts.push(`size=${m.size}`);
        if (m.mode !== undefined) opts.push(`mode=${m.mode.toString(8)}`);
        out.push({ destination: m.target, type: 'tmpfs', source: 'tmpfs', options: opts });
      } else {
        throw new InvalidArgumentError(`volume mount at ${m.target}: named and anonymous volumes are not available in the bundled engine yet`);
      }
    }
    return out;
  }

  private keepLogs(record: ContainerRecord): void {
    const files = maxFiles(record.spec.logConfig?.options);
    if (files <= 1 || this.logKeepers.has(record.id)) return;
    this.logKeepers.set(record.id, keepRotatedLogs(this.paths(record).log, { maxFiles: files }));
  }

  private exitDir(): string {
    return path.join(this.options.run, 'exits');
  }

  private paths(record: ContainerRecord) {
    const containerDir = path.join(this.options.root, 'containers', record.id);
    const userdata = path.join(containerDir, 'userdata');
    const runDir = path.join(this.options.run, 'containers', record.id);
    return {
      containerDir,
      bundle: path.join(containerDir, 'bundle'),
      userdata,
      hosts: path.join(userdata, 'hosts'),
      hostname: path.join(userdata, 'hostname'),
      resolvConf: path.join(userdata, 'resolv.conf'),
      log: path.join(containerDir, 'ctr.log'),
      upper: path.join(containerDir, 'fs', 'upper'),
      work: path.join(containerDir, 'fs', 'work'),
      merged: path.join(containerDir, 'fs', 'merged'),
      runDir,
      pidFile: path.join(runDir, 'pidfile'),
      monitorPidFile: path.join(runDir, 'conmon.pid'),
      persist: path.join(runDir, 'persist'),
      sockets: path.join(runDir, 'sockets'),
    };
  }
}

/** `max-size` (`10m`, `1g`, bytes) for conmon's --log-size-max. */
function logLimits(options: Readonly<Record<string, string>> | undefined): { logSizeMax?: number } {
  const size = options?.['max-size'];
  if (size === undefined) return {};
  const m = /^(\d+(?:\.\d+)?)([kmg]?)b?$/i.exec(size.trim());
  if (!m) throw new InvalidArgumentError(`invalid log option max-size=${size}: expected a size like 10m`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  return { logSizeMax: Math.floor(Number(m[1]) * unit) };
}

/** Docker's `max-file` log option (default 1: conmon's truncation only). */
function maxFiles(options: Readonly<Record<string, string>> | undefined): number {
  const value = options?.['max-file'];
  if (value === undefined) return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`invalid log option max-file=${value}: expected a whole number of at least 1`);
  return n;
}

function mergeEnv(base: readonly string[], over: readonly string[]): string[] {
  const out = new Map<string, string>();
  for (const e of [...base, ...over]) {
    const eq = e.indexOf('=');
    out.set(eq < 0 ? e : e.slice(0, eq), e);
  }
  return [...out.values()];
}

/** ps columns: the last one (the command) keeps its spaces. */
function splitPsRow(row: string, columns: number): string[] {
  const cells = row.trim().split(/\s+/);
  return [...cells.slice(0, columns - 1), cells.slice(columns - 1).join(' ')];
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}
