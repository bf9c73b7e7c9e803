/**
 * `tscompose container …` as a person runs it: the built CLI (`npm run build` first) against a
 * real engine daemon (started on demand by the first command) on a TSCOMPOSE_ROOT and
 * TSCOMPOSE_RUN of this file's own, busybox from the local registry (127.0.0.1:5000,
 * mirror-only). Needs root. Afterwards every container is removed, the daemon stopped (killed by
 * its PID if it does not stop), leftover monitors killed by PID, mounts under the temp dir
 * unmounted and the dir removed.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mountsUnder, unmountUnder } from '../../support/mounts';
import { isRunning, processesMentioning, signal, waitForExit } from '../../support/processes';
import { runCommand, type CommandResult } from '../../support/run-command';

const CLI = path.resolve(__dirname, '../../../dist/cli/main.js');

jest.setTimeout(120_000);

let dir: string;
let env: NodeJS.ProcessEnv;
let daemonPid: number | undefined;
const made = new Set<string>();

function tscompose(args: readonly string[], timeoutMs = 60_000): Promise<CommandResult> {
  return runCommand(process.execPath, [CLI, ...args], { env, timeoutMs });
}

async function ok(args: readonly string[]): Promise<string> {
  const r = await tscompose(args);
  if (r.code !== 0) throw new Error(`tscompose ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** Runs a CLI command in the background, collecting its output. */
function background(args: readonly string[]): { readonly stdout: () => string; readonly done: Promise<number>; readonly pid: number } {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const done = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 128)));
  return { stdout: () => out, done, pid: child.pid as number };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Cgroup directories of a container (the engine's default parent /tscompose) in any hierarchy. */
function cgroupsOf(id: string): string[] {
  const base = '/sys/fs/cgroup';
  const hierarchies = [base, ...fs.readdirSync(base).map((h) => path.join(base, h))];
  return hierarchies.map((h) => path.join(h, 'tscompose', id)).filter((p) => fs.existsSync(p));
}

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-container-cli-'));
  env = {
    PATH: process.env.PATH,
    HOME: dir,
    TSCOMPOSE_ROOT: path.join(dir, 'root'),
    TSCOMPOSE_RUN: path.join(dir, 'run'),
    TSCOMPOSE_REGISTRY_MIRROR: 'http://127.0.0.1:5000',
    TSCOMPOSE_REGISTRY_MIRROR_ONLY: '1',
  };
  const status = await tscompose(['engine', 'status', '--format', 'json']);
  daemonPid = (JSON.parse(status.stdout) as { pid: number }).pid;
});

afterAll(async () => {
  const problems: string[] = [];
  const listed = await tscompose(['container', 'ls', '-a', '-q', '--no-trunc']).catch(() => undefined);
  const ids = [...made, ...(listed?.stdout.split('\n').filter((l) => l !== '') ?? [])];
  if (ids.length > 0) await tscompose(['container', 'rm', '-f', ...new Set(ids)]).catch(() => undefined);
  await tscompose(['engine', 'stop']).catch((e: Error) => problems.push(e.message));
  if (daemonPid !== undefined && (await isRunning(daemonPid))) {
    signal(daemonPid, 'SIGKILL');
    await waitForExit(daemonPid, 5_000);
  }
  // monitors (conmon names its bundle, under our dir) that outlived their containers
  for (const pid of await processesMentioning(dir)) {
    problems.push(`process ${pid} was left running`);
    signal(pid, 'SIGKILL');
    await waitForExit(pid, 5_000);
  }
  await unmountUnder(dir).catch((e: Error) => problems.push(e.message));
  fs.rmSync(dir, { recursive: true, force: true });
  if (problems.length > 0) throw new Error(`cleanup: ${problems.join('; ')}`);
});

