/** runDaemon in this process, with a FakeEngine: pid file, signals, stop, refusal. */
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineClient } from '../../../../../src/engine/bundled/daemon/client';
import { runDaemon } from '../../../../../src/engine/bundled/daemon/run-daemon';
import type { EngineServer } from '../../../../../src/engine/bundled/daemon/server';
import { ObjectConflictError } from '../../../../../src/engine/errors';
import { FakeEngine } from '../../../../../src/engine/fake/fake-engine';

jest.setTimeout(20_000);

let dir: string;
let env: Record<string, string>;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-rundaemon-'));
  env = { TSCOMPOSE_ROOT: path.join(dir, 'root'), TSCOMPOSE_RUN: path.join(dir, 'run') };
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function start(fake: FakeEngine, signals: EventEmitter, log: string[] = []): { done: Promise<void>; ready: Promise<EngineServer> } {
  let ready!: (s: EngineServer) => void;
  const readyP = new Promise<EngineServer>((r) => (ready = r));
  const done = runDaemon({
    env,
    createEngine: (context) => {
      expect(context).toEqual({ env, root: env.TSCOMPOSE_ROOT, run: env.TSCOMPOSE_RUN });
      return fake;
    },
    log: (line) => log.push(line),
    onReady: ready,
    signals: signals as unknown as NodeJS.Process,
  });
  return { done, ready: Promise.race([readyP, done.then(() => Promise.reject(new Error('the daemon ended before it was ready')))]) };
}

describe('runDaemon', () => {
  it('writes its pid file, serves, and on SIGTERM shuts down and removes socket and pid file', async () => {
    const fake = new FakeEngine();
    const signals = new EventEmitter();
    const log: string[] = [];
    const { done, ready } = start(fake, signals, log);
    await ready;
    const run = env.TSCOMPOSE_RUN as string;
    expect(fs.readFileSync(path.join(run, 'engine.pid'), 'utf8')).toBe(`${process.pid}\n`);
    const client = new EngineClient(path.join(run, 'engine.sock'));
    expect(await client.ping()).toBe(true);
    client.close();
    signals.emit('SIGTERM', 'SIGTERM');
    await done;
    expect(fake.shutDown).toBe(true);
    expect(fs.readdirSync(run)).toEqual([]);
    expect(log.some((l) => l === 'shutting down: received SIGTERM')).toBe(true);
    expect(signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('stops on POST /engine/stop', async () => {
    const fake = new FakeEngine();
    const { done, ready } = start(fake, new EventEmitter());
    const server = await ready;
    const client = new EngineClient(server.socketPath);
    await client.stopEngine();
    client.close();
    await done;
    expect(fake.shutDown).toBe(true);
    expect(fs.existsSync(server.socketPath)).toBe(false);
  });

  it('refuses to start (and makes no engine) when a daemon already serves', async () => {
    const signals = new EventEmitter();
    const first = start(new FakeEngine(), signals);
    await first.ready;
    let made = false;
    const second = runDaemon({
      env,
      createEngine: () => {
        made = true;
        return new FakeEngine();
      },
      log: () => undefined,
      signals: new EventEmitter() as unknown as NodeJS.Process,
    });
    await expect(second).rejects.toThrow(new ObjectConflictError(`an engine daemon (pid ${process.pid}) is already serving ${path.join(env.TSCOMPOSE_RUN as string, 'engine.sock')}`));
    expect(made).toBe(false);
    signals.emit('SIGINT', 'SIGINT');
    await first.done;
  });
});
