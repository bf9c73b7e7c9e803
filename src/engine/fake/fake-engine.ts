/**
 * An in-memory engine for unit tests of the compose layer: containers with Docker's states,
 * transitions, events and error messages, images a test adds, logs a test feeds, scripted exec,
 * in-memory files. Nothing runs: a "running" container stays so until the test ends it
 * (`exitContainer`), or it is stopped, killed or removed. Restart policies apply at once (no
 * back-off). Every method is the real interface's; the test hooks are the extra public ones.
 */
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import type {
  ContainerFilter,
  ContainerInfo,
  ContainerSpec,
  ContainerStats,
  ContainerStatus,
  ContainerStore,
  ExecOptions,
  ExecResult,
  HealthResult,
  HealthState,
  LogLine,
  LogOptions,
  ProcessList,
  PublishedPort,
} from '../containers';
import type { ImageConfig, ImageInfo, ImageStore, PullOptions, RemovedImage } from '../engine';
import { InvalidArgumentError } from '../errors';
import type { ContainerAction, EngineEvent, EventFilter, EventSource } from '../events';
import type { EngineStatus } from '../bundled/daemon/daemon-engine';
import { VERSION } from '../../version';
import { containerErrors } from '../container-errors';
import { type Clock, formatTime, systemClock } from './engine-time';
import { EventHub } from './event-hub';
import { type FakeExecHandler, runFakeExec } from './fake-exec';
import { type FakeImageOptions, FakeImageStore } from './fake-image-store';
import { matchesLabels } from './label-filter';
import { LogBuffer } from './log-buffer';
import { MemoryFilesystem } from './memory-filesystem';
import { NON_FATAL_SIGNALS, parseSignal, type Signal } from './signals';

export interface FakeEngineOptions {
  readonly clock?: Clock;
  /** Container IDs; default 64 random hex digits. */
  readonly newId?: () => string;
  /** What `status()` reports. */
  readonly root?: string;
  readonly run?: string;
}

/** One call the fake received, in order (`fake.calls`). */
export interface FakeCall {
  readonly method: string;
  /** The container or image it was about (as the caller named it). */
  readonly target?: string;
}

interface Container {
  readonly id: string;
  name: string;
  readonly spec: ContainerSpec;
  readonly image: ImageInfo;
  readonly created: string;
  readonly labels: Readonly<Record<string, string>>;
  status: ContainerStatus;
  pid: number;
  exitCode: number;
  oomKilled: boolean;
  startedAt?: string;
  finishedAt?: string;
  health?: HealthState;
  restartCount: number;
  ignoreSignals: boolean;
  ports: PublishedPort[];
  stats: Partial<ContainerStats>;
  top?: ProcessList;
  readonly log: LogBuffer;
  readonly fs: MemoryFilesystem;
  readonly exitWaiters: Set<(code: number) => void>;
  readonly removeWaiters: Set<(code: number) => void>;
}

const NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const LIVE: ReadonlySet<ContainerStatus> = new Set(['running', 'paused', 'restarting']);

export class FakeEngine implements ContainerStore, ImageStore, EventSource {
  readonly images: FakeImageStore;
  readonly calls: FakeCall[] = [];
  /** True once `shutdown()` ran (a daemon test checks it). */
  shutDown = false;
  private readonly containers = new Map<string, Container>();
  private readonly hub: EventHub;
  private readonly clock: Clock;
  private readonly newId: () => string;
  private readonly execHandlers: FakeExecHandler[] = [];
  private readonly startHooks = new Set<(c: ContainerInfo) => void>();
  private readonly failures = new Map<string, Error[]>();
  private nextPid = 1000;
  private nextPort = 32768;
  private nextName = 1;

  constructor(private readonly options: FakeEngineOptions = {}) {
    this.clock = options.clock ?? systemClock();
    this.newId = options.newId ?? (() => randomBytes(32).toString('hex'));
    this.hub = new EventHub(this.clock);
    this.images = new FakeImageStore(this.clock, (imageId) =>
      [...this.containers.values()].filter((c) => c.image.id === imageId).map((c) => ({ containerId: c.id, running: LIVE.has(c.status) })),
    );
  }

  // ---- test hooks -------------------------------------------------------------------------

