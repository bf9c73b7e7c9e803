/**
 * The engine daemon's life as commands see it, with the built CLI (`npm run build` first):
 * started on demand (detached, in its own session), shared by concurrent commands, replaced
 * after a `kill -9`, stopped by `engine stop`. Each test has its own TSCOMPOSE_ROOT and
 * TSCOMPOSE_RUN in a temp dir; afterwards every daemon of that run dir is stopped by its PID
 * (found through /proc: the ones whose environment names our run dir) and the dir removed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isRunning, signal, waitForExit } from '../../support/processes';
import { runCommand, type CommandResult } from '../../support/run-command';

const CLI = path.resolve(__dirname, '../../../dist/cli/main.js');
const VERSION = (JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as { version: string }).version;

jest.setTimeout(60_000);

let dir: string;
let run: string;
let root: string;
let env: NodeJS.ProcessEnv;

function tscompose(args: readonly string[]): Promise<CommandResult> {
  return runCommand(process.execPath, [CLI, ...args], { env, timeoutMs: 30_000 });
}

/** The daemons serving our run dir: `engine serve` processes whose environment names it. */
function daemonsOf(runDir: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (!(cmdline.includes('engine') && cmdline.includes('serve'))) continue;
      const environ = fs.readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
      if (environ.includes(`TSCOMPOSE_RUN=${runDir}`)) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function pidFile(): number | undefined {
  try {
    return Number(fs.readFileSync(path.join(run, 'engine.pid'), 'utf8').trim());
  } catch {
    return undefined;
  }
}

function statusPid(r: CommandResult): number {
  const m = /^Engine: +running \(pid (\d+)\)$/m.exec(r.stdout);
  if (!m) throw new Error(`engine status printed no pid (code ${r.code}):\n${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
});

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-daemon-it-'));
  run = path.join(dir, 'run');
  root = path.join(dir, 'root');
  env = { PATH: process.env.PATH, HOME: dir, TSCOMPOSE_ROOT: root, TSCOMPOSE_RUN: run };
});

afterEach(async () => {
  // stop what we started, by PID, even when the test failed
  for (const pid of daemonsOf(run)) {
    signal(pid, 'SIGTERM');
    if (!(await waitForExit(pid, 5_000))) {
      signal(pid, 'SIGKILL');
      await waitForExit(pid, 5_000);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('tscompose engine', () => {
  it('status starts the daemon on demand, detached in its own session, and later commands reuse it', async () => {
    expect(fs.existsSync(path.join(run, 'engine.sock'))).toBe(false);
    const first = await tscompose(['engine', 'status']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const pid = statusPid(first);
    expect(first.stdout).toContain(`Root:       ${root}\n`);
    expect(first.stdout).toContain(`Run:        ${run}\n`);
    expect(first.stdout).toContain(`Version:    ${VERSION}\n`);
    expect(first.stdout).toMatch(/^Containers: 0 \(0 running, 0 paused, 0 stopped\)$/m);

    // the CLI has exited; the daemon lives on, as the leader of its own session
    expect(await isRunning(pid)).toBe(true);
    expect(pidFile()).toBe(pid);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    expect(Number(fields[3])).toBe(pid); // session ID
    const socket = fs.lstatSync(path.join(run, 'engine.sock'));
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o660);
    expect(fs.readFileSync(path.join(run, 'engine.log'), 'utf8')).toContain(`tscompose engine ${VERSION} (pid ${pid}) serving ${path.join(run, 'engine.sock')}`);

    const second = await tscompose(['engine', 'status']);
    expect(statusPid(second)).toBe(pid);
    expect(daemonsOf(run)).toEqual([pid]);
  });

  it('status --format json prints pid, root, run, runtime, version and containers', async () => {
    const r = await tscompose(['engine', 'status', '--format', 'json']);
    expect(r.code).toBe(0);
    const status = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(status)).toEqual(['pid', 'root', 'run', 'runtime', 'version', 'containers']);
    expect(status).toMatchObject({ pid: pidFile(), root, run, version: VERSION, containers: { total: 0, running: 0, paused: 0, stopped: 0 } });
  });

  it('two commands at once start one daemon', async () => {
    const [a, b, c] = await Promise.all([tscompose(['engine', 'status']), tscompose(['engine', 'status']), tscompose(['engine', 'status', '--format', 'json'])]);
    const pids = [statusPid(a), statusPid(b), (JSON.parse(c.stdout) as { pid: number }).pid];
    expect(new Set(pids).size).toBe(1);
    expect(daemonsOf(run)).toEqual([pids[0]]);
    const log = fs.readFileSync(path.join(run, 'engine.log'), 'utf8');
    expect(log.match(/serving the engine API on /g)?.length).toBe(1);
    expect(log).not.toContain('already serving');
    expect(fs.existsSync(path.join(run, 'engine.lock'))).toBe(false);
  });

  it('after kill -9 of the daemon the next command starts a new one over its stale socket and pid file', async () => {
    const old = statusPid(await tscompose(['engine', 'status']));
    signal(old, 'SIGKILL');
    expect(await waitForExit(old, 5_000)).toBe(true);
    expect(fs.existsSync(path.join(run, 'engine.sock'))).toBe(true); // left behind
    expect(pidFile()).toBe(old);

    const again = await tscompose(['engine', 'status']);
    expect(again.code).toBe(0);
    const fresh = statusPid(again);
    expect(fresh).not.toBe(old);
    expect(await isRunning(fresh)).toBe(true);
    expect(pidFile()).toBe(fresh);
    expect(daemonsOf(run)).toEqual([fresh]);
  });

  it('stop stops the daemon and removes its socket and pid file; stopping again says it is not running', async () => {
    const pid = statusPid(await tscompose(['engine', 'status']));
    const stopped = await tscompose(['engine', 'stop']);
    expect(stopped).toEqual({ code: 0, stdout: `Engine stopped (pid ${pid})\n`, stderr: '' });
    expect(await isRunning(pid)).toBe(false);
    expect(fs.existsSync(path.join(run, 'engine.sock'))).toBe(false);
    expect(fs.existsSync(path.join(run, 'engine.pid'))).toBe(false);
    expect(fs.readFileSync(path.join(run, 'engine.log'), 'utf8')).toMatch(/shutting down: engine stop was requested\n(?:.*\n)*\S+ stopped\n$/);
    expect(await tscompose(['engine', 'stop'])).toEqual({ code: 0, stdout: 'Engine is not running\n', stderr: '' });
  });

  it('stop after a kill -9 cleans up the stale socket and pid file', async () => {
    const pid = statusPid(await tscompose(['engine', 'status']));
    signal(pid, 'SIGKILL');
    expect(await waitForExit(pid, 5_000)).toBe(true);
    expect(await tscompose(['engine', 'stop'])).toEqual({ code: 0, stdout: 'Engine is not running\n', stderr: '' });
    expect(fs.existsSync(path.join(run, 'engine.sock'))).toBe(false);
    expect(fs.existsSync(path.join(run, 'engine.pid'))).toBe(false);
  });

  it('a daemon that cannot start fails the command with the end of its log', async () => {
    run = path.join(dir, 'r'.repeat(100)); // too long for a unix socket path
    env = { ...env, TSCOMPOSE_RUN: run };
    const r = await tscompose(['engine', 'status']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the engine daemon exited with code 1 before it answered on .*engine\.sock; the end of .*engine\.log:$/m);
    expect(r.stderr).toMatch(/^error: error: engine socket path .* is too long/m);
    expect(daemonsOf(run)).toEqual([]);
  });

  it('a daemon serving another root is not used: the command says so and changes nothing', async () => {
    const pid = statusPid(await tscompose(['engine', 'status']));
    const other = path.join(dir, 'other-root');
    env = { ...env, TSCOMPOSE_ROOT: other };
    const r = await tscompose(['engine', 'status']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: the engine daemon on ${path.join(run, 'engine.sock')} serves ${root}, not ${other} (TSCOMPOSE_ROOT): stop it (tscompose engine stop) or give this root a run directory of its own (TSCOMPOSE_RUN)\n`);
    expect(fs.existsSync(other)).toBe(false);
    expect(daemonsOf(run)).toEqual([pid]);
  });
});
