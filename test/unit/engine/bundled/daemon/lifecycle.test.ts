/**
 * ensureDaemon's failure paths with stand-in daemon scripts (the real daemon's life is in
 * test/integration/daemon): a daemon that dies, one that never answers, a lock held by a
 * live process. Every stand-in writes its PID so the test ends it by that PID.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureDaemon, stopDaemon } from '../../../../../src/engine/bundled/daemon/lifecycle';
import { EngineError } from '../../../../../src/engine/errors';

jest.setTimeout(20_000);

let dir: string;
let env: Record<string, string>;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-lifecycle-'));
  env = { TSCOMPOSE_ROOT: path.join(dir, 'root'), TSCOMPOSE_RUN: path.join(dir, 'run') };
});
afterEach(() => {
  const pidFile = path.join(dir, 'standin.pid');
  if (fs.existsSync(pidFile)) {
    try {
      process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

function script(name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `require('fs').writeFileSync(${JSON.stringify(path.join(dir, 'standin.pid'))}, String(process.pid));\n${body}\n`);
  return file;
}

describe('ensureDaemon', () => {
  it('fails with the end of the daemon log when the daemon exits before it answers', async () => {
    fs.mkdirSync(env.TSCOMPOSE_RUN as string, { recursive: true });
    fs.writeFileSync(path.join(env.TSCOMPOSE_RUN as string, 'engine.log'), 'an older run\n');
    const cliMain = script('dies.js', "console.error('error: cannot open /var/lib/x: permission denied'); process.exit(3);");
    const failure = await ensureDaemon({ env, cliMain, timeoutMs: 10_000 }).catch((e: unknown) => e as Error);
    expect(failure).toBeInstanceOf(EngineError);
    const socket = path.join(env.TSCOMPOSE_RUN as string, 'engine.sock');
    const log = path.join(env.TSCOMPOSE_RUN as string, 'engine.log');
    expect((failure as Error).message).toBe(`the engine daemon exited with code 3 before it answered on ${socket}; the end of ${log}:\nerror: cannot open /var/lib/x: permission denied`);
    expect(fs.existsSync(path.join(env.TSCOMPOSE_RUN as string, 'engine.lock'))).toBe(false);
  });

  it('gives up after its timeout when the daemon never answers', async () => {
    const cliMain = script('hangs.js', "console.error('waiting for something'); setTimeout(() => undefined, 60_000);");
    const started = Date.now();
    const failure = await ensureDaemon({ env, cliMain, timeoutMs: 700 }).catch((e: unknown) => e as Error);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((failure as Error).message).toMatch(/^the engine daemon did not answer on .*engine\.sock within 700 ms; the end of .*engine\.log:\nwaiting for something$/);
  });

  it('waits for the command that holds the start lock, then names it when it times out', async () => {
    fs.mkdirSync(env.TSCOMPOSE_RUN as string, { recursive: true });
    fs.writeFileSync(path.join(env.TSCOMPOSE_RUN as string, 'engine.lock'), `${process.pid}\n`);
    const failure = await ensureDaemon({ env, cliMain: '/nonexistent', timeoutMs: 600 }).catch((e: unknown) => e as Error);
    expect((failure as Error).message).toMatch(new RegExp(`^timed out after 600 ms waiting for the engine daemon that pid ${process.pid} is starting`));
  });

  it('says how to build when the CLI to start is missing', async () => {
    await expect(ensureDaemon({ env, cliMain: path.join(dir, 'missing.js') })).rejects.toThrow(
      `cannot start the engine daemon: ${path.join(dir, 'missing.js')} does not exist (build tscompose first: npm run build)`,
    );
  });
});

describe('stopDaemon', () => {
  it('reports that nothing runs when nothing does', async () => {
    expect(await stopDaemon({ env })).toEqual({ stopped: false });
  });
});