  addImage(ref: string, config: ImageConfig = {}, options: FakeImageOptions = {}): ImageInfo {
    return this.images.addImage(ref, config, options);
  }

  addRemoteImage(ref: string, config: ImageConfig = {}, options: FakeImageOptions = {}): void {
    this.images.addRemoteImage(ref, config, options);
  }

  /** The container writes `text` (each line a log line) on `stream`. */
  emitLog(ref: string, stream: 'stdout' | 'stderr', text: string, options: { readonly partial?: boolean } = {}): void {
    this.get(ref).log.append(stream, text, options);
  }

  /** The container's main process exits (restart policies then apply). */
  exitContainer(ref: string, exitCode: number, options: { readonly oomKilled?: boolean } = {}): void {
    const c = this.get(ref);
    if (!LIVE.has(c.status)) throw containerErrors.notRunning(c.id);
    this.exited(c, exitCode, { manual: false, oomKilled: options.oomKilled === true });
  }

  /** Sets the health status (and appends `result` to the health log), with a health_status event. */
  setHealth(ref: string, status: HealthState['status'], result?: Partial<HealthResult>): void {
    const c = this.get(ref);
    const now = formatTime(this.clock());
    const prev = c.health ?? { status: 'starting', failingStreak: 0, log: [] };
    const entry: HealthResult | undefined = result && { start: now, end: now, exitCode: status === 'healthy' ? 0 : 1, output: '', ...result };
    c.health = {
      status,
      failingStreak: status === 'unhealthy' ? prev.failingStreak + 1 : 0,
      log: entry ? [...prev.log, entry].slice(-5) : prev.log,
    };
    this.emit(c, 'health_status', { healthStatus: status });
  }

  /** The container ignores every signal but SIGKILL (a stop then waits out the grace period). */
  ignoreSignals(ref: string, ignore = true): void {
    this.get(ref).ignoreSignals = ignore;
  }

  setStats(ref: string, stats: Partial<ContainerStats>): void {
    const c = this.get(ref);
    c.stats = { ...c.stats, ...stats };
  }

  setTop(ref: string, processes: ProcessList): void {
    this.get(ref).top = processes;
  }

  /** The container's files (write some before a copyFrom, read what a copyTo left). */
  filesystem(ref: string): MemoryFilesystem {
    return this.get(ref).fs;
  }

  /** Adds an exec handler (tried in the order added); returns its removal. */
  onExec(handler: FakeExecHandler): () => void {
    this.execHandlers.push(handler);
    return () => {
      const i = this.execHandlers.indexOf(handler);
      if (i >= 0) this.execHandlers.splice(i, 1);
    };
  }

  /** Called after every start (also restarts); e.g. to make a container exit at once. Returns its removal. */
  onStart(hook: (container: ContainerInfo) => void): () => void {
    this.startHooks.add(hook);
    return () => this.startHooks.delete(hook);
  }

