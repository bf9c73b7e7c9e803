/**
 * `npm run bench:pull`: times `tscompose image pull` against `docker pull` (Debian's docker.io
 * 20.10, the anchor) of the same image from the local registry, both into an empty store, in
 * the same run, and prints the ratio.
 *
 *   npm run bench:pull -- [--runs N] [--warmup N] [--image NAME:TAG] [--json]
 *
 * - tscompose: `node dist/cli/main.js image pull <image>` with a fresh TSCOMPOSE_ROOT per run,
 *   TSCOMPOSE_REGISTRY_MIRROR=http://127.0.0.1:5000 and TSCOMPOSE_REGISTRY_MIRROR_ONLY=1.
 * - docker: `docker pull 127.0.0.1:5000/library/<image>` on a dockerd of its own
 *   (test/support/dockerd.ts: own data root on the same file system, no Docker Hub). Before
 *   each run its image is removed and pruned, and the run is refused unless its overlay2
 *   directory holds no layer any more: every docker pull is cold.
 * Both are whole processes (start-up included), with progress output captured. Runs alternate
 * between the tools, swapping which goes first each run; `sync` runs (untimed) before each
 * pull, so that neither pays for writing back what the other left dirty. Before timing, a
 * check pull verifies both tools get the same image ID.
 *
 * Needs `dist/cli/main.js` (npm run build), root (dockerd), and the local registry
 * (../shared/fixtures/standin-images.sh). Not part of the test suite.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startDockerd, type Dockerd } from '../../test/support/dockerd';
import { count, parseFlags } from '../common/args';
import { runFigures, runsLine, secondsText } from '../common/stats';
import { runCommand } from '../../test/support/run-command';

const REGISTRY = '127.0.0.1:5000';

interface Args {
  runs: number;
  warmup: number;
  image: string;
  json: boolean;
}

interface Timing {
  readonly tool: string;
  ok: boolean;
  error?: string;
  readonly seconds: number[];
}

const usage = 'usage: run.ts [--runs N] [--warmup N] [--image NAME:TAG] [--json]';

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { runs: 3, warmup: 1, image: 'wordpress:php7.4', json: false };
  parseFlags(argv, usage, {
    '--runs': (flag, next) => { args.runs = count(flag, next(), 1); },
    '--warmup': (flag, next) => { args.warmup = count(flag, next(), 0); },
    '--image': (_flag, next) => { args.image = next() ?? ''; },
    '--json': () => { args.json = true; },
  });
  if (!/^[a-z0-9][a-z0-9._/-]*:[\w][\w.-]*$/.test(args.image)) throw new Error(`--image needs NAME:TAG of the local registry, got "${args.image}"`);
  return args;
}

function lastLines(text: string, n = 6): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

interface Tool {
  readonly name: string;
  /** Makes the store empty (untimed). */
  prepare(): Promise<void>;
  /** The timed pull; throws when it fails. */
  pull(): Promise<void>;
  /** The image ID now in the store. */
  imageId(): Promise<string>;
  /** Removes what prepare/pull left (untimed). */
  cleanup(): Promise<void>;
}

/** Both tools print "Already exists" for a layer they did not have to pull: then the run was not cold. */
function assertCold(output: string): void {
  if (/Already exists|Image is up to date/.test(output)) throw new Error(`not a cold pull:\n${lastLines(output, 10)}`);
  if (!/Pull complete/.test(output)) throw new Error(`no layer was pulled:\n${lastLines(output, 10)}`);
}

function tscomposeTool(repoRoot: string, image: string): Tool {
  const cli = path.join(repoRoot, 'dist', 'cli', 'main.js');
  let root: string | undefined;
  const env = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: process.env.HOME ?? '/root',
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    TSCOMPOSE_ROOT: root,
    TSCOMPOSE_REGISTRY_MIRROR: `http://${REGISTRY}`,
    TSCOMPOSE_REGISTRY_MIRROR_ONLY: '1',
  });
  const cleanup = async (): Promise<void> => {
    if (root !== undefined) await fs.rm(root, { recursive: true, force: true });
    root = undefined;
  };
  return {
    name: 'tscompose image pull',
    async prepare() {
      await cleanup();
      root = await fs.mkdtemp(path.join(os.tmpdir(), 'tscompose-bench-pull-'));
    },
    async pull() {
      const r = await runCommand(process.execPath, [cli, 'image', 'pull', image], { env: env(), timeoutMs: 600_000 });
      if (r.code !== 0) throw new Error(`exit code ${r.code}\n${lastLines(r.stderr || r.stdout)}`);
      assertCold(r.stdout + r.stderr);
    },
    async imageId() {
      const r = await runCommand(process.execPath, [cli, 'image', 'inspect', image], { env: env() });
      if (r.code !== 0) throw new Error(`tscompose image inspect: exit code ${r.code}\n${lastLines(r.stderr)}`);
      const [first] = JSON.parse(r.stdout) as { Id?: string }[];
      if (typeof first?.Id !== 'string') throw new Error(`tscompose image inspect printed no Id:\n${lastLines(r.stdout)}`);
      return first.Id;
    },
    cleanup,
  };
}

