/**
 * The bundled engine's containers: the state machine over a ContainerBackend, with records
 * on disk, Docker's restart policies, health checks, waits and events.
 *
 * Locking: every change to a container runs under its key in `lock`; waiting for an exit
 * never holds the lock (the exit handler needs it), so `stop` signals under the lock and
 * waits outside it.
 */
import { randomBytes } from 'node:crypto';
import type {
  ContainerFilter,
  ContainerInfo,
  ContainerSpec,
  ContainerStats,
  ContainerStore,
  ExecOptions,
  ExecResult,
  LogLine,
  LogOptions,
  ProcessList,
} from '../../../containers';
import { containerErrors } from '../../../container-errors';
import { ObjectNotFoundError } from '../../../errors';
import type { EngineEvent, EventFilter, EventSource } from '../../../events';
import type { ContainerBackend, ImageResolver } from './backend';
import { EventBus, labelsMatch } from './event-bus';
import { HealthChecker } from './health-checker';
import { KeyedLock } from './keyed-lock';
import { NEW_STATE, type ContainerRecord, type RecordState } from './record';
import { RecordStore } from './record-store';
import { decideRestart, restartsWithEngine } from './restart-policy';

export interface ContainerManagerOptions {
  readonly root: string;
  readonly backend: ContainerBackend;
  readonly images: ImageResolver;
  /** Problems found while loading or re-adopting (a broken record, a failed restart). */
  readonly onWarning?: (message: string) => void;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const DEFAULT_GRACE_SECONDS = 10;
/** After a SIGKILL, how often to ask the runtime whether a container whose exit was not reported is gone. */
const EXIT_CHECK_MS = 2000;

export class ContainerManager implements ContainerStore, EventSource {
  private readonly records = new Map<string, ContainerRecord>();
  private readonly store: RecordStore;
  private readonly lock = new KeyedLock();
  private readonly bus = new EventBus();
  private readonly exitWaiters = new Map<string, Array<(exitCode: number) => void>>();
  private readonly removalWaiters = new Map<string, Array<() => void>>();
  /** Resolved when a container stops for good: exited and not restarted by its policy, or removed. */
  private readonly stopWaiters = new Map<string, Array<() => void>>();
  private readonly restartTimers = new Map<string, NodeJS.Timeout>();
  private readonly health: HealthChecker;
  private watcher: { close(): void } | undefined;
  private stopping = false;
  private readonly backend: ContainerBackend;

  constructor(private readonly options: ContainerManagerOptions) {
    this.backend = options.backend;
    this.store = new RecordStore(options.root);
    this.health = new HealthChecker({
      exec: (id, o) => this.execById(id, o),
      onResult: (id, state, changed) => this.onHealth(id, state, changed),
    });
  }

  /** Loads the records, re-adopts running containers, settles the ones that died meanwhile, and restarts what the policies say. */
  async init(): Promise<void> {
    await this.store.init();
    const warn = this.options.onWarning ?? (() => undefined);
    for (const record of await this.store.loadAll((id, reason) => warn(`container ${id}: unreadable record (${reason}); left as it is`))) {
      this.records.set(record.id, record);
    }
    // adopt first, then watch: the watcher's first scan reports what exited meanwhile, which
    // adoption has settled already (its exit file is gone) or which exited during adoption
    for (const record of [...this.records.values()]) {
      await this.lock.run(record.id, () => this.adopt(record)).catch((err: unknown) => warn(`container ${record.name}: ${messageOf(err)}`));
    }
    this.watcher = this.backend.watchExits((id, code) => void this.onExit(id, code));
  }

  /** Stops health checks and restart timers; the containers keep running under their monitors. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    this.health.stopAll();
    for (const timer of this.restartTimers.values()) clearTimeout(timer);
    this.restartTimers.clear();
    this.watcher?.close();
  }

  /** How many containers there are, by state (`engine status`). */
  counts(): { readonly total: number; readonly running: number; readonly paused: number; readonly stopped: number } {
    const all = [...this.records.values()];
    const running = all.filter((r) => r.state.status === 'running').length;
    const paused = all.filter((r) => r.state.status === 'paused').length;
    return { total: all.length, running, paused, stopped: all.length - running - paused };
  }

