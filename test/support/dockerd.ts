/**
 * A real Docker daemon for tests (Debian's docker.io: /usr/sbin/dockerd 20.10), isolated from
 * anything else on the machine:
 *
 * - everything under one temp dir: data root, exec root, pidfile, the API socket
 *   (`unix://<dir>/docker.sock`), the trust key (`deprecated-key-path` in its own daemon.json,
 *   otherwise dockerd writes /etc/docker/key.json), logs, and the docker CLI's config;
 * - its own containerd, started here with a config of its own (root, state, sockets and the
 *   `opt` plugin's directory under the temp dir; CRI off). dockerd 20.10 would otherwise use
 *   /run/containerd/containerd.sock when something else runs a containerd there, or start a
 *   "managed" one whose `opt` plugin creates /opt/containerd on the host;
 * - no host networking changes: `--iptables=false --ip6tables=false --bridge=none
 *   --ip-forward=false --ip-masq=false` (no docker0, no rules, no sysctl changes);
 * - containers under a cgroup parent of its own, so that stop() can find every process of
 *   every container it ran;
 * - Docker Hub unreachable: the daemons run with HTTP(S)_PROXY pointing at a closed loopback
 *   port and NO_PROXY=127.0.0.1,localhost,::1, so a pull that would fall back to Docker Hub
 *   fails at once ("proxyconnect … connection refused") instead of leaving the machine.
 *   Pull images as `127.0.0.1:5000/library/<name>:<tag>` (the local registry, insecure).
 *
 * Host paths made regardless of flags: /run/docker/plugins (dockerd 20.10's plugin socket
 * directory) and, once a container runs, /run/containerd/s (containerd 1.6's shim sockets);
 * both hard-coded. stop() removes them again when they were absent before, are empty, and no
 * other daemon of this process still runs.
 *
 * Storage driver overlay2: the temp dir is put on a file system overlay2 can use as its
 * backing file system (ext4, xfs, btrfs), checked with statfs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mountsUnder, unmountUnder } from './mounts';
import { isRunning, processesMentioning, signal, waitForExit } from './processes';
import { runCommand, type CommandResult } from './run-command';

export type DockerResult = CommandResult;

export interface DockerCallOptions {
  /** Written to the CLI's stdin (e.g. for `docker load`). */
  readonly input?: string | Buffer;
  /** Default 5 minutes. */
  readonly timeoutMs?: number;
}

export interface StartDockerdOptions {
  /** Where the temp dir is made; must be on ext4, xfs or btrfs. Default: the first such of os.tmpdir(), /var/tmp, /var/lib. */
  readonly baseDir?: string;
  /** How long to wait for `docker version` to answer (default 60 s). */
  readonly startTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL, per daemon (default 20 s). */
  readonly stopGraceMs?: number;
  /** `--insecure-registry` values (default ['127.0.0.1:5000']). */
  readonly insecureRegistries?: readonly string[];
  /** `--registry-mirror` values, for docker.io names (default none). */
  readonly registryMirrors?: readonly string[];
  /** More dockerd arguments, appended last. */
  readonly extraArgs?: readonly string[];
  /** Binaries (defaults: Debian's docker.io and containerd). */
  readonly dockerdPath?: string;
  readonly containerdPath?: string;
  readonly dockerCliPath?: string;
}

export interface Dockerd {
  /** The temp dir holding everything of this daemon. */
  readonly dir: string;
  /** Path of the API socket. */
  readonly socket: string;
  /** What a client needs to reach this daemon: `{ DOCKER_HOST: 'unix://<socket>' }`. */
  readonly env: Readonly<{ DOCKER_HOST: string }>;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly pid: number;
  readonly containerdPid: number;
  /** dockerd's log (stdout and stderr). */
  readonly logFile: string;
  /** Runs Debian's docker CLI against this daemon (its own DOCKER_CONFIG); never throws for a non-zero exit. */
  docker(args: readonly string[], options?: DockerCallOptions): Promise<DockerResult>;
  /** Like docker(), but rejects with the command and its stderr unless it exits 0; resolves stdout. */
  dockerOk(args: readonly string[], options?: DockerCallOptions): Promise<string>;
  /**
   * Pulls `<name>:<tag>` from the local registry, as `127.0.0.1:5000/library/<name>:<tag>` (never
   * a Docker Hub name), and tags it locally as `<name>:<tag>`; resolves the image ID.
   */
  pullLocal(nameTag: string): Promise<string>;
  /** The last lines of the daemons' logs, for failure messages. */
  logTail(lines?: number): Promise<string>;
  /**
   * SIGTERM to dockerd, then to containerd (SIGKILL after the grace), kills what they left
   * (shims, container processes in its cgroup parent), deletes the bridges of its networks
   * (known only while dockerd still answers), unmounts everything under its dir and removes
   * the dir. Idempotent. Rejects, naming it, if anything remains.
   */
  stop(): Promise<void>;
}

