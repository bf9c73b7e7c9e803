/**
 * Every engine operation through EngineClient → socket → server → FakeEngine and back: the
 * answers are the fake's own, errors revive as the same class with the same message, streams
 * (logs, events, pull, exec, archives, image save/load) flow and end on abort.
 */
import { PassThrough, Writable } from 'node:stream';
import type { ContainerSpec } from '../../../../../src/engine/containers';
import type { PullEvent } from '../../../../../src/engine/engine';
import { EngineError, InvalidArgumentError, ObjectConflictError, ObjectNotFoundError, RemoteError } from '../../../../../src/engine/errors';
import type { EngineEvent } from '../../../../../src/engine/events';
import { type Served, serveFake } from './serve-fake';

jest.setTimeout(20_000);

let s: Served;
beforeEach(async () => {
  s = await serveFake();
  s.fake.addImage('busybox', { cmd: ['sh'] });
});
afterEach(() => s.cleanup());

const spec = (name: string, extra: Partial<ContainerSpec> = {}): ContainerSpec => ({ name, image: 'busybox', ...extra });

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

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** What the same call does on the fake directly and through the client: the same error, class and message. */
async function sameError(direct: () => Promise<unknown>, remote: () => Promise<unknown>): Promise<Error> {
  const a = await direct().then(() => undefined, (e: unknown) => e as Error);
  const b = await remote().then(() => undefined, (e: unknown) => e as Error);
  expect(a).toBeInstanceOf(EngineError);
  expect(b).toBeInstanceOf(EngineError);
  expect(b?.constructor).toBe(a?.constructor);
  expect(b?.message).toBe(a?.message);
  return b as Error;
}