  /** Names of the containers made from this image (it must not be deleted under them). */
  imageUsers(imageId: string): string[] {
    return [...this.records.values()].filter((r) => r.imageId === imageId).map((r) => r.name);
  }

  // ---- ContainerStore ----

  async createContainer(spec: ContainerSpec): Promise<ContainerInfo> {
    if (!NAME.test(spec.name)) {
      throw containerErrors.invalidName(spec.name);
    }
    this.backend.validate(spec);
    const image = await this.options.images.resolve(spec.image);
    return this.lock.run(`name:${spec.name}`, async () => {
      const taken = this.byName(spec.name);
      if (taken) throw containerErrors.nameInUse(spec.name, taken.id);
      const record: ContainerRecord = {
        id: randomBytes(32).toString('hex'),
        name: spec.name,
        spec,
        imageId: image.id,
        imageConfig: image.config,
        layerDirs: image.layerDirs,
        created: new Date().toISOString(),
        state: NEW_STATE,
        ports: [],
      };
      await this.store.save(record);
      this.records.set(record.id, record);
      this.emit('create', record);
      return this.info(record);
    });
  }

  async startContainer(idOrName: string): Promise<void> {
    const id = this.find(idOrName).id;
    await this.lock.run(id, async () => {
      const record = this.get(id);
      if (record.state.status === 'running') return;
      if (record.state.status === 'paused') throw containerErrors.startPaused();
      this.cancelRestart(id);
      // an explicit start resets the policy's count and the manual stop
      await this.update(record, { manuallyStopped: false, restartCount: 0, lastRestartDelayMs: 0 });
      await this.runNow(id, 'start');
    });
  }

  async stopContainer(idOrName: string, options: { readonly timeoutSeconds?: number } = {}): Promise<void> {
    const id = this.find(idOrName).id;
    const exited = await this.lock.run(id, async () => {
      const record = this.get(id);
      this.cancelRestart(id);
      await this.update(record, { manuallyStopped: true });
      if (record.state.status === 'restarting') await this.update(this.get(id), { status: 'exited' });
      if (!isLive(this.get(id))) return undefined;
      const waiting = this.nextExit(id);
      if (this.get(id).state.status === 'paused') await this.backend.resume(this.get(id));
      await this.backend.signal(this.get(id), stopSignal(record)).catch(ignoreGone);
      // boxed: a promise returned from the locked task would be awaited inside the lock
      return { waiting };
    });
    if (exited === undefined) return;
    const grace = options.timeoutSeconds ?? this.get(id).spec.stopGracePeriod ?? DEFAULT_GRACE_SECONDS;
    if ((await withTimeout(exited.waiting, grace * 1000)) === undefined) {
      await this.backend.signal(this.get(id), 'SIGKILL', true).catch(ignoreGone);
      await this.exitOrGone(id, exited.waiting);
    }
    this.emit('stop', this.get(id));
  }

  async killContainer(idOrName: string, signal = 'SIGKILL'): Promise<void> {
    const id = this.find(idOrName).id;
    await this.lock.run(id, async () => {
      const record = this.get(id);
      if (!isLive(record)) throw containerErrors.killNotRunning(record.id);
      // Docker: a kill counts as a manual stop for the restart policy (only when it ends the container)
      await this.update(record, { manuallyStopped: true });
      await this.backend.signal(record, signal);
      this.emit('kill', record, { signal });
    });
  }

  async restartContainer(idOrName: string, options: { readonly timeoutSeconds?: number } = {}): Promise<void> {
    await this.stopContainer(idOrName, options);
    await this.startContainer(idOrName);
    this.emit('restart', this.find(idOrName));
  }