const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
/** A loopback port nothing listens on (discard): the proxy that makes non-local registries unreachable. */
const DEAD_PROXY = 'http://127.0.0.1:9';
const NO_PROXY = '127.0.0.1,localhost,::1';
/** The stand-in images' registry (../shared/fixtures/standin-images.sh). */
const LOCAL_REGISTRY = '127.0.0.1:5000';
/** statfs f_type of the file systems overlay2 accepts as its backing file system. */
const OVERLAY_BACKING: Readonly<Record<number, string>> = { 0xef53: 'ext4', 0x58465342: 'xfs', 0x9123683e: 'btrfs' };
const UNIX_PATH_MAX = 107;
/**
 * Host paths made even when all roots are elsewhere: dockerd 20.10's plugin socket directory,
 * and containerd 1.6's shim socket directory (its shims listen on /run/containerd/s/<hash>
 * whatever the state dir; only when a container runs). Removed, if empty, when they were absent.
 */
const HOST_LEFTOVERS = ['/run/docker/plugins', '/run/docker', '/run/containerd/s', '/run/containerd'];

let running = 0;

async function chooseBaseDir(requested: string | undefined): Promise<string> {
  const candidates = requested !== undefined ? [path.resolve(requested)] : [os.tmpdir(), '/var/tmp', '/var/lib'];
  const rejected: string[] = [];
  for (const dir of candidates) {
    try {
      const { type } = await fs.statfs(dir);
      if (OVERLAY_BACKING[type] !== undefined) return dir;
      rejected.push(`${dir} is on file system type 0x${type.toString(16)}`);
    } catch (err) {
      rejected.push(`${dir}: ${(err as Error).message}`);
    }
  }
  throw new Error(`no directory for dockerd's overlay2 data root (needs ext4, xfs or btrfs): ${rejected.join('; ')}`);
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(() => true, () => false);
}