function dockerTool(dockerd: Dockerd, image: string): Tool {
  const ref = `${REGISTRY}/library/${image}`;
  const empty = async (): Promise<void> => {
    await dockerd.docker(['rmi', '--force', ref]);
    await dockerd.dockerOk(['image', 'prune', '--all', '--force']);
    const images = (await dockerd.dockerOk(['images', '--all', '--quiet'])).trim();
    const layers = (await fs.readdir(path.join(dockerd.dataRoot, 'overlay2'))).filter((n) => n !== 'l');
    if (images !== '' || layers.length > 0) {
      throw new Error(`docker's store is not empty after rmi + prune: images [${images.replace(/\n/g, ' ')}], ${layers.length} layer dir(s)`);
    }
  };
  return {
    name: 'docker pull',
    prepare: empty,
    async pull() {
      const r = await dockerd.docker(['pull', ref], { timeoutMs: 600_000 });
      if (r.code !== 0) throw new Error(`exit code ${r.code}\n${lastLines(r.stderr || r.stdout)}`);
      assertCold(r.stdout + r.stderr);
    },
    async imageId() {
      return (await dockerd.dockerOk(['image', 'inspect', '--format', '{{.Id}}', ref])).trim();
    },
    cleanup: empty,
  };
}

async function sync(): Promise<void> {
  const r = await runCommand('sync', []);
  if (r.code !== 0) throw new Error(`sync failed: ${r.stderr.trim()}`);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const repoRoot = path.resolve(__dirname, '..', '..');
  const log = (s: string): void => {
    if (!args.json) process.stdout.write(`${s}\n`);
  };
  await fs.access(path.join(repoRoot, 'dist', 'cli', 'main.js')).catch(() => {
    throw new Error('dist/cli/main.js is missing: run `npm run build` first');
  });

  const dockerd = await startDockerd();
  try {
    const tools = [tscomposeTool(repoRoot, args.image), dockerTool(dockerd, args.image)];
    const timings: Timing[] = tools.map((t) => ({ tool: t.name, ok: true, seconds: [] }));
    log(`bench/pull: ${args.image} from the local registry ${REGISTRY}, into an empty store each run`);
    log(`${args.runs} timed run(s) per tool after ${args.warmup} warm-up run(s), alternating`);
    const load = (): string => os.loadavg().map((l) => l.toFixed(1)).join(' ');
    const loadBefore = load();
    log(`${os.availableParallelism()} CPUs, load average ${loadBefore} (1, 5, 15 min)\n`);

    // the check pull (also a warm-up of the registry's page cache): both tools, the same image
    const ids: string[] = [];
    for (const [i, tool] of tools.entries()) {
      const t = timings[i] as Timing;
      try {
        await tool.prepare();
        await tool.pull();
        ids.push(await tool.imageId());
        await tool.cleanup();
      } catch (err) {
        Object.assign(t, { ok: false, error: (err as Error).message });
        log(`${tool.name} FAILED, not timed:\n${(err as Error).message.replace(/^/gm, '  ')}`);
      }
    }
    if (ids.length === 2 && ids[0] !== ids[1]) throw new Error(`the tools pulled different images: tscompose ${ids[0]}, docker ${ids[1]}`);

    for (let run = 0; run < Math.max(0, args.warmup - 1) + args.runs; run++) {
      const order = run % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        const tool = tools[i] as Tool;
        const t = timings[i] as Timing;
        if (!t.ok) continue;
        try {
          await tool.prepare();
          await sync();
          const started = performance.now();
          await tool.pull();
          const seconds = (performance.now() - started) / 1000;
          if (run >= args.warmup - 1) t.seconds.push(seconds);
          await tool.cleanup();
        } catch (err) {
          Object.assign(t, { ok: false, error: (err as Error).message });
          log(`${tool.name} FAILED during the runs:\n${(err as Error).message.replace(/^/gm, '  ')}`);
        }
      }
    }

    const results = timings.map((t) => ({
      tool: t.tool,
      ok: t.ok,
      error: t.error,
      runs: t.seconds.length,
      seconds: t.seconds,
      ...runFigures(t.ok, t.seconds),
    }));
    const [ts, dk] = results;
    const ratio = ts?.ok && dk?.ok && ts.median && dk.median ? dk.median / ts.median : undefined;
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ image: args.image, imageId: ids[0], results, ratio, cpus: os.availableParallelism(), loadBefore, loadAfter: load() }, null, 2)}\n`);
    } else {
      log(`image ID ${ids[0] ?? '(unknown)'}\n`);
      for (const r of results) {
        const label = r.tool.padEnd(22);
        log(r.ok ? `${label} ${runsLine(r, r.runs, secondsText)}` : `${label} failed`);
      }
      log(ratio !== undefined ? `ratio docker pull / tscompose: ${ratio.toFixed(2)}x  (target: >= 1x)` : 'ratio: not available (a tool failed)');
      log(`load average at the end: ${load()} (a busy machine spreads the runs: compare min and max)`);
    }
    for (const tool of tools) await tool.cleanup().catch(() => undefined);
    return results.every((r) => r.ok) ? 0 : 1;
  } finally {
    await dockerd.stop();
  }
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`bench/pull: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
