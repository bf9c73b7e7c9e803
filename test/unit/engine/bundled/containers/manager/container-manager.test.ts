import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ContainerManager } from '../../../../../../src/engine/bundled/containers/manager/container-manager';
import type { ContainerSpec } from '../../../../../../src/engine/containers';
import { InvalidArgumentError, ObjectConflictError, ObjectNotFoundError } from '../../../../../../src/engine/errors';
import type { EngineEvent } from '../../../../../../src/engine/events';
import { FakeBackend, fakeImages } from './fake-backend';

jest.setTimeout(20_000);

let root: string;
let backend: FakeBackend;
let manager: ContainerManager;
let events: EngineEvent[];
let stopEvents: AbortController;

async function open(b: FakeBackend = new FakeBackend()): Promise<ContainerManager> {
  backend = b;
  const m = new ContainerManager({ root, backend, images: fakeImages });
  await m.init();
  events = [];
  stopEvents = new AbortController();
  void (async () => {
    for await (const e of m.events({ signal: stopEvents.signal })) events.push(e);
  })();
  return m;
}

const spec = (over: Partial<ContainerSpec> = {}): ContainerSpec => ({ name: 'web-1', image: 'busybox', labels: { 'com.docker.compose.project': 'p' }, ...over });
const until = async (cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

beforeEach(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-manager-'));
  manager = await open();
});
afterEach(async () => {
  stopEvents.abort();
  await manager.shutdown();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('ContainerManager', () => {
  it('creates, starts, lists by label and inspects, as Docker reports them', async () => {
    const created = await manager.createContainer(spec());
    expect(created.state).toMatchObject({ status: 'created', running: false, pid: 0 });
    expect(created.id).toMatch(/^[0-9a-f]{64}$/);
    await manager.startContainer('web-1');
    const info = await manager.inspectContainer(created.id.slice(0, 12));
    expect(info.state).toMatchObject({ status: 'running', running: true, exitCode: 0 });
    expect(info.state.pid).toBeGreaterThan(0);
    expect(info.state.startedAt).toBeDefined();
    expect((await manager.listContainers({ labels: ['com.docker.compose.project=p'] })).map((c) => c.name)).toEqual(['web-1']);
    expect(await manager.listContainers({ labels: ['com.docker.compose.project=q'] })).toEqual([]);
    await manager.startContainer('web-1'); // starting a running container does nothing
    expect(backend.runs).toHaveLength(1);
    await until(() => events.length >= 2);
    expect(events.map((e) => e.action)).toEqual(['create', 'start']);
    expect(events[0]?.attributes).toMatchObject({ name: 'web-1', image: 'busybox', 'com.docker.compose.project': 'p' });
  });

  it('refuses a taken name, a bad name and an unknown image with Docker’s errors, leaving nothing', async () => {
    const first = await manager.createContainer(spec());
    await expect(manager.createContainer(spec())).rejects.toThrow(new ObjectConflictError(`Conflict. The container name "/web-1" is already in use by container "${first.id}". You have to remove (or rename) that container to be able to reuse that name.`));
    await expect(manager.createContainer(spec({ name: '-bad' }))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(manager.createContainer(spec({ name: 'x', image: 'missing:1' }))).rejects.toThrow('No such image: missing:1');
    expect((await manager.listContainers({ all: true })).map((c) => c.name)).toEqual(['web-1']);
    await expect(manager.inspectContainer('nope')).rejects.toThrow(new ObjectNotFoundError('No such container: nope'));
  });

  it('stop sends the stop signal, and SIGKILL to every process after the grace period', async () => {
    await manager.createContainer(spec({ stopSignal: 'SIGINT' }));
    await manager.startContainer('web-1');
    await manager.stopContainer('web-1');
    expect(backend.signals.map((s) => s.signal)).toEqual(['SIGINT']);
    expect((await manager.inspectContainer('web-1')).state).toMatchObject({ status: 'exited', exitCode: 130, running: false });

    backend.ignore.add('SIGINT');
    await manager.startContainer('web-1');
    const t0 = Date.now();
    await manager.stopContainer('web-1', { timeoutSeconds: 0.3 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(backend.signals.slice(1)).toEqual([
      { id: expect.any(String), signal: 'SIGINT', all: false },
      { id: expect.any(String), signal: 'SIGKILL', all: true },
    ]);
    expect((await manager.inspectContainer('web-1')).state.exitCode).toBe(137);
  });

  it('on-failure:3 restarts exactly three times with growing delays', async () => {
    const c = await manager.createContainer(spec({ restartPolicy: { name: 'on-failure', maxRetries: 3 } }));
    await manager.startContainer(c.id);
    for (let i = 0; i < 4; i++) {
      await until(() => backend.live.has(c.id));
      backend.exit(c.id, 1);
      await until(async () => !backend.live.has(c.id) && (await manager.inspectContainer(c.id)).state.status !== 'running');
    }
    await new Promise((r) => setTimeout(r, 1000)); // no fifth run
    expect(backend.runs).toHaveLength(4);
    const gaps = backend.runs.slice(1).map((r, i) => r.at - (backend.runs[i]?.at ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(100);
    expect(gaps[1]).toBeGreaterThanOrEqual(200);
    expect(gaps[2]).toBeGreaterThanOrEqual(400);
    const info = await manager.inspectContainer(c.id);
    expect(info).toMatchObject({ restartCount: 3, state: { status: 'exited', exitCode: 1 } });
  });

  it('always comes back after its process dies, but not after a stop; an explicit start resets the count', async () => {
    const c = await manager.createContainer(spec({ restartPolicy: { name: 'always' } }));
    await manager.startContainer(c.id);
    backend.exit(c.id, 0);
    await until(() => backend.runs.length === 2);
    expect((await manager.inspectContainer(c.id)).restartCount).toBe(1);
    await manager.stopContainer(c.id);
    await new Promise((r) => setTimeout(r, 400));
    expect(backend.runs).toHaveLength(2);
    await manager.startContainer(c.id);
    expect((await manager.inspectContainer(c.id)).restartCount).toBe(0);
  });

  it('wait resolves with the next exit code; remove needs force while running, then everything goes', async () => {
    const c = await manager.createContainer(spec());
    await manager.startContainer(c.id);
    const waiting = manager.waitContainer(c.id);
    backend.exit(c.id, 3);
    await expect(waiting).resolves.toEqual({ exitCode: 3 });
    await expect(manager.waitContainer(c.id)).resolves.toEqual({ exitCode: 3 }); // not running: at once

    await manager.startContainer(c.id);
    await expect(manager.removeContainer(c.id)).rejects.toThrow('cannot remove container "/web-1": container is running: stop the container before removing or force remove');
    const removed = manager.waitContainer(c.id, { condition: 'removed' });
    await manager.removeContainer(c.id, { force: true });
    await removed;
    expect(backend.destroyed).toEqual([c.id]);
    expect(fs.existsSync(path.join(root, 'containers', c.id))).toBe(false);
    await expect(manager.inspectContainer(c.id)).rejects.toBeInstanceOf(ObjectNotFoundError);
    await until(() => events.some((e) => e.action === 'destroy'));
    expect(events.map((e) => e.action)).toEqual(['create', 'start', 'die', 'start', 'kill', 'die', 'destroy'].filter((a) => a !== 'kill'));
  });

  it('stop and remove finish even when the monitor died and will never report the exit', async () => {
    const c = await manager.createContainer(spec());
    await manager.startContainer(c.id);
    backend.ignore.add('SIGTERM');
    backend.ignore.add('SIGKILL');
    backend.live.delete(c.id); // the monitor and its container are gone, nothing reported
    await manager.stopContainer(c.id, { timeoutSeconds: 0.1 });
    expect((await manager.inspectContainer(c.id)).state).toMatchObject({ status: 'exited', exitCode: 137 });
    await manager.startContainer(c.id);
    backend.live.delete(c.id);
    backend.exitCodes.set(c.id, 9);
    await manager.removeContainer(c.id, { force: true });
    await expect(manager.inspectContainer(c.id)).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('a failed start leaves the container exited with the error and a Docker-like exit code', async () => {
    const c = await manager.createContainer(spec());
    backend.failRun = new Error('exec: "nope": executable file not found in $PATH');
    await expect(manager.startContainer(c.id)).rejects.toThrow('executable file not found');
    expect((await manager.inspectContainer(c.id)).state).toMatchObject({ status: 'exited', exitCode: 127, error: expect.stringContaining('not found') });
  });

  it('health: starting, then healthy, then unhealthy after `retries` failures; fresh again after a restart', async () => {
    let fail = false;
    backend.execResult = () => (fail ? 1 : 0);
    const c = await manager.createContainer(spec({ healthcheck: { test: ['CMD', 'check'], intervalNs: 30e6, retries: 2 } }));
    await manager.startContainer(c.id);
    expect((await manager.inspectContainer(c.id)).state.health?.status).toBe('starting');
    await until(async () => (await manager.inspectContainer(c.id)).state.health?.status === 'healthy');
    fail = true;
    await until(async () => (await manager.inspectContainer(c.id)).state.health?.status === 'unhealthy');
    const health = (await manager.inspectContainer(c.id)).state.health;
    expect(health?.failingStreak).toBeGreaterThanOrEqual(2);
    expect(health?.log[health.log.length - 1]).toMatchObject({ exitCode: 1, output: 'ran check\n' });
    await until(() => events.filter((e) => e.action === 'health_status').length >= 2);
    expect(events.filter((e) => e.action === 'health_status').map((e) => e.attributes.healthStatus)).toEqual(['healthy', 'unhealthy']);
    await manager.restartContainer(c.id, { timeoutSeconds: 1 });
    expect((await manager.inspectContainer(c.id)).state.health?.status).toBe('starting');
  });

  it('a new engine over the same root re-adopts running containers and settles those that died meanwhile', async () => {
    const a = await manager.createContainer(spec({ name: 'a' }));
    const b = await manager.createContainer(spec({ name: 'b', restartPolicy: { name: 'unless-stopped' } }));
    const c = await manager.createContainer(spec({ name: 'c' }));
    for (const x of [a, b, c]) await manager.startContainer(x.id);
    const pidA = (await manager.inspectContainer('a')).state.pid;
    await manager.shutdown();
    stopEvents.abort();
    // while the engine is down, b and c die
    const survivor = backend;
    survivor.live.delete(b.id);
    survivor.exitCodes.set(b.id, 2);
    survivor.live.delete(c.id);
    survivor.exitCodes.set(c.id, 5);
    manager = await open(survivor);
    expect((await manager.inspectContainer('a')).state).toMatchObject({ status: 'running', pid: pidA });
    expect((await manager.inspectContainer('b')).state.status).toBe('running'); // unless-stopped: started again
    expect((await manager.inspectContainer('c')).state).toMatchObject({ status: 'exited', exitCode: 5 });
  });

  it('pause and unpause; exec refused while paused', async () => {
    const c = await manager.createContainer(spec());
    await manager.startContainer(c.id);
    await manager.pauseContainer(c.id);
    expect((await manager.inspectContainer(c.id)).state).toMatchObject({ status: 'paused', paused: true, running: true });
    await expect(manager.exec(c.id, { cmd: ['true'] })).rejects.toThrow('paused');
    await manager.unpauseContainer(c.id);
    await expect(manager.exec(c.id, { cmd: ['true'] })).resolves.toEqual({ exitCode: 0 });
  });
});