describe('tscompose container', () => {
  it('run pulls busybox on first use, prints the container’s output and exits with its code', async () => {
    const first = await tscompose(['container', 'run', '--rm', 'busybox', 'echo', 'hello', 'world']);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('hello world\n');
    expect(first.stderr).toMatch(/^Unable to find image 'busybox:latest' locally\nlatest: Pulling from library\/busybox\n/);
    expect(first.stderr).toMatch(/^Status: Downloaded newer image for busybox:latest$/m);

    const failing = await tscompose(['container', 'run', '--name', 'failing', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    made.add('failing');
    expect(failing).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    const ps = await ok(['container', 'ps', '-a']);
    expect(ps).toMatch(/^[0-9a-f]{12} {3}busybox +"sh -c echo out; ech…" +.+ ago +Exited \(3\) .+ ago +failing$/m);
    // --rm left nothing of the first one
    expect(ps.trimEnd().split('\n')).toHaveLength(2);

    expect((await tscompose(['container', 'run', '--rm', 'busybox', 'no-such-program'])).code).toBe(127);
    expect((await tscompose(['container', 'ls', '-a', '-q'])).stdout.trimEnd().split('\n')).toHaveLength(1);
  });

  it('run -d prints the ID; logs -f follows until stop; rm removes it and everything it had', async () => {
    const script = 'trap "exit 0" TERM; i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done';
    const id = (await ok(['container', 'run', '-d', '--name', 'ticker', '-l', 'role=ticker', 'busybox', 'sh', '-c', script])).trim();
    made.add(id);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const follow = background(['container', 'logs', '-f', 'ticker']);
    await until('five ticks in logs -f', () => (/tick 4\n/.test(follow.stdout()) ? true : undefined));
    expect(await ok(['container', 'stop', 'ticker'])).toBe('ticker\n');
    expect(await follow.done).toBe(0);
    const ticks = follow.stdout().trimEnd().split('\n');
    expect(ticks).toEqual(ticks.map((_, i) => `tick ${i}`));

    expect(await ok(['container', 'ps', '-q', '--filter', 'label=role=ticker'])).toBe('');
    expect(await ok(['container', 'ps', '-a', '-q', '--filter', 'label=role=ticker'])).toBe(`${id.slice(0, 12)}\n`);
    const [inspected] = JSON.parse(await ok(['container', 'inspect', 'ticker'])) as Array<{ State: { Status: string; ExitCode: number; Running: boolean } }>;
    expect(inspected?.State).toMatchObject({ Status: 'exited', ExitCode: 0, Running: false });
    expect((await ok(['container', 'logs', '--tail', '2', 'ticker'])).trimEnd().split('\n')).toEqual(ticks.slice(-2));

    expect(await ok(['container', 'rm', 'ticker'])).toBe('ticker\n');
    made.delete(id);
    expect(fs.existsSync(path.join(dir, 'root', 'containers', id))).toBe(false);
    expect(cgroupsOf(id)).toEqual([]);
    expect(await processesMentioning(id)).toEqual([]);
  });

  it('exec: -t answers through a TTY, flags reach the process, the exit code passes through', async () => {
    const id = (await ok(['container', 'run', '-d', '--name', 'box', 'busybox', 'sleep', '600'])).trim();
    made.add(id);
    expect(await tscompose(['container', 'exec', '-t', 'box', 'echo', 'hi'])).toEqual({ code: 0, stdout: 'hi\r\n', stderr: '' });
    expect(await tscompose(['container', 'exec', 'box', 'tty'])).toMatchObject({ code: 1, stdout: 'not a tty\n' });
    expect(await ok(['container', 'exec', '-e', 'A=1', '-w', '/tmp', '-u', 'nobody', 'box', 'sh', '-c', 'echo $A $(pwd) $(id -u)'])).toBe('1 /tmp 65534\n');
    expect((await tscompose(['container', 'exec', 'box', 'sh', '-c', 'exit 7'])).code).toBe(7);
    const top = await ok(['container', 'top', 'box']);
    expect(top).toMatch(/^UID +PID +PPID/);
    expect(top).toMatch(/sleep 600$/m);
    expect(await ok(['container', 'stats', '--no-stream', 'box'])).toMatch(/^CONTAINER ID   NAME      CPU %.*\n[0-9a-f]{12}   box +\d+\.\d\d% +[\d.]+[KMG]?i?B \/ [\d.]+[KMG]iB +\d+\.\d\d% .+ 1\n$/);
  });

  it('ps: Docker’s table, -q, --no-trunc, filters, health and pause in STATUS', async () => {
    const healthy = (await ok(['container', 'run', '-d', '--name', 'doc', '-l', 'app=doc', '--health-cmd', 'true', '--health-interval', '1s', 'busybox', 'sleep', '600'])).trim();
    made.add(healthy);
    const table = await until('a healthy status', async () => {
      const out = await ok(['container', 'ps', '--filter', 'label=app=doc']);
      return /\(healthy\)/.test(out) ? out : undefined;
    }, 45_000);
    const [header, row, ...rest] = table.split('\n');
    expect(header).toMatch(/^CONTAINER ID   IMAGE     COMMAND       CREATED +STATUS +PORTS     NAMES$/);
    // the columns line up: each cell starts where its header does
    for (const [title, cell] of [['CREATED', /\d+ seconds? ago|Less than a second ago/], ['STATUS', /Up /], ['NAMES', /doc$/]] as const) {
      expect(row?.search(cell)).toBe(header?.indexOf(title));
    }
    expect(row).toMatch(new RegExp(`^${healthy.slice(0, 12)}   busybox   "sleep 600"   .+ ago +Up .+ \\(healthy\\) +doc$`));
    expect(rest).toEqual(['']);

    expect(await ok(['container', 'ps', '-q', '--no-trunc', '--filter', 'name=^doc$'])).toBe(`${healthy}\n`);
    expect(await ok(['container', 'pause', 'doc'])).toBe('doc\n');
    expect(await ok(['container', 'ps', '--filter', 'status=paused'])).toMatch(/Up .+ \(Paused\) +doc\n$/);
    expect(await ok(['container', 'unpause', 'doc'])).toBe('doc\n');
    const json = JSON.parse((await ok(['container', 'ps', '--format', 'json', '--filter', 'label=app=doc'])).trim()) as Record<string, string>;
    expect(json).toMatchObject({ ID: healthy.slice(0, 12), Image: 'busybox', Command: '"sleep 600"', Names: 'doc', State: 'running', Labels: 'app=doc' });

    const [info] = JSON.parse(await ok(['container', 'inspect', 'doc'])) as Array<{ Id: string; Name: string; State: { Running: boolean; Pid: number; Health?: { Status: string } }; Config: { Cmd: string[]; Env: string[] } }>;
    expect(info).toMatchObject({ Id: healthy, Name: '/doc', State: { Running: true, Health: { Status: 'healthy' } }, Config: { Cmd: ['sleep', '600'] } });
    expect(info?.Config.Env.some((e) => e.startsWith('PATH='))).toBe(true);
    expect(await isRunning(info?.State.Pid ?? 0)).toBe(true);

    expect(await ok(['container', 'kill', 'doc'])).toBe('doc\n');
    expect(await ok(['container', 'wait', 'doc'])).toBe('137\n');
    expect(await ok(['container', 'ps', '-a', '--filter', 'name=^doc$'])).toMatch(/Exited \(137\) .+ ago +doc\n$/);
    expect(await ok(['container', 'start', 'doc'])).toBe('doc\n');
    expect(await ok(['container', 'restart', '-t', '0', 'doc'])).toBe('doc\n');
    expect(await ok(['container', 'rm', '-f', 'doc'])).toBe('doc\n');
    made.delete(healthy);
  });

  it('errors: one line naming what failed, exit 1', async () => {
    for (const args of [['logs', 'nope'], ['stop', 'nope'], ['rm', 'nope'], ['inspect', 'nope'], ['exec', 'nope', 'true']]) {
      const r = await tscompose(['container', ...args]);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 1, stderr: 'error: No such container: nope\n' });
    }
    const taken = (await ok(['container', 'run', '-d', '--name', 'taken', 'busybox', 'sleep', '600'])).trim();
    made.add(taken);
    const again = await tscompose(['container', 'run', '--name', 'taken', 'busybox', 'true']);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`error: Conflict. The container name "/taken" is already in use by container "${taken}". You have to remove (or rename) that container to be able to reuse that name.\n`);
    const running = await tscompose(['container', 'rm', 'taken']);
    expect(running).toMatchObject({ code: 1, stderr: 'error: cannot remove container "/taken": container is running: stop the container before removing or force remove\n' });
    const missing = await tscompose(['container', 'run', '--rm', 'busybox:no-such-tag', 'true']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: image not found: busybox:no-such-tag/m);
  });

  it('removing every container leaves no monitor, mount or cgroup behind', async () => {
    const ids = (await ok(['container', 'ls', '-a', '-q', '--no-trunc'])).trim().split('\n').filter((l) => l !== '');
    expect(ids.length).toBeGreaterThan(0);
    await ok(['container', 'rm', '-f', ...ids]);
    for (const id of ids) made.delete(id);
    made.delete('failing');
    expect(await ok(['container', 'ls', '-a', '-q'])).toBe('');
    expect(await processesMentioning(path.join(dir, 'root', 'containers'))).toEqual([]);
    expect(await mountsUnder(path.join(dir, 'root', 'containers'))).toEqual([]);
    expect(ids.flatMap(cgroupsOf)).toEqual([]);
  });
});
