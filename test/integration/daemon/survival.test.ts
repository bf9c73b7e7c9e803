/**
 * Containers live under their monitors, not under the engine daemon: with 5 containers
 * printing a counter every 100 ms, `kill -9` of the daemon, then any CLI command (it starts a
 * new daemon, which re-adopts them) — all 5 still run with the same PIDs, and their logs have
 * no gap. And restart policies at engine start: `always` comes back even after a manual stop,
 * `unless-stopped` does not, and a container that died while no engine ran is started again.
 *
 * Built CLI (`npm run build` first); own TSCOMPOSE_ROOT, TSCOMPOSE_RUN and cgroup parent;
 * everything removed afterwards, even on failure.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineClient } from '../../../src/engine/bundled/daemon/client';
import type { LogLine } from '../../../src/engine/containers';
import { unmountUnder } from '../../support/mounts';
import { signal, waitForExit } from '../../support/processes';
import { runCommand, type CommandResult } from '../../support/run-command';

const CLI = path.resolve(__dirname, '../../../dist/cli/main.js');
const CONTROLLERS = ['memory', 'pids', 'cpu', 'cpuacct', 'cpuset', 'blkio', 'devices', 'freezer', 'unified', 'systemd'];
const COUNTER = 'i=0; while true; do i=$((i+1)); echo $i; sleep 0.1; done';

jest.setTimeout(120_000);

let dir: string;
let env: NodeJS.ProcessEnv;
let cgroupParent: string;

const tscompose = (args: readonly string[]): Promise<CommandResult> => runCommand(process.execPath, [CLI, ...args], { env, timeoutMs: 60_000 });
const socket = (): string => path.join(dir, 'run', 'engine.sock');
const daemonPid = (): number => Number(fs.readFileSync(path.join(dir, 'run', 'engine.pid'), 'utf8').trim());
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function startEngine(): Promise<number> {
  const r = await tscompose(['engine', 'status']);
  if (r.code !== 0) throw new Error(`engine status failed: ${r.stderr}`);
  return daemonPid();
}

async function killDaemon(pid: number): Promise<void> {
  signal(pid, 'SIGKILL');
  if (!(await waitForExit(pid, 10_000))) throw new Error(`daemon ${pid} did not die`);
}

async function collect(lines: AsyncIterable<LogLine>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of lines) out.push(l.text);
  return out;
}

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
});

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-survival-'));
  cgroupParent = `/tscompose-test-${randomBytes(4).toString('hex')}`;
  env = {
    PATH: process.env.PATH,
    HOME: dir,
    TSCOMPOSE_ROOT: path.join(dir, 'root'),
    TSCOMPOSE_RUN: path.join(dir, 'run'),
    TSCOMPOSE_CGROUP_PARENT: cgroupParent,
    TSCOMPOSE_REGISTRY_MIRROR: 'http://127.0.0.1:5000',
    TSCOMPOSE_REGISTRY_MIRROR_ONLY: '1',
  };
});

afterEach(async () => {
  // a daemon (started anew if needed) removes the containers; then it is stopped and all goes
  try {
    await startEngine();
    const client = new EngineClient(socket());
    for (const c of await client.listContainers({ all: true })) await client.removeContainer(c.id, { force: true }).catch(() => undefined);
    client.close();
    await tscompose(['engine', 'stop']);
  } finally {
    const pid = fs.existsSync(path.join(dir, 'run', 'engine.pid')) ? daemonPid() : 0;
    if (pid > 0 && signal(pid, 'SIGKILL')) await waitForExit(pid, 5_000);
    await unmountUnder(dir).catch(() => undefined);
    for (const c of CONTROLLERS) {
      const p = path.join('/sys/fs/cgroup', c, cgroupParent);
      if (fs.existsSync(p)) fs.rmdirSync(p);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it('after kill -9 of the daemon, the next command finds all 5 containers running with the same PIDs and gap-free logs', async () => {
  const first = await startEngine();
  let client = new EngineClient(socket());
  await client.pullImage('busybox');
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const c = await client.createContainer({ name: `counter-${i}`, image: 'busybox', entrypoint: ['sh', '-c'], command: [COUNTER] });
    await client.startContainer(c.id);
    ids.push(c.id);
  }
  await sleep(1000);
  const pids = await Promise.all(ids.map(async (id) => (await client.inspectContainer(id)).state.pid));
  client.close();

  await killDaemon(first);
  await sleep(1500); // the containers go on counting with no engine at all

  const second = await startEngine();
  expect(second).not.toBe(first);
  client = new EngineClient(socket());
  await sleep(500);
  for (const [i, id] of ids.entries()) {
    const info = await client.inspectContainer(id);
    expect(info.state).toMatchObject({ status: 'running', pid: pids[i] });
    const numbers = (await collect(client.containerLogs(id, {}))).map(Number);
    expect(numbers.length).toBeGreaterThanOrEqual(25); // ≥ 3 s at 10 lines a second, minus start-up
    expect(numbers).toEqual(numbers.map((_, k) => k + 1)); // 1, 2, 3 … without a hole
  }
  client.close();
});

it('at engine start: always comes back even after a manual stop, unless-stopped does not, and what died meanwhile is restarted', async () => {
  const first = await startEngine();
  let client = new EngineClient(socket());
  await client.pullImage('busybox');
  const make = async (name: string, policy: 'always' | 'unless-stopped'): Promise<string> => {
    const c = await client.createContainer({ name, image: 'busybox', entrypoint: ['sh', '-c'], command: ['sleep 1000'], restartPolicy: { name: policy }, stopGracePeriod: 1 });
    await client.startContainer(c.id);
    return c.id;
  };
  const alwaysStopped = await make('always-stopped', 'always');
  const unlessStopped = await make('unless-stopped', 'unless-stopped');
  const diesMeanwhile = await make('dies-meanwhile', 'unless-stopped');
  await client.stopContainer(alwaysStopped, { timeoutSeconds: 1 });
  await client.stopContainer(unlessStopped, { timeoutSeconds: 1 });
  const { pid } = (await client.inspectContainer(diesMeanwhile)).state;
  client.close();

  await killDaemon(first);
  signal(pid, 'SIGKILL');
  await waitForExit(pid, 5_000);

  await startEngine();
  client = new EngineClient(socket());
  expect((await client.inspectContainer(alwaysStopped)).state.status).toBe('running');
  expect((await client.inspectContainer(unlessStopped)).state.status).toBe('exited');
  // started again by its policy (it may show `restarting` for the back-off's first 100 ms)
  const end = Date.now() + 10_000;
  let revived = await client.inspectContainer(diesMeanwhile);
  while (revived.state.status !== 'running' && Date.now() < end) {
    await sleep(100);
    revived = await client.inspectContainer(diesMeanwhile);
  }
  expect(revived.state.status).toBe('running');
  expect(revived.state.pid).not.toBe(pid);
  client.close();
});