function containerdConfig(dir: string): string {
  const q = (p: string): string => JSON.stringify(path.join(dir, 'containerd', p));
  return [
    'version = 2',
    `root = ${q('root')}`,
    `state = ${q('state')}`,
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '',
    '[grpc]',
    `  address = ${q('containerd.sock')}`,
    '[ttrpc]',
    `  address = ${q('containerd.sock.ttrpc')}`,
    '[debug]',
    '  address = ""',
    '  level = "info"',
    '[metrics]',
    '  address = ""',
    '',
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = ${q('opt')}`,
    '[plugins."io.containerd.runtime.v1.linux"]',
    `  runtime_root = ${q('runc')}`,
    '',
  ].join('\n');
}

/** Starts `command` with its output appended to `logFile`, not waited for by Node's event loop. */
function startLogged(command: string, args: readonly string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(command, [...args], { env, stdio: ['ignore', fd, fd] });
    child.unref();
    return child;
  } finally {
    closeSync(fd);
  }
}

/** Resolves once `child` has a PID (spawned), rejects when it could not be started. */
function spawned(child: ChildProcess, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid as number));
    child.once('error', (e) => reject(new Error(`cannot start ${what}: ${e.message}`)));
  });
}

async function tail(file: string, lines: number, skip?: RegExp): Promise<string> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  const kept = text.split('\n').filter((l) => l !== '' && !(skip?.test(l) ?? false));
  return kept.slice(-lines).join('\n');
}

/**
 * The socket a containerd 1.6 shim listens on: /run/containerd/s/<sha256 of
 * "<containerd address>/<namespace>/<container id>">, read from the shim's command line. A
 * killed shim leaves it behind.
 */
async function shimSocket(pid: number): Promise<string | undefined> {
  const args = (await fs.readFile(`/proc/${pid}/cmdline`).catch(() => Buffer.alloc(0))).toString('utf8').split('\0');
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const [ns, id, address] = [value('-namespace'), value('-id'), value('-address')];
  if (ns === undefined || id === undefined || address === undefined) return undefined;
  return `/run/containerd/s/${createHash('sha256').update(path.join(address, ns, id)).digest('hex')}`;
}

/** Every process in the cgroup `parent` (v1 hierarchies and v2) and below; then the cgroups removed. */
async function clearCgroupParent(parent: string): Promise<string[]> {
  const problems: string[] = [];
  const base = '/sys/fs/cgroup';
  const hierarchies = [base, ...(await fs.readdir(base).catch(() => [] as string[])).map((h) => path.join(base, h))];
  const dirs: string[] = [];
  for (const h of hierarchies) {
    const top = path.join(h, parent);
    if (!(await exists(top))) continue;
    const walk = async (d: string): Promise<void> => {
      dirs.push(d);
      for (const e of await fs.readdir(d, { withFileTypes: true }).catch(() => [])) {
        if (e.isDirectory()) await walk(path.join(d, e.name));
      }
    };
    await walk(top);
  }
  const pids = new Set<number>();
  for (const d of dirs) {
    const procs = await fs.readFile(path.join(d, 'cgroup.procs'), 'utf8').catch(() => '');
    for (const p of procs.split('\n')) if (/^\d+$/.test(p)) pids.add(Number(p));
  }
  for (const pid of pids) signal(pid, 'SIGKILL');
  for (const pid of pids) if (!(await waitForExit(pid, 10_000))) problems.push(`container process ${pid} survived SIGKILL`);
  for (const d of dirs.sort((a, b) => b.length - a.length)) {
    let removed = false;
    for (let i = 0; i < 20 && !removed; i++) {
      removed = await fs.rmdir(d).then(() => true, (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
      if (!removed) await new Promise((r) => setTimeout(r, 100));
    }
    if (!removed) problems.push(`cgroup ${d} could not be removed`);
  }
  return problems;
}

/** Starts an isolated dockerd and resolves once `docker version` answers. */
export async function startDockerd(options: StartDockerdOptions = {}): Promise<Dockerd> {
  const dockerdPath = options.dockerdPath ?? '/usr/sbin/dockerd';
  const containerdPath = options.containerdPath ?? '/usr/bin/containerd';
  const dockerCliPath = options.dockerCliPath ?? '/usr/bin/docker';
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const grace = options.stopGraceMs ?? 20_000;

  const base = await chooseBaseDir(options.baseDir);
  const dir = await fs.mkdtemp(path.join(base, 'tscompose-dockerd-'));
  const socket = path.join(dir, 'docker.sock');
  const dataRoot = path.join(dir, 'data');
  const execRoot = path.join(dir, 'exec');
  const logFile = path.join(dir, 'dockerd.log');
  const containerdLog = path.join(dir, 'containerd.log');
  const containerdSocket = path.join(dir, 'containerd', 'containerd.sock');
  const cgroupParent = `/${path.basename(dir)}`;
  const host = `unix://${socket}`;
  if (`${containerdSocket}.ttrpc`.length > UNIX_PATH_MAX) {
    await fs.rm(dir, { recursive: true, force: true });
    throw new Error(`dockerd harness: ${dir} is too long a path for its unix sockets; pass a shorter baseDir`);
  }

  const createdHostPaths = new Set<string>();
  for (const p of HOST_LEFTOVERS) if (!(await exists(p))) createdHostPaths.add(p);

  const daemonEnv: NodeJS.ProcessEnv = {
    PATH: SYSTEM_PATH,
    HOME: dir,
    HTTP_PROXY: DEAD_PROXY,
    HTTPS_PROXY: DEAD_PROXY,
    http_proxy: DEAD_PROXY,
    https_proxy: DEAD_PROXY,
    NO_PROXY,
    no_proxy: NO_PROXY,
  };
  const cliEnv: NodeJS.ProcessEnv = {
    PATH: SYSTEM_PATH,
    HOME: process.env.HOME ?? dir,
    LANG: 'C.UTF-8',
    DOCKER_HOST: host,
    DOCKER_CONFIG: path.join(dir, 'cli'),
  };

  let containerd: ChildProcess | undefined;
  let dockerd: ChildProcess | undefined;
  let stopping: Promise<void> | undefined;
  running++;

  const killOnExit = (): void => {
    for (const child of [dockerd, containerd]) if (child?.pid !== undefined && child.exitCode === null) signal(child.pid, 'SIGKILL');
  };
  process.once('exit', killOnExit);

  const logTail = async (lines = 30): Promise<string> =>
    `--- ${logFile} (last ${lines} lines, grpc chatter left out) ---\n${await tail(logFile, lines, /module=grpc/)}\n` +
    `--- ${containerdLog} (last 10 lines) ---\n${await tail(containerdLog, 10)}`;

  const docker = (args: readonly string[], call: DockerCallOptions = {}): Promise<DockerResult> =>
    runCommand(dockerCliPath, args, { env: cliEnv, ...(call.input !== undefined ? { input: call.input } : {}), timeoutMs: call.timeoutMs ?? 300_000 });

  const dockerOk = async (args: readonly string[], call: DockerCallOptions = {}): Promise<string> => {
    const r = await docker(args, call);
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')} (daemon ${host}) exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
    return r.stdout;
  };

  const pullLocal = async (nameTag: string): Promise<string> => {
    if (!/^[a-z0-9][a-z0-9._-]*:\w[\w.-]*$/.test(nameTag)) throw new Error(`pullLocal needs <name>:<tag> of a library image, got "${nameTag}"`);
    const remote = `${LOCAL_REGISTRY}/library/${nameTag}`;
    await dockerOk(['pull', '--quiet', remote]);
    await dockerOk(['tag', remote, nameTag]);
    return (await dockerOk(['image', 'inspect', '--format', '{{.Id}}', nameTag])).trim();
  };

  /** Host interface names of this daemon's bridge networks (best effort: [] when it does not answer). */
  const bridgeNames = async (): Promise<string[]> => {
    const ls = await docker(['network', 'ls', '--quiet', '--no-trunc', '--filter', 'driver=bridge'], { timeoutMs: 20_000 }).catch(() => undefined);
    if (ls === undefined || ls.code !== 0) return [];
    const names: string[] = [];
    for (const id of ls.stdout.split('\n').filter((l) => l !== '')) {
      const r = await docker(['network', 'inspect', '--format', '{{index .Options "com.docker.network.bridge.name"}}', id], { timeoutMs: 20_000 });
      const named = r.stdout.trim();
      names.push(r.code === 0 && named !== '' && named !== '<no value>' ? named : `br-${id.slice(0, 12)}`);
    }
    return names;
  };

  const terminate = async (child: ChildProcess | undefined, what: string): Promise<string[]> => {
    const pid = child?.pid;
    if (pid === undefined || !(await isRunning(pid))) return [];
    signal(pid, 'SIGTERM');
    if (await waitForExit(pid, grace)) return [];
    signal(pid, 'SIGKILL');
    return (await waitForExit(pid, 10_000)) ? [] : [`${what} (pid ${pid}) survived SIGKILL`];
  };

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const problems: string[] = [];
      // user-defined bridge networks leave their bridge on the host when dockerd stops
      const bridges = dockerd?.pid !== undefined && (await isRunning(dockerd.pid)) ? await bridgeNames() : [];
      problems.push(...(await terminate(dockerd, 'dockerd')));
      problems.push(...(await terminate(containerd, 'containerd')));
      // containerd shims (their command line names our containerd's socket) and what they ran
      const leftovers = await processesMentioning(dir);
      const shimSockets = (await Promise.all(leftovers.map(shimSocket))).filter((s): s is string => s !== undefined);
      for (const pid of leftovers) signal(pid, 'SIGKILL');
      for (const pid of await processesMentioning(dir)) {
        if (!(await waitForExit(pid, 10_000))) problems.push(`process ${pid} (it names ${dir}) survived SIGKILL`);
      }
      for (const s of shimSockets) await fs.rm(s, { force: true });
      problems.push(...(await clearCgroupParent(cgroupParent)));
      for (const bridge of bridges) {
        if ((await runCommand('ip', ['link', 'show', 'dev', bridge])).code !== 0) continue;
        const r = await runCommand('ip', ['link', 'delete', 'dev', bridge]);
        if (r.code !== 0) problems.push(`cannot delete the bridge ${bridge}: ${r.stderr.trim()}`);
      }
      try {
        await unmountUnder(dir);
      } catch (err) {
        problems.push((err as Error).message);
      }
      const mounts = await mountsUnder(dir);
      if (mounts.length === 0) {
        await fs.rm(dir, { recursive: true, force: true }).catch((e: Error) => problems.push(`cannot remove ${dir}: ${e.message}`));
      } else {
        problems.push(`not removing ${dir}: still mounted: ${mounts.join(', ')}`);
      }
      running--;
      process.removeListener('exit', killOnExit);
      if (running === 0) {
        for (const p of HOST_LEFTOVERS) if (createdHostPaths.has(p)) await fs.rmdir(p).catch(() => undefined);
      }
      if (problems.length > 0) throw new Error(`dockerd harness (${dir}) did not clean up: ${problems.join('; ')}`);
    })();
    return stopping;
  };

  try {
    await fs.mkdir(path.join(dir, 'containerd'), { mode: 0o711 });
    await fs.mkdir(path.join(dir, 'cli'), { mode: 0o700 });
    await fs.writeFile(path.join(dir, 'containerd', 'config.toml'), containerdConfig(dir));
    await fs.writeFile(path.join(dir, 'daemon.json'), `${JSON.stringify({ 'deprecated-key-path': path.join(dir, 'key.json') }, null, 2)}\n`);

    containerd = startLogged(containerdPath, ['--config', path.join(dir, 'containerd', 'config.toml')], daemonEnv, containerdLog);
    const containerdPid = await spawned(containerd, containerdPath);
    const socketDeadline = Date.now() + startTimeoutMs;
    while (!(await fs.stat(containerdSocket).then((s) => s.isSocket(), () => false))) {
      if (!(await isRunning(containerdPid))) throw new Error(`containerd exited during start-up (code ${containerd.exitCode ?? containerd.signalCode})`);
      if (Date.now() > socketDeadline) throw new Error(`containerd did not open ${containerdSocket} within ${startTimeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }

    const args = [
      '--config-file', path.join(dir, 'daemon.json'),
      '--data-root', dataRoot,
      '--exec-root', execRoot,
      '--pidfile', path.join(dir, 'docker.pid'),
      '--host', host,
      '--containerd', containerdSocket,
      '--iptables=false',
      '--ip6tables=false',
      '--bridge=none',
      '--ip-forward=false',
      '--ip-masq=false',
      '--storage-driver', 'overlay2',
      '--cgroup-parent', cgroupParent,
      '--shutdown-timeout', '5',
      ...(options.insecureRegistries ?? [LOCAL_REGISTRY]).flatMap((r) => ['--insecure-registry', r]),
      ...(options.registryMirrors ?? []).flatMap((m) => ['--registry-mirror', m]),
      ...(options.extraArgs ?? []),
    ];
    dockerd = startLogged(dockerdPath, args, daemonEnv, logFile);
    const pid = await spawned(dockerd, dockerdPath);

    const deadline = Date.now() + startTimeoutMs;
    let last: DockerResult | undefined;
    for (;;) {
      if (!(await isRunning(pid))) throw new Error(`dockerd exited during start-up (code ${dockerd.exitCode ?? dockerd.signalCode})`);
      last = await docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 10_000 });
      if (last.code === 0) break;
      if (Date.now() > deadline) throw new Error(`dockerd did not answer on ${socket} within ${startTimeoutMs} ms: ${last.stderr.trim()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const pidfile = (await fs.readFile(path.join(dir, 'docker.pid'), 'utf8')).trim();
    if (pidfile !== String(pid)) throw new Error(`dockerd's pidfile says ${pidfile}, but it was started as ${pid}`);

    return {
      dir,
      socket,
      env: { DOCKER_HOST: host },
      dataRoot,
      execRoot,
      pid,
      containerdPid,
      logFile,
      docker,
      dockerOk,
      pullLocal,
      logTail,
      stop,
    };
  } catch (err) {
    const logs = await logTail(40);
    await stop().catch((e: Error) => process.stderr.write(`${e.message}\n`));
    throw new Error(`cannot start dockerd in ${dir}: ${(err as Error).message}\n${logs}`);
  }
}