  async pauseContainer(idOrName: string): Promise<void> {
    const id = this.find(idOrName).id;
    await this.lock.run(id, async () => {
      const record = this.get(id);
      if (record.state.status === 'paused') throw containerErrors.alreadyPaused(record.id);
      if (record.state.status !== 'running') throw containerErrors.notRunning(record.id);
      await this.backend.pause(record);
      await this.update(record, { status: 'paused' });
      this.emit('pause', record);
    });
  }

  async unpauseContainer(idOrName: string): Promise<void> {
    const id = this.find(idOrName).id;
    await this.lock.run(id, async () => {
      const record = this.get(id);
      if (record.state.status !== 'paused') throw containerErrors.notPaused(record.id);
      await this.backend.resume(record);
      await this.update(record, { status: 'running' });
      this.emit('unpause', record);
    });
  }

  async removeContainer(idOrName: string, options: { readonly force?: boolean; readonly volumes?: boolean } = {}): Promise<void> {
    const id = this.find(idOrName).id;
    const exited = await this.lock.run(id, async () => {
      const record = this.get(id);
      this.cancelRestart(id);
      if (!isLive(record)) return undefined;
      if (!options.force) throw record.state.status === 'paused' ? containerErrors.removePaused(record.name) : containerErrors.removeRunning(record.name);
      await this.update(record, { manuallyStopped: true });
      const waiting = this.nextExit(id);
      if (record.state.status === 'paused') await this.backend.resume(record).catch(ignoreGone);
      await this.backend.signal(record, 'SIGKILL', true).catch(ignoreGone);
      return { waiting };
    });
    if (exited) await this.exitOrGone(id, exited.waiting);
    await this.lock.run(id, async () => {
      const record = this.records.get(id);
      if (!record) return;
      this.health.stop(id);
      await this.backend.cleanup(record);
      await this.backend.destroy(record);
      await this.store.remove(id);
      this.records.delete(id);
      this.emit('destroy', record);
      for (const resolve of this.removalWaiters.get(id) ?? []) resolve();
      this.removalWaiters.delete(id);
      this.settleStopped(id);
    });
  }

  async renameContainer(idOrName: string, newName: string): Promise<void> {
    if (!NAME.test(newName)) throw containerErrors.invalidName(newName);
    const id = this.find(idOrName).id;
    await this.lock.run(`name:${newName}`, () =>
      this.lock.run(id, async () => {
        const taken = this.byName(newName);
        const record = this.get(id);
        if (record.name === newName) throw containerErrors.renameToSame();
        if (taken) throw containerErrors.nameInUse(newName, taken.id);
        const renamed: ContainerRecord = { ...record, name: newName, spec: { ...record.spec, name: newName } };
        await this.store.save(renamed);
        this.records.set(id, renamed);
        this.emit('rename', renamed, { oldName: record.name });
      }),
    );
  }