describe('EngineClient against a FakeEngine over a unix socket', () => {
  it('round-trips the container lifecycle and what inspect and list report', async () => {
    const created = await s.client.createContainer(spec('web-1', { labels: { app: 'web' }, env: ['A=1'], ports: [{ target: 80, published: '8080', protocol: 'tcp' }] }));
    expect(created).toEqual(await s.fake.inspectContainer(created.id));
    await s.client.startContainer('web-1');
    expect((await s.client.inspectContainer('web-1')).state.status).toBe('running');
    expect((await s.client.inspectContainer('web-1')).ports).toEqual([{ target: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 }]);
    await s.client.pauseContainer('web-1');
    expect((await s.fake.inspectContainer('web-1')).state.paused).toBe(true);
    await s.client.unpauseContainer('web-1');
    await s.client.killContainer('web-1', 'SIGHUP');
    expect((await s.fake.inspectContainer('web-1')).state.exitCode).toBe(129);
    await s.client.restartContainer('web-1', { timeoutSeconds: 0 });
    expect((await s.fake.inspectContainer('web-1')).state.running).toBe(true);
    await s.client.stopContainer('web-1', { timeoutSeconds: 1 });
    expect((await s.fake.inspectContainer('web-1')).state).toMatchObject({ running: false, exitCode: 143 });
    await s.client.renameContainer('web-1', 'web-2');
    await s.client.createContainer(spec('db-1', { labels: { app: 'db' } }));
    await s.client.startContainer('db-1');
    expect((await s.client.listContainers()).map((c) => c.name)).toEqual(['db-1']);
    expect((await s.client.listContainers({ all: true })).map((c) => c.name)).toEqual(['db-1', 'web-2']);
    expect((await s.client.listContainers({ all: true, labels: ['app=web'] })).map((c) => c.name)).toEqual(['web-2']);
    expect((await s.client.listContainers({ all: true, name: '^db' })).map((c) => c.name)).toEqual(['db-1']);
    expect(await s.client.listContainers({ all: true })).toEqual(await s.fake.listContainers({ all: true }));
    await s.client.removeContainer('db-1', { force: true, volumes: true });
    expect(s.fake.calls.filter((c) => c.method === 'removeContainer')).toEqual([{ method: 'removeContainer', target: 'db-1' }]);
    await expect(s.fake.inspectContainer('db-1')).rejects.toBeInstanceOf(ObjectNotFoundError);
    // names with characters that need escaping in a path still reach the engine as given
    await expect(s.client.inspectContainer('a/b?c')).rejects.toThrow(new ObjectNotFoundError('No such container: a/b?c'));
  });

  it('revives every kind of engine error as the same class with the same message', async () => {
    await s.fake.createContainer(spec('busy'));
    await s.fake.startContainer('busy');
    await sameError(() => s.fake.inspectContainer('ghost'), () => s.client.inspectContainer('ghost'));
    const conflict = await sameError(() => s.fake.createContainer(spec('busy')), () => s.client.createContainer(spec('busy')));
    expect(conflict).toBeInstanceOf(ObjectConflictError);
    await sameError(() => s.fake.removeContainer('busy'), () => s.client.removeContainer('busy'));
    const invalid = await sameError(() => s.fake.killContainer('busy', 'BOGUS'), () => s.client.killContainer('busy', 'BOGUS'));
    expect(invalid).toBeInstanceOf(InvalidArgumentError);
    const remote = await sameError(() => s.fake.pullImage('nothere'), () => s.client.pullImage('nothere'));
    expect(remote).toBeInstanceOf(RemoteError);
    s.fake.failNext('stats', new EngineError('cgroup went away'));
    const plain = await s.client.stats('busy').catch((e: unknown) => e as Error);
    expect(plain).toBeInstanceOf(EngineError);
    expect(plain).not.toBeInstanceOf(RemoteError);
    expect((plain as Error).message).toBe('cgroup went away');
    // a non-engine error inside the engine still arrives with its message
    s.fake.failNext('top', new TypeError('x is undefined'));
    await expect(s.client.top('busy')).rejects.toThrow(new EngineError('x is undefined'));
  });

  it('waits for an exit over a long request, and gives up on abort', async () => {
    await s.fake.createContainer(spec('job'));
    await s.fake.startContainer('job');
    const waited = s.client.waitContainer('job');
    await new Promise((r) => setTimeout(r, 50));
    s.fake.exitContainer('job', 7);
    expect(await waited).toEqual({ exitCode: 7 });
    await s.fake.startContainer('job');
    let engineWait = 'pending';
    const original = s.fake.waitContainer.bind(s.fake);
    s.fake.waitContainer = (ref, options) => {
      const p = original(ref, options);
      p.then(
        () => (engineWait = 'resolved'),
        () => (engineWait = 'aborted'),
      );
      return p;
    };
    const controller = new AbortController();
    const aborted = s.client.waitContainer('job', { condition: 'next-exit', signal: controller.signal });
    setTimeout(() => controller.abort(new Error('no more waiting')), 50);
    await expect(aborted).rejects.toThrow('no more waiting');
    // the engine's wait was aborted too: the server saw the client go
    await waitFor(() => engineWait === 'aborted');
    await expect(s.client.waitContainer('job', { condition: 'bogus' as 'removed' })).rejects.toThrow(new InvalidArgumentError('invalid wait condition "bogus": expected not-running, next-exit or removed'));
  });

  it('streams logs with their options, follows them, and ends a follow on abort', async () => {
    await s.fake.createContainer(spec('log'));
    await s.fake.startContainer('log');
    s.fake.emitLog('log', 'stdout', 'a\nb');
    s.fake.emitLog('log', 'stderr', 'c');
    const all = [];
    for await (const l of s.client.containerLogs('log')) all.push(l);
    const direct = [];
    for await (const l of s.fake.containerLogs('log')) direct.push(l);
    expect(all).toEqual(direct);
    const tail = [];
    for await (const l of s.client.containerLogs('log', { tail: 2, stdout: false })) tail.push(l.text);
    expect(tail).toEqual(['c']);

    const controller = new AbortController();
    const seen: string[] = [];
    const follow = (async () => {
      for await (const l of s.client.containerLogs('log', { follow: true, tail: 0, signal: controller.signal })) {
        seen.push(`${l.stream}:${l.text}`);
        if (seen.length === 2) controller.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    s.fake.emitLog('log', 'stdout', 'live 1');
    s.fake.emitLog('log', 'stderr', 'live 2');
    await follow;
    expect(seen).toEqual(['stdout:live 1', 'stderr:live 2']);

    // a follow also ends when the container stops
    const untilStop: string[] = [];
    const following = (async () => {
      for await (const l of s.client.containerLogs('log', { follow: true, tail: 0 })) untilStop.push(l.text);
    })();
    await new Promise((r) => setTimeout(r, 50));
    s.fake.emitLog('log', 'stdout', 'last');
    await new Promise((r) => setTimeout(r, 20));
    s.fake.exitContainer('log', 0);
    await following;
    expect(untilStop).toEqual(['last']);

    const errors = s.client.containerLogs('ghost')[Symbol.asyncIterator]().next();
    await expect(errors).rejects.toThrow(new ObjectNotFoundError('No such container: ghost'));
  });

  it('streams events with label filters and since, and ends on abort', async () => {
    const since = new Date().toISOString();
    const controller = new AbortController();
    const live: EngineEvent[] = [];
    const stream = (async () => {
      for await (const e of s.client.events({ labels: ['app=web'], signal: controller.signal })) {
        live.push(e);
        if (e.action === 'start') controller.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    await s.fake.createContainer(spec('other'));
    await s.fake.createContainer(spec('web', { labels: { app: 'web' } }));
    await s.fake.startContainer('web');
    await stream;
    expect(live.map((e) => `${e.action} ${e.attributes.name}`)).toEqual(['create web', 'start web']);

    const past: string[] = [];
    const until = new Date(Date.now() + 1).toISOString();
    for await (const e of s.client.events({ since, until })) past.push(`${e.action} ${e.attributes.name}`);
    expect(past).toEqual(['create other', 'create web', 'start web']);
    await expect(s.client.events({ since: 'soon' })[Symbol.asyncIterator]().next()).rejects.toThrow(new InvalidArgumentError('invalid since time "soon": expected an RFC 3339 time or Unix seconds'));
  });

  it('runs exec with stdin, stdout and stderr as frames and returns the exit code', async () => {
    await s.fake.createContainer(spec('ex'));
    await s.fake.startContainer('ex');
    s.fake.onExec(async (call) => {
      if (call.cmd[0] !== 'rev') return undefined;
      const input = (await call.stdin()).toString('utf8');
      await call.write('stderr', `${call.env.join(',')} in ${call.workingDir ?? '/'} as ${call.user ?? 'root'}\n`);
      for (const line of input.split('\n').filter(Boolean)) await call.write('stdout', `${[...line].reverse().join('')}\n`);
      return { exitCode: 3 };
    });
    const stdin = new PassThrough();
    const out = sink();
    const err = sink();
    const running = s.client.exec('ex', { cmd: ['rev'], env: ['X=1'], workingDir: '/tmp', user: 'nobody', stdin, stdout: out.stream, stderr: err.stream });
    stdin.write('hello\n');
    setTimeout(() => stdin.end('world\n'), 30);
    expect(await running).toEqual({ exitCode: 3 });
    expect(out.text()).toBe('olleh\ndlrow\n');
    expect(err.text()).toBe('X=1 in /tmp as nobody\n');

    const tty = sink();
    expect(await s.client.exec('ex', { cmd: ['rev'], tty: true, stdout: tty.stream })).toEqual({ exitCode: 3 });
    expect(tty.text()).toBe(' in / as root\n');
    expect(await s.client.exec('ex', { cmd: ['rev'], detach: true })).toEqual({});
    const missing = sink();
    expect(await s.client.exec('ex', { cmd: ['nope'], stderr: missing.stream })).toEqual({ exitCode: 127 });
    expect(missing.text()).toContain('no exec handler took ["nope"]');
    await sameError(() => s.fake.exec('ghost', { cmd: ['x'] }), () => s.client.exec('ghost', { cmd: ['x'] }));
  });

  it('aborts an exec when the caller aborts (the engine’s exec sees the abort)', async () => {
    await s.fake.createContainer(spec('ex'));
    await s.fake.startContainer('ex');
    let engineSaw: unknown;
    s.fake.onExec(
      (call) =>
        new Promise((resolve) => {
          call.signal.addEventListener('abort', () => {
            engineSaw = 'aborted';
            resolve({ exitCode: 130 });
          });
        }),
    );
    const controller = new AbortController();
    const running = s.client.exec('ex', { cmd: ['sleep', '100'], signal: controller.signal });
    setTimeout(() => controller.abort(new Error('interrupted')), 50);
    await expect(running).rejects.toThrow('interrupted');
    await waitFor(() => engineSaw === 'aborted');
  });

  it('reports stats and top, and copies files in and out as tar streams', async () => {
    await s.fake.createContainer(spec('files', { command: ['sleep', '1'] }));
    await s.fake.startContainer('files');
    s.fake.setStats('files', { memoryUsage: 99, pids: 3 });
    expect(await s.client.stats('files')).toEqual({ ...(await s.fake.stats('files')), read: expect.any(String) });
    expect(await s.client.top('files', ['-ef'])).toEqual(await s.fake.top('files'));

    const fs = s.fake.filesystem('files');
    fs.writeFile('/data/x.txt', 'x content');
    fs.writeFile('/data/deep/y.bin', Buffer.alloc(100_000, 1));
    const tar = await s.client.copyFrom('files', '/data');
    fs.mkdir('/restore');
    await s.client.copyTo('files', '/restore', tar);
    expect(fs.readFile('/restore/data/x.txt')?.toString()).toBe('x content');
    expect(fs.readFile('/restore/data/deep/y.bin')?.length).toBe(100_000);
    await sameError(() => s.fake.copyFrom('files', '/missing'), () => s.client.copyFrom('files', '/missing'));
    const body = new PassThrough();
    body.end(await readAll((await s.fake.copyFrom('files', '/data'))!));
    await expect(s.client.copyTo('files', '/nowhere', body)).rejects.toThrow(new ObjectNotFoundError('Could not find the file /nowhere in container files'));
  });

  it('pulls with progress events, and lists, inspects, removes, saves and loads images', async () => {
    s.fake.addRemoteImage('nginx:1', { cmd: ['nginx'] });
    const events: PullEvent[] = [];
    const pulled = await s.client.pullImage('nginx:1', { onEvent: (e) => events.push(e), platform: { os: 'linux', architecture: 'amd64' } });
    expect(pulled).toEqual(await s.fake.inspectImage('nginx:1'));
    expect(events.map((e) => e.kind)).toEqual(['resolving', 'resolved', 'layer', 'layer', 'layer', 'done']);
    await expect(s.client.pullImage('nginx:1', { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } })).rejects.toBeInstanceOf(RemoteError);
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(s.client.pullImage('nginx:1', { signal: controller.signal })).rejects.toThrow('cancelled');

    expect(await s.client.listImages()).toEqual(await s.fake.listImages());
    expect(await s.client.inspectImage('docker.io/library/busybox:latest')).toEqual(await s.fake.inspectImage('busybox'));
    await sameError(() => s.fake.inspectImage('nope:1'), () => s.client.inspectImage('nope:1'));

    const saved = new PassThrough();
    const bytes = readAll(saved);
    await s.client.saveImages(['nginx:1', 'busybox'], saved);
    const archive = await bytes;
    expect(archive.length).toBeGreaterThan(1024);
    await sameError(() => s.fake.saveImages(['ghost'], new PassThrough()), () => s.client.saveImages(['ghost'], new PassThrough()));

    expect(await s.client.removeImage('nginx:1')).toEqual({ untagged: ['nginx:1', `nginx@${pulled.repoDigests[0]?.split('@')[1]}`], deleted: [pulled.id] });
    await expect(s.client.inspectImage('nginx:1')).rejects.toBeInstanceOf(ObjectNotFoundError);
    const input = new PassThrough();
    input.end(archive);
    const loaded = await s.client.loadImages(input);
    expect(loaded.map((i) => i.repoTags).sort()).toEqual([['busybox:latest'], ['nginx:1']]);
    const junk = new PassThrough();
    junk.end(Buffer.alloc(2048));
    await expect(s.client.loadImages(junk)).rejects.toThrow(new InvalidArgumentError('invalid image archive: it holds no fake-images.json (the fake engine loads only what it saved)'));
  });

  it('answers status and ping, and fails clearly when no daemon is there', async () => {
    expect(await s.client.ping()).toBe(true);
    expect(await s.client.status()).toEqual(s.fake.status());
    await s.cleanup();
    expect(await s.client.ping()).toBe(false);
    await expect(s.client.status()).rejects.toThrow(new RemoteError(`cannot talk to the engine daemon at ${s.socket}: no socket there (is the engine daemon running?)`));
    s = await serveFake(); // for afterEach
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
