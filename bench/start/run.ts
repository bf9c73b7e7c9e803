/**
 * `npm run bench:start`: how fast a container starts, and what a running one costs in memory.
 *
 *   npm run bench:start -- [--runs N] [--warmup N] [--containers N] [--json]
 *
 * In one run, on the same machine, create + start + wait of a busybox `true`:
 * - engine API: an EngineClient to an engine daemon started for the bench (temp root and run
 *   dirs, busybox pulled from the local registry first): createContainer, startContainer,
 *   waitContainer (then removeContainer, timed apart);
 * - CLI: `node dist/cli/main.js container run --rm busybox true` against the same daemon;
 * - raw runtime: `runc run` of the bundle the engine wrote (its config.json, root.path on an
 *   overlay of busybox's layers mounted once, a fresh ID and cgroup each time), and once more with
 *   the overlay mounted and unmounted inside the timing; `crun run` too where crun is installed
 *   and runs containers here;
 * - `docker run --rm busybox true` on a dockerd of the bench's own (test/support/dockerd.ts).
 * Runs alternate between the ways, the order rotated each run; medians are compared:
 * engine API / runc run (target <= 2x) and docker run / CLI (target >= 3x).
 *
 * Then memory per running container: N (20) `sleep 3600` containers through the API, the RSS of
 * the daemon and of the N conmon monitors, / N; the same for dockerd + containerd + shims.
 * Everything is removed at the end. Needs root, `npm run build`, and the local registry.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureDaemon, stopDaemon } from '../../src/engine/bundled/daemon/lifecycle';
import { chainIds } from '../../src/engine/bundled/images/store/chain-id';
import { startDockerd, type Dockerd } from '../../test/support/dockerd';
import { unmountUnder } from '../../test/support/mounts';
import { isRunning, processesMentioning, signal, waitForExit } from '../../test/support/processes';
import { runCommand } from '../../test/support/run-command';
import { count, parseFlags } from '../common/args';
import { median, ms, runFigures, runsLine } from '../common/stats';
import { dockerMemory, engineMemory, type MemoryFigures } from './memory';
import { mib } from './process-memory';
import { prepareRawBundle, releaseRawBundle } from './raw-runtime';
import { CGROUP_PREFIX, engineApiWay, processWay, runtimeWays, type Way } from './ways';

const REGISTRY = 'http://127.0.0.1:5000';

interface Args {
  runs: number;
  warmup: number;
  containers: number;
  json: boolean;
}

const usage = 'usage: run.ts [--runs N] [--warmup N] [--containers N] [--json]';

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { runs: 15, warmup: 2, containers: 20, json: false };
  parseFlags(argv, usage, {
    '--runs': (flag, next) => { args.runs = count(flag, next(), 1); },
    '--warmup': (flag, next) => { args.warmup = count(flag, next(), 1); },
    '--containers': (flag, next) => { args.containers = count(flag, next(), 1); },
    '--json': () => { args.json = true; },
  });
  return args;
}

interface Result {
  readonly name: string;
  readonly seconds: number[];
  error?: string;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const repoRoot = path.resolve(__dirname, '..', '..');
  const cli = path.join(repoRoot, 'dist', 'cli', 'main.js');
  const log = (s = ''): void => {
    if (!args.json) process.stdout.write(`${s}\n`);
  };
  if (process.getuid?.() !== 0) throw new Error('bench/start needs root (containers, overlay mounts, dockerd)');
  await fs.access(cli).catch(() => {
    throw new Error('dist/cli/main.js is missing: run `npm run build` first');
  });

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tscompose-bench-start-'));
  const root = path.join(dir, 'root');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: dir,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    TSCOMPOSE_ROOT: root,
    TSCOMPOSE_RUN: path.join(dir, 'run'),
    TSCOMPOSE_REGISTRY_MIRROR: REGISTRY,
    TSCOMPOSE_REGISTRY_MIRROR_ONLY: '1',
  };
  const cleanups: Array<{ what: string; run: () => Promise<void> }> = [];
  let failed = false;
  try {
    // the engine daemon, busybox, and a bundle the engine wrote
    const client = await ensureDaemon({ env, cliMain: cli });
    const { pid: daemonPid, runtime } = await client.status();
    cleanups.push({
      what: 'the engine daemon',
      run: async () => {
        for (const c of await client.listContainers({ all: true })) await client.removeContainer(c.id, { force: true });
        client.close();
        await stopDaemon({ env }).catch(() => undefined);
        if (await isRunning(daemonPid)) {
          signal(daemonPid, 'SIGKILL');
          await waitForExit(daemonPid, 5_000);
        }
      },
    });
    const image = await client.pullImage('busybox');
    const template = await client.createContainer({ name: 'bench-template', image: 'busybox', command: ['true'] });
    await client.startContainer(template.id);
    await client.waitContainer(template.id, { condition: 'not-running' });
    const layerDirs = chainIds(image.layers).map((c) => path.join(root, 'layers', c.replace(/^sha256:/, ''), 'diff'));
    const bundle = await prepareRawBundle(path.join(root, 'containers', template.id), layerDirs, path.join(dir, 'raw'));
    cleanups.push({ what: 'the raw bundle’s overlay', run: () => releaseRawBundle(bundle) });
    await client.removeContainer(template.id);

    const dockerd: Dockerd = await startDockerd();
    cleanups.push({ what: 'dockerd', run: () => dockerd.stop() });
    await dockerd.pullLocal('busybox:latest');

    const removals: number[] = [];
    const runc = await runtimeWays('runc', bundle, dir);
    const crun = await runtimeWays('crun', bundle, dir);
    const ways: Way[] = [
      engineApiWay(client, removals),
      processWay('CLI container run --rm', () => runCommand(process.execPath, [cli, 'container', 'run', '--rm', 'busybox', 'true'], { env, timeoutMs: 60_000 })),
      ...runc.ways,
      ...crun.ways,
      processWay('docker run --rm', () => dockerd.docker(['run', '--rm', 'busybox', 'true'], { timeoutMs: 60_000 })),
    ];
    const results: Result[] = ways.map((w) => ({ name: w.name, seconds: [] }));
    const load = (): string => os.loadavg().map((l) => l.toFixed(1)).join(' ');
    log(`bench/start: create + start + wait of busybox \`true\`, ${args.runs} timed run(s) per way after ${args.warmup} warm-up run(s), alternating`);
    log(`engine runtime ${runtime ? `${runtime.name} ${runtime.version}` : 'none'}; ${os.availableParallelism()} CPUs, load average ${load()} (1, 5, 15 min)\n`);

    for (let r = 0; r < args.warmup + args.runs; r++) {
      for (let k = 0; k < ways.length; k++) {
        const i = (k + r) % ways.length;
        const result = results[i] as Result;
        if (result.error !== undefined) continue;
        try {
          const seconds = await (ways[i] as Way).run();
          if (r >= args.warmup) result.seconds.push(seconds);
        } catch (err) {
          result.error = (err as Error).message;
          log(`${result.name} FAILED, no longer timed: ${result.error}`);
        }
      }
    }
    removals.splice(0, args.warmup);

    const med = (name: string): number | undefined => {
      const r = results.find((x) => x.name === name);
      return r && r.error === undefined && r.seconds.length > 0 ? median(r.seconds) : undefined;
    };
    for (const r of results) {
      const label = r.name.padEnd(30);
      log(r.error === undefined ? `${label} ${runsLine(runFigures(true, r.seconds), r.seconds.length, ms)}` : `${label} failed: ${r.error}`);
      if (r.name === 'engine API' && removals.length > 0) log(`${'  … and removeContainer'.padEnd(30)} median ${ms(median(removals))}  (create + start + wait + remove)`);
    }
    for (const note of [runc.note, crun.note]) if (note !== undefined) log(note);
    const api = med('engine API');
    const raw = med('runc run (same bundle)');
    const rawMount = med('runc run + overlay mount');
    const cliTime = med('CLI container run --rm');
    const docker = med('docker run --rm');
    const ratio = (a: number | undefined, b: number | undefined): number | undefined => (a !== undefined && b !== undefined ? a / b : undefined);
    const apiVsRaw = ratio(api, raw);
    const dockerVsCli = ratio(docker, cliTime);
    const show = (x: number | undefined): string => (x === undefined ? 'n/a' : `${x.toFixed(2)}x`);
    log('');
    log(`engine API / runc run:                ${show(apiVsRaw)}  (target: <= 2x)`);
    log(`engine API / (runc run + mount):      ${show(ratio(api, rawMount))}`);
    log(`docker run --rm / CLI run --rm:       ${show(dockerVsCli)}  (target: >= 3x)`);
    log(`load average at the end of the timing: ${load()}`);

    log(`\nmemory per running container (${args.containers} × busybox sleep 3600):`);
    const ours = await engineMemory(client, daemonPid, args.containers);
    const theirs: MemoryFigures = await dockerMemory(dockerd, args.containers);
    const describe = (m: MemoryFigures, monitor: string): string =>
      `${Object.entries(m.daemons).map(([k, v]) => `${k} ${mib(v)}`).join(' + ')} + ${m.monitorCount} ${monitor} ${mib(m.monitors)} = ${mib(Object.values(m.daemons).reduce((a, b) => a + b, 0) + m.monitors)} → ${mib(m.perContainer)} per container`;
    log(`tscompose: ${describe(ours, 'conmon')}  (daemon idle: ${mib(ours.idleDaemon)})`);
    log(`docker:    ${describe(theirs, 'shims')}`);
    log(`docker / tscompose per container: ${(theirs.perContainer / ours.perContainer).toFixed(2)}x`);

    if (args.json) {
      process.stdout.write(
        `${JSON.stringify({ runs: args.runs, results: results.map((r) => ({ ...r, median: r.error === undefined ? median(r.seconds) : undefined })), removals, ratios: { apiVsRaw, dockerVsCli }, notes: [runc.note, crun.note].filter(Boolean), memory: { tscompose: ours, docker: theirs } }, null, 2)}\n`,
      );
    }
    failed = results.some((r) => r.error !== undefined);
  } finally {
    for (const c of cleanups.reverse()) {
      await c.run().catch((err: Error) => {
        failed = true;
        process.stderr.write(`bench/start: cleaning up ${c.what} failed: ${err.message}\n`);
      });
    }
    await cleanUp(dir).catch((err: Error) => {
      failed = true;
      process.stderr.write(`bench/start: ${err.message}\n`);
    });
  }
  return failed ? 1 : 0;
}

/** Whatever is left under the bench's dir (monitors, mounts) and of its raw runtime cgroups; then the dir. */
async function cleanUp(dir: string): Promise<void> {
  for (const pid of await processesMentioning(dir)) {
    signal(pid, 'SIGKILL');
    await waitForExit(pid, 5_000);
  }
  await unmountUnder(dir);
  const base = '/sys/fs/cgroup';
  for (const h of [base, ...(await fs.readdir(base)).map((n) => path.join(base, n))]) {
    for (const name of await fs.readdir(h).catch(() => [] as string[])) {
      if (name.startsWith(CGROUP_PREFIX)) await fs.rmdir(path.join(h, name)).catch(() => undefined);
    }
  }
  await fs.rm(dir, { recursive: true, force: true });
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`bench/start: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