  async inspectContainer(idOrName: string): Promise<ContainerInfo> {
    return this.info(this.find(idOrName));
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerInfo[]> {
    return [...this.records.values()]
      .filter((r) => filter.all === true || isLive(r))
      .filter((r) => filter.name === undefined || r.name === filter.name)
      .filter((r) => labelsMatch(r.spec.labels ?? {}, filter.labels))
      .sort((a, b) => b.created.localeCompare(a.created))
      .map((r) => this.info(r));
  }

  async waitContainer(
    idOrName: string,
    options: { readonly condition?: 'not-running' | 'next-exit' | 'removed'; readonly signal?: AbortSignal } = {},
  ): Promise<{ readonly exitCode: number }> {
    const record = this.find(idOrName);
    const condition = options.condition ?? 'not-running';
    let waiting: Promise<number>;
    if (condition === 'removed') {
      waiting = new Promise<void>((resolve) => pushTo(this.removalWaiters, record.id, resolve)).then(() => record.state.exitCode);
    } else if (condition === 'not-running' && !isLive(record) && record.state.status !== 'restarting') {
      return { exitCode: record.state.exitCode };
    } else {
      waiting = this.nextExit(record.id);
    }
    const exitCode = await abortable(waiting, options.signal);
    return { exitCode };
  }

  /** A follow ends when the container stops for good (not when its policy restarts it) or is removed. */
  containerLogs(idOrName: string, options: LogOptions = {}): AsyncIterable<LogLine> {
    const record = this.find(idOrName);
    const active = isLive(record) || record.state.status === 'restarting';
    const stopped = active ? new Promise<void>((resolve) => pushTo(this.stopWaiters, record.id, resolve)) : Promise.resolve();
    return this.backend.logs(record, options, stopped);
  }

  async exec(idOrName: string, options: ExecOptions): Promise<ExecResult> {
    return this.execById(this.find(idOrName).id, options);
  }

  async stats(idOrName: string): Promise<ContainerStats> {
    const record = this.find(idOrName);
    if (!isLive(record)) throw containerErrors.notRunning(record.id);
    return this.backend.stats(record);
  }

  async top(idOrName: string, psArgs: readonly string[] = []): Promise<ProcessList> {
    const record = this.find(idOrName);
    if (!isLive(record)) throw containerErrors.notRunning(record.id);
    return this.backend.top(record, psArgs);
  }

  /**
   * Copies run under the container's lock (a copy from a container that just exited waits for
   * its cleanup to unmount the root, and a start waits for a copy in): the stream of a copy
   * out is read after the lock is let go; the backend keeps its root mounted until then.
   */
  async copyFrom(idOrName: string, path: string): Promise<NodeJS.ReadableStream> {
    const id = this.find(idOrName).id;
    return (await this.lock.run(id, async () => ({ stream: await this.backend.copyFrom(this.get(id), path) }))).stream;
  }

  async copyTo(idOrName: string, path: string, tar: NodeJS.ReadableStream): Promise<void> {
    const id = this.find(idOrName).id;
    await this.lock.run(id, () => this.backend.copyTo(this.get(id), path, tar));
  }

  events(filter?: EventFilter): AsyncIterable<EngineEvent> {
    return this.bus.events(filter);
  }

  // ---- internals ----

  /** Runs the container now (under its lock); on failure it is left exited with the error. */
  private async runNow(id: string, action: 'start' | 'restart-policy'): Promise<void> {
    const record = this.get(id);
    let running;
    try {
      running = await this.backend.run(record);
    } catch (err) {
      await this.backend.cleanup(record).catch(() => undefined);
      await this.update(this.get(id), { status: 'exited', pid: 0, monitorPid: 0, exitCode: exitCodeFor(err), error: messageOf(err), finishedAt: new Date().toISOString() });
      throw err;
    }
    const { error: _cleared, ...previous } = this.get(id).state;
    // a fresh health state on every start: a dependent never sees a stale result
    const { health: _stale, ...rest } = previous;
    const health = this.health.start(this.get(id));
    await this.update(this.get(id), {}, {
      ...rest,
      status: 'running',
      pid: running.pid,
      monitorPid: running.monitorPid,
      exitCode: 0,
      oomKilled: false,
      startedAt: new Date().toISOString(),
      ...(health ? { health } : {}),
    });
    this.emit('start', this.get(id));
    if (action === 'restart-policy') this.emit('restart', this.get(id));
  }

  /** An exit reported by a monitor. */
  private async onExit(id: string, exitCode: number): Promise<void> {
    await this.lock.run(id, async () => {
      const record = this.records.get(id);
      if (!record || !isLive(record)) return;
      this.health.stop(id);
      // the OOM verdict first: cleanup removes the cgroup that holds it
      const oomKilled = await this.backend.oomKilled(record).catch(() => false);
      const finishedAt = new Date().toISOString();
      const ranForMs = record.state.startedAt ? Date.now() - Date.parse(record.state.startedAt) : 0;
      const decision = decideRestart({
        policy: record.spec.restartPolicy,
        exitCode,
        restartCount: record.state.restartCount,
        ranForMs,
        previousDelayMs: record.state.lastRestartDelayMs,
        manuallyStopped: record.state.manuallyStopped,
        engineStopping: this.stopping,
      });
      await this.update(record, {
        status: decision.restart ? 'restarting' : 'exited',
        pid: 0,
        monitorPid: 0,
        exitCode,
        oomKilled,
        finishedAt,
        ...(record.state.health ? { health: { ...record.state.health, status: 'unhealthy' as const } } : {}),
      });
      if (oomKilled) this.emit('oom', record);
      this.emit('die', this.get(id), { exitCode: String(exitCode) });
      // waiters learn of the exit at once; the cleanup (runtime state, root mount) still holds
      // the lock, so whatever they do next to this container waits for it
      for (const resolve of this.exitWaiters.get(id) ?? []) resolve(exitCode);
      this.exitWaiters.delete(id);
      await this.backend.cleanup(record).catch((err: unknown) => this.options.onWarning?.(`container ${record.name}: cleanup after exit failed: ${messageOf(err)}`));
      if (decision.restart) this.scheduleRestart(id, decision.delayMs);
      else this.settleStopped(id);
    });
  }

  private scheduleRestart(id: string, delayMs: number): void {
    const timer = setTimeout(() => {
      this.restartTimers.delete(id);
      void this.lock
        .run(id, async () => {
          const record = this.records.get(id);
          if (!record || record.state.status !== 'restarting' || this.stopping) return;
          await this.update(record, { restartCount: record.state.restartCount + 1, lastRestartDelayMs: delayMs });
          await this.runNow(id, 'restart-policy');
        })
        .catch((err: unknown) => this.options.onWarning?.(`container ${this.records.get(id)?.name ?? id}: restart failed: ${messageOf(err)}`));
    }, delayMs);
    this.restartTimers.set(id, timer);
  }

  private cancelRestart(id: string): void {
    const timer = this.restartTimers.get(id);
    if (timer) clearTimeout(timer);
    if (this.restartTimers.delete(id)) this.settleStopped(id);
  }

  private settleStopped(id: string): void {
    for (const resolve of this.stopWaiters.get(id) ?? []) resolve();
    this.stopWaiters.delete(id);
  }

  /** At engine start: a container recorded as live is either still running (adopt it) or died meanwhile (settle it). */
  private async adopt(record: ContainerRecord): Promise<void> {
    const wasLive = isLive(record) || record.state.status === 'restarting';
    if (isLive(record)) {
      const alive = await this.backend.alive(record);
      if (alive) {
        await this.update(record, { pid: alive.pid, monitorPid: alive.monitorPid });
        if (record.state.status === 'running') this.health.start(this.get(record.id), record.state.health);
        return;
      }
      const exitCode = (await this.backend.exitCode(record)) ?? 255;
      await this.backend.cleanup(record).catch(() => undefined);
      await this.update(record, { status: 'exited', pid: 0, monitorPid: 0, exitCode, finishedAt: new Date().toISOString() });
    } else if (record.state.status === 'restarting') {
      await this.update(record, { status: 'exited' });
    }
    const current = this.get(record.id);
    if (current.state.startedAt !== undefined && restartsWithEngine(current.spec.restartPolicy, current.state.manuallyStopped, wasLive)) {
      await this.runNow(record.id, 'restart-policy');
    }
  }

  private async execById(id: string, options: ExecOptions): Promise<ExecResult> {
    const record = this.get(id);
    if (record.state.status === 'paused') throw containerErrors.paused(record.id);
    if (record.state.status !== 'running') throw containerErrors.notRunning(record.id);
    return this.backend.exec(record, options);
  }

  private async onHealth(id: string, state: NonNullable<RecordState['health']>, changed: boolean): Promise<void> {
    await this.lock.run(id, async () => {
      const record = this.records.get(id);
      if (!record || record.state.status !== 'running' || this.stopping) return;
      await this.update(record, { health: state });
      if (changed) this.emit('health_status', this.get(id), { healthStatus: state.status });
    });
  }

  /**
   * The exit after a SIGKILL, as the monitor reports it — or, when the monitor itself is gone
   * and will never report (killed by hand), as found by asking the runtime: the exit is then
   * settled here, with conmon's exit file if it wrote one, else 137.
   */
  private async exitOrGone(id: string, waiting: Promise<number>): Promise<number> {
    for (;;) {
      const code = await withTimeout(waiting, EXIT_CHECK_MS);
      if (code !== undefined) return code;
      const record = this.records.get(id);
      if (!record || !isLive(record)) return record?.state.exitCode ?? 137;
      if ((await this.backend.alive(record)) === undefined) {
        await this.onExit(id, (await this.backend.exitCode(record)) ?? 137);
      }
    }
  }

  private nextExit(id: string): Promise<number> {
    return new Promise((resolve) => pushTo(this.exitWaiters, id, resolve));
  }

  private async update(record: ContainerRecord, change: Partial<RecordState>, replace?: RecordState): Promise<void> {
    const next: ContainerRecord = { ...record, state: replace ?? { ...record.state, ...change } };
    await this.store.save(next);
    this.records.set(record.id, next);
  }

  private emit(action: Parameters<EventBus['emit']>[0], record: ContainerRecord, extra: Readonly<Record<string, string>> = {}): void {
    this.bus.emit(action, record.id, { ...(record.spec.labels ?? {}), name: record.name, image: record.spec.image, ...extra });
  }

  private get(id: string): ContainerRecord {
    const record = this.records.get(id);
    if (!record) throw containerErrors.noSuchContainer(id);
    return record;
  }

  private byName(name: string): ContainerRecord | undefined {
    for (const r of this.records.values()) if (r.name === name) return r;
    return undefined;
  }

  /** By full ID, name (with or without Docker's leading slash), or unique ID prefix. */
  private find(idOrName: string): ContainerRecord {
    const key = idOrName.startsWith('/') ? idOrName.slice(1) : idOrName;
    const exact = this.records.get(key) ?? this.byName(key);
    if (exact) return exact;
    if (/^[0-9a-f]+$/.test(key)) {
      const matches = [...this.records.values()].filter((r) => r.id.startsWith(key));
      if (matches.length > 1) throw containerErrors.ambiguous(key);
      if (matches[0]) return matches[0];
    }
    throw containerErrors.noSuchContainer(idOrName);
  }

  private info(record: ContainerRecord): ContainerInfo {
    const s = record.state;
    return {
      id: record.id,
      name: record.name,
      image: record.spec.image,
      imageId: record.imageId,
      created: record.created,
      labels: record.spec.labels ?? {},
      state: {
        status: s.status,
        running: s.status === 'running' || s.status === 'paused',
        paused: s.status === 'paused',
        restarting: s.status === 'restarting',
        oomKilled: s.oomKilled,
        pid: s.pid,
        exitCode: s.exitCode,
        ...(s.error !== undefined ? { error: s.error } : {}),
        ...(s.startedAt !== undefined ? { startedAt: s.startedAt } : {}),
        ...(s.finishedAt !== undefined ? { finishedAt: s.finishedAt } : {}),
        ...(s.health !== undefined ? { health: s.health } : {}),
      },
      restartCount: s.restartCount,
      spec: record.spec,
      networks: {},
      ports: record.ports,
    };
  }
}

function isLive(record: ContainerRecord): boolean {
  return record.state.status === 'running' || record.state.status === 'paused';
}

function stopSignal(record: ContainerRecord): string {
  return record.spec.stopSignal ?? record.imageConfig.stopSignal ?? 'SIGTERM';
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A signal to a container that has just exited is not an error. */
function ignoreGone(err: unknown): void {
  if (err instanceof ObjectNotFoundError) return;
  throw err;
}

/** Docker's exit codes for a process that could not start: 127 not found, 126 not executable, else 128. */
function exitCodeFor(err: unknown): number {
  const message = messageOf(err);
  if (/no such file|not found/i.test(message)) return 127;
  if (/permission denied|not executable/i.test(message)) return 126;
  return 128;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
