import { PassThrough, Writable } from 'node:stream';
import type { ContainerSpec, LogLine } from '../../../../src/engine/containers';
import { InvalidArgumentError, ObjectConflictError, ObjectNotFoundError } from '../../../../src/engine/errors';
import type { EngineEvent } from '../../../../src/engine/events';
import { FakeEngine } from '../../../../src/engine/fake/fake-engine';

function spec(name: string, extra: Partial<ContainerSpec> = {}): ContainerSpec {
  return { name, image: 'busybox', ...extra };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

function sink(): { stream: Writable; text: () => string } {
  const parts: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      parts.push(chunk);
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(parts).toString('utf8') };
}

/** Takes events until one with `action` arrived, then aborts the stream. */
async function takeEvents(it: AsyncIterable<EngineEvent>, action: string, controller: AbortController): Promise<EngineEvent[]> {
  const out: EngineEvent[] = [];
  for await (const e of it) {
    out.push(e);
    if (e.action === action) controller.abort();
  }
  return out;
}

let fake: FakeEngine;
beforeEach(() => {
  fake = new FakeEngine();
  fake.addImage('busybox', { cmd: ['sh'], labels: { 'from.image': 'yes' }, stopSignal: 'SIGQUIT' });
});

describe('FakeEngine containers', () => {
  it('creates, starts, stops and removes with Docker’s states and events', async () => {
    const controller = new AbortController();
    const events = takeEvents(fake.events({ signal: controller.signal }), 'destroy', controller);
    const created = await fake.createContainer(spec('web-1', { labels: { app: 'web' } }));
    expect(created.id).toMatch(/^[0-9a-f]{64}$/);
    expect(created.state).toMatchObject({ status: 'created', running: false, pid: 0, exitCode: 0 });
    expect(created.labels).toEqual({ 'from.image': 'yes', app: 'web' });
    expect(created.imageId).toBe((await fake.inspectImage('busybox')).id);

    await fake.startContainer('web-1');
    const running = await fake.inspectContainer(created.id.slice(0, 10));
    expect(running.state).toMatchObject({ status: 'running', running: true });
    expect(running.state.pid).toBeGreaterThan(0);
    expect(running.state.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);

    await fake.stopContainer('web-1', { timeoutSeconds: 1 });
    const stopped = await fake.inspectContainer('/web-1');
    expect(stopped.state).toMatchObject({ status: 'exited', running: false, exitCode: 128 + 3, pid: 0 });
    expect(stopped.state.finishedAt).toBeDefined();

    await fake.removeContainer('web-1');
    await expect(fake.inspectContainer('web-1')).rejects.toThrow(new ObjectNotFoundError('No such container: web-1'));
    const seen = await events;
    expect(seen.map((e) => e.action)).toEqual(['create', 'start', 'kill', 'die', 'stop', 'destroy']);
    expect(seen.find((e) => e.action === 'kill')?.attributes).toMatchObject({ signal: 'SIGQUIT', name: 'web-1', app: 'web' });
    expect(seen.find((e) => e.action === 'die')?.attributes.exitCode).toBe('131');
  });

  it('gives Docker’s errors for names, states and unknown containers and images', async () => {
    await expect(fake.createContainer(spec('x', {}))).rejects.toThrow(new InvalidArgumentError('Invalid container name (x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed'));
    await expect(fake.createContainer({ name: 'db', image: 'nope:1' })).rejects.toThrow(new ObjectNotFoundError('No such image: nope:1'));
    const a = await fake.createContainer(spec('app'));
    const taken = fake.createContainer(spec('app'));
    await expect(taken).rejects.toBeInstanceOf(ObjectConflictError);
    await expect(taken).rejects.toThrow(`Conflict. The container name "/app" is already in use by container "${a.id}". You have to remove (or rename) that container to be able to reuse that name.`);
    await expect(fake.pauseContainer('app')).rejects.toThrow(new ObjectConflictError(`Container ${a.id} is not running`));
    await expect(fake.killContainer('app')).rejects.toThrow(`Cannot kill container: ${a.id}: Container ${a.id} is not running`);
    await expect(fake.unpauseContainer('app')).rejects.toThrow(`Container ${a.id} is not paused`);
    await fake.startContainer('app');
    await fake.pauseContainer('app');
    await expect(fake.pauseContainer('app')).rejects.toThrow(`Container ${a.id} is already paused`);
    await expect(fake.startContainer('app')).rejects.toThrow('cannot start a paused container, try unpause instead');
    await expect(fake.exec('app', { cmd: ['true'] })).rejects.toThrow(`Container ${a.id} is paused, unpause the container before exec`);
    await expect(fake.removeContainer('app')).rejects.toThrow('cannot remove container "/app": container is paused: unpause and stop the container before removing or force remove');
    await fake.unpauseContainer('app');
    const running = fake.removeContainer('app');
    await expect(running).rejects.toBeInstanceOf(ObjectConflictError);
    await expect(running).rejects.toThrow('cannot remove container "/app": container is running: stop the container before removing or force remove');
    await expect(fake.killContainer('app', 'SIGNOPE')).rejects.toThrow(new InvalidArgumentError('Invalid signal: SIGNOPE'));
    await fake.removeContainer('app', { force: true });
    await expect(fake.startContainer('app')).rejects.toThrow('No such container: app');
  });

  it('kills with a signal, restarts, renames and lists by labels, name and state', async () => {
    await fake.createContainer(spec('one', { labels: { 'com.docker.compose.project': 'p', svc: 'a' } }));
    await fake.createContainer(spec('two', { labels: { 'com.docker.compose.project': 'p', svc: 'b' } }));
    await fake.createContainer(spec('three', { labels: { 'com.docker.compose.project': 'q' } }));
    await fake.startContainer('one');
    await fake.startContainer('two');
    await fake.killContainer('two', 'TERM');
    expect((await fake.inspectContainer('two')).state.exitCode).toBe(143);
    await fake.killContainer('one', 'SIGWINCH'); // survives
    expect((await fake.inspectContainer('one')).state.running).toBe(true);

    expect((await fake.listContainers()).map((c) => c.name)).toEqual(['one']);
    expect((await fake.listContainers({ all: true })).map((c) => c.name)).toEqual(['three', 'two', 'one']);
    expect((await fake.listContainers({ all: true, labels: ['com.docker.compose.project=p'] })).map((c) => c.name)).toEqual(['two', 'one']);
    expect((await fake.listContainers({ all: true, labels: ['com.docker.compose.project=p', 'svc=b'] })).map((c) => c.name)).toEqual(['two']);
    expect((await fake.listContainers({ all: true, labels: ['svc'] })).map((c) => c.name)).toEqual(['two', 'one']);
    expect((await fake.listContainers({ all: true, name: '^t' })).map((c) => c.name)).toEqual(['three', 'two']);

    const before = (await fake.inspectContainer('one')).state.pid;
    await fake.restartContainer('one', { timeoutSeconds: 0 });
    const after = await fake.inspectContainer('one');
    expect(after.state.running).toBe(true);
    expect(after.state.pid).not.toBe(before);

    await expect(fake.renameContainer('one', 'two')).rejects.toBeInstanceOf(ObjectConflictError);
    await expect(fake.renameContainer('one', 'one')).rejects.toThrow('Renaming a container with the same name as its current name');
    await fake.renameContainer('one', 'uno');
    expect((await fake.inspectContainer('uno')).id).toBe(after.id);
    await expect(fake.inspectContainer('one')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('waits for the next exit, for removal, and ends a wait on abort', async () => {
    await fake.createContainer(spec('job'));
    expect(await fake.waitContainer('job')).toEqual({ exitCode: 0 }); // not running: at once
    await fake.startContainer('job');
    const exit = fake.waitContainer('job');
    const removed = fake.waitContainer('job', { condition: 'removed' });
    fake.exitContainer('job', 3);
    expect(await exit).toEqual({ exitCode: 3 });
    const controller = new AbortController();
    const aborted = fake.waitContainer('job', { condition: 'next-exit', signal: controller.signal });
    controller.abort(new Error('gave up'));
    await expect(aborted).rejects.toThrow('gave up');
    await fake.removeContainer('job');
    expect(await removed).toEqual({ exitCode: 3 });
  });

  it('applies restart policies at once and counts restarts; a stop is never restarted', async () => {
    await fake.createContainer(spec('flaky', { restartPolicy: { name: 'on-failure', maxRetries: 2 } }));
    await fake.createContainer(spec('always', { restartPolicy: { name: 'always' } }));
    await fake.startContainer('flaky');
    fake.exitContainer('flaky', 1);
    fake.exitContainer('flaky', 1);
    expect((await fake.inspectContainer('flaky')).restartCount).toBe(2);
    expect((await fake.inspectContainer('flaky')).state.running).toBe(true);
    fake.exitContainer('flaky', 1);
    const done = await fake.inspectContainer('flaky');
    expect(done.state).toMatchObject({ running: false, exitCode: 1 });
    expect(done.restartCount).toBe(2);

    await fake.startContainer('always');
    fake.exitContainer('always', 0, { oomKilled: false });
    expect((await fake.inspectContainer('always')).state.running).toBe(true);
    await fake.stopContainer('always');
    expect((await fake.inspectContainer('always')).state.running).toBe(false);
  });

  it('stops a container that ignores its stop signal with SIGKILL after the grace period', async () => {
    await fake.createContainer(spec('stubborn'));
    await fake.startContainer('stubborn');
    fake.ignoreSignals('stubborn');
    const started = Date.now();
    await fake.stopContainer('stubborn', { timeoutSeconds: 0.2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    expect((await fake.inspectContainer('stubborn')).state.exitCode).toBe(137);
  });

  it('reports OOM kills, health transitions and start hooks', async () => {
    fake.addImage('checked', { healthcheck: { test: ['CMD', 'true'] } });
    const since = new Date().toISOString();
    await fake.createContainer({ name: 'hc', image: 'checked' });
    const off = fake.onStart((c) => fake.emitLog(c.id, 'stdout', `started ${c.name}`));
    await fake.startContainer('hc');
    off();
    expect((await fake.inspectContainer('hc')).state.health).toEqual({ status: 'starting', failingStreak: 0, log: [] });
    fake.setHealth('hc', 'unhealthy', { output: 'no' });
    fake.setHealth('hc', 'unhealthy', { output: 'still no' });
    const health = (await fake.inspectContainer('hc')).state.health;
    expect(health?.status).toBe('unhealthy');
    expect(health?.failingStreak).toBe(2);
    expect(health?.log.map((r) => r.output)).toEqual(['no', 'still no']);
    fake.exitContainer('hc', 137, { oomKilled: true });
    expect((await fake.inspectContainer('hc')).state.oomKilled).toBe(true);
    const controller = new AbortController();
    const past = await takeEvents(fake.events({ since, labels: [], signal: controller.signal }), 'die', controller);
    expect(past.map((e) => e.action)).toEqual(['create', 'start', 'health_status', 'health_status', 'oom', 'die']);
    expect(past[2]?.attributes.healthStatus).toBe('unhealthy');
    expect((await collect(fake.containerLogs('hc'))).map((l) => l.text)).toEqual(['started hc']);
  });

  it('records calls and fails the next call a test queued a failure for', async () => {
    fake.failNext('startContainer', new ObjectConflictError('port is already allocated'));
    await fake.createContainer(spec('svc'));
    await expect(fake.startContainer('svc')).rejects.toThrow('port is already allocated');
    await fake.startContainer('svc');
    expect(fake.calls).toEqual([
      { method: 'createContainer', target: 'svc' },
      { method: 'startContainer', target: 'svc' },
      { method: 'startContainer', target: 'svc' },
    ]);
  });
});

describe('FakeEngine logs', () => {
  it('returns lines with stdout/stderr apart, tail, since and until', async () => {
    await fake.createContainer(spec('log'));
    await fake.startContainer('log');
    fake.emitLog('log', 'stdout', 'one\ntwo\n');
    fake.emitLog('log', 'stderr', 'oops');
    const all = await collect(fake.containerLogs('log'));
    expect(all.map((l) => [l.stream, l.text])).toEqual([
      ['stdout', 'one'],
      ['stdout', 'two'],
      ['stderr', 'oops'],
    ]);
    expect((await collect(fake.containerLogs('log', { stderr: false }))).map((l) => l.text)).toEqual(['one', 'two']);
    expect((await collect(fake.containerLogs('log', { tail: 1 }))).map((l) => l.text)).toEqual(['oops']);
    expect(await collect(fake.containerLogs('log', { tail: 0 }))).toEqual([]);
    const second = all[1] as LogLine;
    expect((await collect(fake.containerLogs('log', { since: second.time }))).map((l) => l.text)).toEqual(['two', 'oops']);
    expect((await collect(fake.containerLogs('log', { until: second.time }))).map((l) => l.text)).toEqual(['one', 'two']);
    await expect(collect(fake.containerLogs('log', { since: 'yesterday' }))).rejects.toThrow('invalid since time "yesterday"');
  });

  it('follows until the container stops, or until the caller aborts', async () => {
    await fake.createContainer(spec('follow'));
    await fake.startContainer('follow');
    fake.emitLog('follow', 'stdout', 'before');
    const seen: string[] = [];
    const following = (async () => {
      for await (const l of fake.containerLogs('follow', { follow: true })) {
        seen.push(l.text);
        if (l.text === 'before') fake.emitLog('follow', 'stdout', 'after');
        if (l.text === 'after') fake.exitContainer('follow', 0);
      }
    })();
    await following;
    expect(seen).toEqual(['before', 'after']);

    await fake.startContainer('follow');
    const controller = new AbortController();
    const aborted: string[] = [];
    const loop = (async () => {
      for await (const l of fake.containerLogs('follow', { follow: true, tail: 0, signal: controller.signal })) {
        aborted.push(l.text);
        controller.abort();
      }
    })();
    fake.emitLog('follow', 'stderr', 'live');
    await loop;
    expect(aborted).toEqual(['live']);
    await expect(collect(fake.containerLogs('ghost'))).rejects.toThrow('No such container: ghost');
  });
});

describe('FakeEngine exec, stats, top and files', () => {
  it('runs scripted exec with stdin, stdout, stderr and exit codes; an unknown command exits 127', async () => {
    await fake.createContainer(spec('ex'));
    await fake.startContainer('ex');
    fake.onExec(async (call) => {
      if (call.cmd[0] !== 'cat') return undefined;
      const input = await call.stdin();
      await call.write('stderr', 'reading\n');
      return { exitCode: 4, stdout: input.toString('utf8').toUpperCase() };
    });
    const stdin = new PassThrough();
    stdin.end('hello');
    const out = sink();
    const err = sink();
    const result = await fake.exec('ex', { cmd: ['cat'], stdin, stdout: out.stream, stderr: err.stream });
    expect(result).toEqual({ exitCode: 4 });
    expect(out.text()).toBe('HELLO');
    expect(err.text()).toBe('reading\n');

    const tty = sink();
    expect(await fake.exec('ex', { cmd: ['cat'], tty: true, stdout: tty.stream })).toEqual({ exitCode: 4 });
    expect(tty.text()).toBe('reading\n');

    const missing = sink();
    expect(await fake.exec('ex', { cmd: ['nope'], stderr: missing.stream })).toEqual({ exitCode: 127 });
    expect(missing.text()).toMatch(/no exec handler took \["nope"\]/);
    expect(await fake.exec('ex', { cmd: ['cat'], detach: true })).toEqual({});
  });

  it('reports stats and processes of a running container; top of a stopped one fails', async () => {
    const c = await fake.createContainer(spec('st', { command: ['sleep', '10'], resources: { memory: 64 << 20 } }));
    await expect(fake.top('st')).rejects.toThrow(`Container ${c.id} is not running`);
    expect((await fake.stats('st')).pids).toBe(0);
    await fake.startContainer('st');
    fake.setStats('st', { memoryUsage: 1234, cpuPercent: 12.5 });
    expect(await fake.stats('st')).toMatchObject({ memoryUsage: 1234, cpuPercent: 12.5, memoryLimit: 64 << 20, pids: 1 });
    const top = await fake.top('st');
    expect(top.titles).toContain('CMD');
    expect(top.processes[0]?.[7]).toBe('sleep 10');
  });

  it('copies files in and out as tar streams', async () => {
    await fake.createContainer(spec('files'));
    const fs = fake.filesystem('files');
    fs.writeFile('/app/a.txt', 'A');
    fs.writeFile('/app/sub/b.txt', 'BB', 0o600);
    const tar = await fake.copyFrom('files', '/app');
    await fake.createContainer(spec('other'));
    fake.filesystem('other').mkdir('/dest');
    await fake.copyTo('other', '/dest', tar);
    const copied = fake.filesystem('other');
    expect(copied.readFile('/dest/app/a.txt')?.toString()).toBe('A');
    expect(copied.stat('/dest/app/sub/b.txt')).toMatchObject({ type: 'file', mode: 0o600 });
    await expect(fake.copyFrom('files', '/nope')).rejects.toThrow(new ObjectNotFoundError('Could not find the file /nope in container files'));
    await expect(fake.copyTo('other', '/dest/app/a.txt', (await fake.copyFrom('files', '/app'))!)).rejects.toThrow('extraction point is not a directory: /dest/app/a.txt');
    const garbage = new PassThrough();
    garbage.end(Buffer.alloc(512, 7));
    await expect(fake.copyTo('other', '/dest', garbage)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('FakeEngine events', () => {
  it('keeps the events from the call on, and fails a bad filter or a queued failure at the first next()', async () => {
    const controller = new AbortController();
    const stream = fake.events({ signal: controller.signal });
    await fake.createContainer(spec('early'));
    const seen: string[] = [];
    for await (const e of stream) {
      seen.push(`${e.action} ${e.attributes.name}`);
      controller.abort();
    }
    expect(seen).toEqual(['create early']);
    await expect(fake.events({ since: 'later' })[Symbol.asyncIterator]().next()).rejects.toThrow('invalid since time "later"');
    fake.failNext('events', new Error('no events today'));
    await expect(fake.events()[Symbol.asyncIterator]().next()).rejects.toThrow('no events today');
  });
});
