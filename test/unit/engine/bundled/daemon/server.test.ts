/** serveEngine's socket handling: mode, stale sockets, a live daemon already there, shutdown. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineClient } from '../../../../../src/engine/bundled/daemon/client';
import { serveEngine } from '../../../../../src/engine/bundled/daemon/server';
import { InvalidArgumentError, ObjectConflictError, ObjectNotFoundError, RemoteError } from '../../../../../src/engine/errors';
import { FakeEngine } from '../../../../../src/engine/fake/fake-engine';

jest.setTimeout(20_000);

let dir: string;
let socket: string;
const cleanups: Array<() => Promise<void> | void> = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-server-'));
  socket = path.join(dir, 'engine.sock');
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function serve(fake = new FakeEngine(), options: Parameters<typeof serveEngine>[2] = {}) {
  const server = await serveEngine(fake, socket, options);
  const client = new EngineClient(socket);
  cleanups.push(() => server.close(), () => client.close());
  return { server, client, fake };
}

function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = net.createConnection({ path: socket });
    const parts: Buffer[] = [];
    conn.on('data', (c: Buffer) => parts.push(c));
    conn.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    conn.on('error', reject);
    conn.write(request);
  });
}

describe('serveEngine', () => {
  it('makes the socket mode 0660 and removes it when closed', async () => {
    const { server } = await serve();
    const stat = fs.lstatSync(socket);
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o660);
    await server.close();
    expect(fs.existsSync(socket)).toBe(false);
    await server.close(); // twice is fine
  });

  it('replaces a stale socket nobody listens on', async () => {
    // a socket file left by a killed daemon: a process that listened on it, killed with SIGKILL
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socket)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
    await new Promise<void>((resolve, reject) => {
      child.stdout?.once('data', () => resolve());
      child.once('exit', () => reject(new Error('the stand-in daemon exited early')));
    });
    const gone = new Promise((r) => child.once('exit', r));
    process.kill(child.pid as number, 'SIGKILL');
    await gone;
    expect(fs.lstatSync(socket).isSocket()).toBe(true);
    await expect(new EngineClient(socket).status()).rejects.toThrow('connection refused');
    const { client } = await serve();
    expect(await client.ping()).toBe(true);
  });

  it('refuses to serve where a live daemon answers, and leaves that daemon alone', async () => {
    const { client } = await serve();
    await expect(serveEngine(new FakeEngine(), socket)).rejects.toThrow(new ObjectConflictError(`another engine daemon is already serving ${socket}`));
    expect(await client.ping()).toBe(true);
  });

  it('refuses a path where something that is not a socket is, and a path too long for a socket', async () => {
    fs.writeFileSync(socket, 'not a socket');
    await expect(serveEngine(new FakeEngine(), socket)).rejects.toThrow(new InvalidArgumentError(`cannot serve the engine on ${socket}: a file that is not a socket is in the way`));
    expect(fs.readFileSync(socket, 'utf8')).toBe('not a socket');
    const long = path.join(dir, 'x'.repeat(120), 'engine.sock');
    await expect(serveEngine(new FakeEngine(), long)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('ends open log and event streams and waits when it closes', async () => {
    const { server, client, fake } = await serve();
    fake.addImage('busybox');
    await fake.createContainer({ name: 'c1', image: 'busybox' });
    await fake.startContainer('c1');
    const events = (async () => {
      for await (const _ of client.events()) void _;
    })().catch((e: unknown) => e);
    const logs = (async () => {
      for await (const _ of client.containerLogs('c1', { follow: true })) void _;
    })().catch((e: unknown) => e);
    const wait = client.waitContainer('c1').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    for (const outcome of await Promise.all([events, logs, wait])) expect(outcome).toBeInstanceOf(RemoteError);
  });

  it('answers POST /engine/stop, then stops serving and shuts the engine down', async () => {
    const fake = new FakeEngine();
    const server = await serveEngine(fake, socket);
    const client = new EngineClient(socket);
    cleanups.push(() => client.close(), () => server.close());
    await client.stopEngine();
    for (let i = 0; i < 100 && !fake.shutDown; i++) await new Promise((r) => setTimeout(r, 10));
    expect(fake.shutDown).toBe(true);
    expect(fs.existsSync(socket)).toBe(false);
  });

  it('calls onStopRequested instead when given one', async () => {
    let asked = 0;
    const { client, fake } = await serve(new FakeEngine(), { onStopRequested: () => asked++ });
    await client.stopEngine();
    await new Promise((r) => setTimeout(r, 50));
    expect(asked).toBe(1);
    expect(fake.shutDown).toBe(false);
    expect(await client.ping()).toBe(true);
  });

  it('answers unknown routes, bad bodies and a plain exec request with engine errors', async () => {
    await serve();
    const unknown = await raw('GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(unknown).toMatch(/^HTTP\/1.1 404 /);
    expect(JSON.parse(unknown.slice(unknown.indexOf('\r\n\r\n') + 4))).toEqual({ kind: 'not-found', message: 'the engine API has no route GET /nope' });
    const body = '{"name": 1}';
    const bad = await raw(`POST /containers HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    expect(bad).toMatch(/^HTTP\/1.1 400 /);
    expect(bad).toContain('"kind":"invalid"');
    const exec = await raw('POST /containers/x/exec HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    expect(exec).toMatch(/^HTTP\/1.1 400 /);
    expect(exec).toContain('exec needs an HTTP upgrade to tscompose-exec/1');
    const wrongUpgrade = await raw('GET /events HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    expect(wrongUpgrade).toMatch(/^HTTP\/1.1 400 /);
  });

  it('keeps serving many requests over kept-alive connections', async () => {
    const { client, fake } = await serve();
    fake.addImage('busybox');
    await Promise.all(Array.from({ length: 50 }, (_, i) => client.createContainer({ name: `c-${i}`, image: 'busybox' })));
    expect((await client.listContainers({ all: true })).length).toBe(50);
    await expect(client.inspectContainer('c-50')).rejects.toBeInstanceOf(ObjectNotFoundError);
    const agent = (client as unknown as { agent: http.Agent }).agent;
    const free = Object.values(agent.freeSockets).reduce((n, list) => n + (list?.length ?? 0), 0);
    expect(free).toBeGreaterThan(0);
  });
});