  /** The next call of `method` (e.g. 'startContainer', 'pullImage') fails with `error`. */
  failNext(method: keyof ContainerStore | keyof ImageStore | 'events', error: Error): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), error]);
  }

  // ---- daemon --------------------------------------------------------------------------

  status(): EngineStatus {
    const all = [...this.containers.values()];
    const running = all.filter((c) => c.status === 'running' || c.status === 'restarting').length;
    const paused = all.filter((c) => c.status === 'paused').length;
    return {
      pid: process.pid,
      root: this.options.root ?? '/fake/root',
      run: this.options.run ?? '/fake/run',
      runtime: { name: 'fake', path: '', version: VERSION },
      version: VERSION,
      containers: { total: all.length, running, paused, stopped: all.length - running - paused },
    };
  }

  async shutdown(): Promise<void> {
    this.shutDown = true;
    this.hub.closeAll();
    for (const c of this.containers.values()) c.log.endFollowers();
  }

  // ---- containers ------------------------------------------------------------------------

  async createContainer(spec: ContainerSpec): Promise<ContainerInfo> {
    this.enter('createContainer', spec.name);
    const image = this.images.resolve(spec.image);
    let name = spec.name.replace(/^\//, '');
    if (name === '') name = `fake_container_${this.nextName++}`;
    if (!NAME.test(name)) throw containerErrors.invalidName(spec.name);
    const taken = this.byName(name);
    if (taken) throw containerErrors.nameInUse(name, taken.id);
    const c: Container = {
      id: this.newId(),
      name,
      spec,
      image,
      created: formatTime(this.clock()),
      labels: { ...(image.config.labels ?? {}), ...(spec.labels ?? {}) },
      status: 'created',
      pid: 0,
      exitCode: 0,
      oomKilled: false,
      restartCount: 0,
      ignoreSignals: false,
      ports: [],
      stats: {},
      log: new LogBuffer(this.clock),
      fs: new MemoryFilesystem(),
      exitWaiters: new Set(),
      removeWaiters: new Set(),
    };
    this.containers.set(c.id, c);
    this.emit(c, 'create');
    return this.info(c);
  }

  async startContainer(ref: string): Promise<void> {
    this.enter('startContainer', ref);
    const c = this.get(ref);
    if (c.status === 'paused') throw containerErrors.startPaused();
    if (c.status === 'running' || c.status === 'restarting') return;
    c.restartCount = 0;
    this.run(c);
  }

  async stopContainer(ref: string, options: { readonly timeoutSeconds?: number } = {}): Promise<void> {
    this.enter('stopContainer', ref);
    const c = this.get(ref);
    if (!LIVE.has(c.status)) return;
    await this.terminate(c, options.timeoutSeconds);
    this.emit(c, 'stop');
  }

  async killContainer(ref: string, signal = 'SIGKILL'): Promise<void> {
    this.enter('killContainer', ref);
    const c = this.get(ref);
    const sig = parseSignal(signal);
    if (!LIVE.has(c.status)) throw containerErrors.killNotRunning(c.id);
    this.emit(c, 'kill', { signal: sig.name });
    if (NON_FATAL_SIGNALS.has(sig.name) || (c.ignoreSignals && sig.name !== 'SIGKILL')) return;
    this.exited(c, 128 + sig.number, { manual: true });
  }

  async restartContainer(ref: string, options: { readonly timeoutSeconds?: number } = {}): Promise<void> {
    this.enter('restartContainer', ref);
    const c = this.get(ref);
    if (LIVE.has(c.status)) {
      await this.terminate(c, options.timeoutSeconds);
      this.emit(c, 'stop');
    }
    this.run(c);
    this.emit(c, 'restart');
  }

  async pauseContainer(ref: string): Promise<void> {
    this.enter('pauseContainer', ref);
    const c = this.get(ref);
    if (c.status === 'paused') throw containerErrors.alreadyPaused(c.id);
    if (c.status !== 'running') throw containerErrors.notRunning(c.id);
    c.status = 'paused';
    this.emit(c, 'pause');
  }

  async unpauseContainer(ref: string): Promise<void> {
    this.enter('unpauseContainer', ref);
    const c = this.get(ref);
    if (c.status !== 'paused') throw containerErrors.notPaused(c.id);
    c.status = 'running';
    this.emit(c, 'unpause');
  }

  async removeContainer(ref: string, options: { readonly force?: boolean; readonly volumes?: boolean } = {}): Promise<void> {
    this.enter('removeContainer', ref);
    const c = this.get(ref);
    if (LIVE.has(c.status)) {
      if (options.force !== true) throw c.status === 'paused' ? containerErrors.removePaused(c.name) : containerErrors.removeRunning(c.name);
      this.emit(c, 'kill', { signal: 'SIGKILL' });
      this.exited(c, 137, { manual: true });
    }
    this.containers.delete(c.id);
    this.emit(c, 'destroy');
    c.log.endFollowers();
    for (const w of [...c.removeWaiters]) w(c.exitCode);
  }

  async renameContainer(ref: string, newName: string): Promise<void> {
    this.enter('renameContainer', ref);
    const c = this.get(ref);
    const name = newName.replace(/^\//, '');
    if (!NAME.test(name)) throw containerErrors.invalidName(newName);
    if (name === c.name) throw containerErrors.renameToSame();
    const taken = this.byName(name);
    if (taken) throw containerErrors.nameInUse(name, taken.id);
    const oldName = c.name;
    c.name = name;
    this.emit(c, 'rename', { oldName });
  }

  async inspectContainer(ref: string): Promise<ContainerInfo> {
    this.enter('inspectContainer', ref);
    return this.info(this.get(ref));
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerInfo[]> {
    this.enter('listContainers');
    let namePattern: RegExp | undefined;
    if (filter.name !== undefined) {
      try {
        namePattern = new RegExp(filter.name);
      } catch {
        throw new InvalidArgumentError(`invalid name filter ${JSON.stringify(filter.name)}: not a regular expression`);
      }
    }
    return [...this.containers.values()]
      .filter((c) => filter.all === true || LIVE.has(c.status))
      .filter((c) => matchesLabels(c.labels, filter.labels))
      .filter((c) => namePattern === undefined || namePattern.test(c.name))
      .reverse()
      .map((c) => this.info(c));
  }

  async waitContainer(
    ref: string,
    options: { readonly condition?: 'not-running' | 'next-exit' | 'removed'; readonly signal?: AbortSignal } = {},
  ): Promise<{ readonly exitCode: number }> {
    this.enter('waitContainer', ref);
    const c = this.get(ref);
    const condition = options.condition ?? 'not-running';
    const signal = options.signal;
    if (signal?.aborted) throw signal.reason;
    if (condition === 'not-running' && !LIVE.has(c.status)) return { exitCode: c.exitCode };
    const waiters = condition === 'removed' ? c.removeWaiters : c.exitWaiters;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        waiters.delete(done);
        reject(signal?.reason);
      };
      const done = (exitCode: number): void => {
        waiters.delete(done);
        signal?.removeEventListener('abort', onAbort);
        resolve({ exitCode });
      };
      waiters.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async *containerLogs(ref: string, options: LogOptions = {}): AsyncGenerator<LogLine> {
    this.enter('containerLogs', ref);
    const c = this.get(ref);
    yield* c.log.read(options, LIVE.has(c.status));
  }

  async exec(ref: string, options: ExecOptions): Promise<ExecResult> {
    this.enter('exec', ref);
    const c = this.get(ref);
    if (c.status === 'paused') throw containerErrors.paused(c.id);
    if (c.status !== 'running') throw containerErrors.notRunning(c.id);
    if (options.cmd.length === 0) throw new InvalidArgumentError('No exec command specified');
    const command = options.cmd.join(' ');
    this.emit(c, 'exec_create', { execCommand: command });
    this.emit(c, 'exec_start', { execCommand: command });
    const controller = new AbortController();
    const outer = options.signal;
    const onAbort = (): void => controller.abort(outer?.reason);
    if (outer?.aborted) throw outer.reason;
    outer?.addEventListener('abort', onAbort, { once: true });
    const handlers = [...this.execHandlers];
    const run = runFakeExec(handlers, this.info(c), options, controller.signal).then((exitCode) => {
      this.emit(c, 'exec_die', { execCommand: command, exitCode: String(exitCode) });
      return exitCode;
    });
    try {
      if (options.detach === true) {
        run.catch(() => undefined);
        return {};
      }
      const aborted = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }));
      aborted.catch(() => undefined);
      return { exitCode: await Promise.race([run, aborted]) };
    } finally {
      outer?.removeEventListener('abort', onAbort);
    }
  }

  async stats(ref: string): Promise<ContainerStats> {
    this.enter('stats', ref);
    const c = this.get(ref);
    const live = LIVE.has(c.status);
    return {
      read: formatTime(this.clock()),
      cpuPercent: 0,
      memoryUsage: 0,
      memoryLimit: c.spec.resources?.memory ?? os.totalmem(),
      networkRx: 0,
      networkTx: 0,
      blockRead: 0,
      blockWrite: 0,
      pids: live ? 1 : 0,
      ...(live ? c.stats : {}),
    };
  }

  async top(ref: string, _psArgs?: readonly string[]): Promise<ProcessList> {
    this.enter('top', ref);
    const c = this.get(ref);
    if (!LIVE.has(c.status)) throw containerErrors.notRunning(c.id);
    if (c.top) return c.top;
    const cmd = [...(c.spec.entrypoint ?? c.image.config.entrypoint ?? []), ...(c.spec.command ?? (c.spec.entrypoint ? [] : c.image.config.cmd ?? []))];
    return {
      titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
      processes: [['root', String(c.pid), '0', '0', '00:00', '?', '00:00:00', cmd.join(' ')]],
    };
  }

  async copyFrom(ref: string, path: string): Promise<NodeJS.ReadableStream> {
    this.enter('copyFrom', ref);
    const c = this.get(ref);
    const tar = c.fs.tar(path);
    if (!tar) throw containerErrors.noSuchPath(path, ref);
    return tar;
  }

  async copyTo(ref: string, path: string, tar: NodeJS.ReadableStream): Promise<void> {
    this.enter('copyTo', ref);
    const c = this.get(ref);
    const at = c.fs.stat(path);
    if (!at) throw containerErrors.noSuchPath(path, ref);
    if (at.type !== 'dir') throw containerErrors.notADirectory(path);
    await c.fs.extract(path, tar);
  }

  /** Subscribes at once (events from now on are kept for the caller); failures come with the first `next()`. */
  events(filter: EventFilter = {}): AsyncIterable<EngineEvent> {
    try {
      this.enter('events');
      return this.hub.events(filter);
    } catch (err) {
      return { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(err) }) };
    }
  }

  // ---- images ------------------------------------------------------------------------------

  pullImage(ref: string, options?: PullOptions): Promise<ImageInfo> {
    return this.guard('pullImage', ref, () => this.images.pullImage(ref, options));
  }

  inspectImage(ref: string): Promise<ImageInfo> {
    return this.guard('inspectImage', ref, () => this.images.inspectImage(ref));
  }

  listImages(): Promise<ImageInfo[]> {
    return this.guard('listImages', undefined, () => this.images.listImages());
  }

  removeImage(ref: string, options?: { readonly force?: boolean }): Promise<RemovedImage> {
    return this.guard('removeImage', ref, () => this.images.removeImage(ref, options));
  }

  loadImages(tar: NodeJS.ReadableStream): Promise<ImageInfo[]> {
    return this.guard('loadImages', undefined, () => this.images.loadImages(tar));
  }

  saveImages(refs: readonly string[], out: NodeJS.WritableStream): Promise<void> {
    return this.guard('saveImages', refs.join(' '), () => this.images.saveImages(refs, out));
  }

  // ---- inside ------------------------------------------------------------------------------

  /** Records the call and throws the failure a test queued for it. */
  private enter(method: string, target?: string): void {
    this.calls.push({ method, ...(target !== undefined ? { target } : {}) });
    const queued = this.failures.get(method);
    const failure = queued?.shift();
    if (queued?.length === 0) this.failures.delete(method);
    if (failure) throw failure;
  }

  private async guard<T>(method: string, target: string | undefined, fn: () => Promise<T>): Promise<T> {
    this.enter(method, target);
    return fn();
  }

  /** Docker's lookup: full ID, then exact name, then a unique ID prefix. */
  private get(ref: string): Container {
    const byId = this.containers.get(ref);
    if (byId) return byId;
    const byName = this.byName(ref.replace(/^\//, ''));
    if (byName) return byName;
    if (/^[0-9a-f]+$/.test(ref)) {
      const matches = [...this.containers.values()].filter((c) => c.id.startsWith(ref));
      if (matches.length > 1) throw containerErrors.ambiguous(ref);
      if (matches[0]) return matches[0];
    }
    throw containerErrors.noSuchContainer(ref);
  }

  private byName(name: string): Container | undefined {
    return [...this.containers.values()].find((c) => c.name === name);
  }

  private run(c: Container): void {
    c.status = 'running';
    c.pid = this.nextPid++;
    c.exitCode = 0;
    c.oomKilled = false;
    c.startedAt = formatTime(this.clock());
    const test = c.spec.healthcheck?.test ?? c.image.config.healthcheck?.test;
    if (test !== undefined && test.length > 0 && test[0] !== 'NONE') c.health = { status: 'starting', failingStreak: 0, log: c.health?.log ?? [] };
    else delete c.health;
    c.ports = (c.spec.ports ?? []).map((p) => ({
      target: p.target,
      protocol: p.protocol,
      hostIp: p.hostIp ?? '0.0.0.0',
      hostPort: p.published !== undefined && p.published !== '' ? Number(p.published.split('-')[0]) : this.nextPort++,
    }));
    this.emit(c, 'start');
    const info = this.info(c);
    for (const hook of [...this.startHooks]) hook(info);
  }

  /** The stop signal, then SIGKILL after the grace period when the container ignores it. */
  private async terminate(c: Container, timeoutSeconds: number | undefined): Promise<void> {
    const sig: Signal = parseSignal(c.spec.stopSignal ?? c.image.config.stopSignal ?? 'SIGTERM');
    this.emit(c, 'kill', { signal: sig.name });
    if (!c.ignoreSignals && !NON_FATAL_SIGNALS.has(sig.name)) {
      this.exited(c, 128 + sig.number, { manual: true });
      return;
    }
    const grace = timeoutSeconds ?? c.spec.stopGracePeriod ?? 10;
    if (grace !== 0) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          c.exitWaiters.delete(done);
          resolve();
        };
        const timer = grace > 0 ? setTimeout(done, grace * 1000) : undefined;
        c.exitWaiters.add(done);
      });
    }
    if (!LIVE.has(c.status)) return;
    this.emit(c, 'kill', { signal: 'SIGKILL' });
    this.exited(c, 137, { manual: true });
  }

  private exited(c: Container, exitCode: number, how: { readonly manual: boolean; readonly oomKilled?: boolean }): void {
    c.status = 'exited';
    c.pid = 0;
    c.exitCode = exitCode;
    c.oomKilled = how.oomKilled === true;
    c.finishedAt = formatTime(this.clock());
    c.ports = [];
    if (c.oomKilled) this.emit(c, 'oom');
    this.emit(c, 'die', { exitCode: String(exitCode) });
    c.log.endFollowers();
    for (const w of [...c.exitWaiters]) w(exitCode);
    if (!how.manual && this.restarts(c, exitCode)) {
      c.restartCount++;
      c.status = 'restarting';
      this.run(c);
    }
  }

  private restarts(c: Container, exitCode: number): boolean {
    const policy = c.spec.restartPolicy;
    switch (policy?.name) {
      case 'always':
      case 'unless-stopped':
        return true;
      case 'on-failure':
        return exitCode !== 0 && (!policy.maxRetries || c.restartCount < policy.maxRetries);
      default:
        return false;
    }
  }

  private emit(c: Container, action: ContainerAction, extra: Readonly<Record<string, string>> = {}): void {
    const ns = this.clock();
    this.hub.emit({ type: 'container', action, id: c.id, attributes: { ...c.labels, name: c.name, image: c.spec.image, ...extra }, time: formatTime(ns) }, ns);
  }

  private info(c: Container): ContainerInfo {
    const networks: Record<string, { ipv4Address?: string; ipv6Address?: string; macAddress?: string; aliases: readonly string[] }> = {};
    for (const n of c.spec.networks ?? []) {
      networks[n.network] = {
        aliases: n.aliases ?? [],
        ...(n.ipv4Address !== undefined ? { ipv4Address: n.ipv4Address } : {}),
        ...(n.ipv6Address !== undefined ? { ipv6Address: n.ipv6Address } : {}),
        ...(n.macAddress !== undefined ? { macAddress: n.macAddress } : {}),
      };
    }
    return {
      id: c.id,
      name: c.name,
      image: c.spec.image,
      imageId: c.image.id,
      created: c.created,
      labels: c.labels,
      state: {
        status: c.status,
        running: c.status === 'running' || c.status === 'paused' || c.status === 'restarting',
        paused: c.status === 'paused',
        restarting: c.status === 'restarting',
        oomKilled: c.oomKilled,
        pid: c.pid,
        exitCode: c.exitCode,
        ...(c.startedAt !== undefined ? { startedAt: c.startedAt } : {}),
        ...(c.finishedAt !== undefined ? { finishedAt: c.finishedAt } : {}),
        ...(c.health !== undefined ? { health: c.health } : {}),
      },
      restartCount: c.restartCount,
      spec: c.spec,
      networks,
      ports: [...c.ports],
    };
  }
}
