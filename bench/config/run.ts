/**
 * `npm run bench:config`: times `tscompose config` against Debian's `docker-compose config`
 * (1.29.2, the anchor) on the same generated file, in the same run, and prints the ratio.
 *
 *   npm run bench:config -- [--services N] [--runs N] [--warmup N] [--out DIR]
 *                           [--file FILE] [--legacy-version] [--json]
 *
 * Each tool is a fresh process per run (what a user waits for: start-up, load, validate,
 * print). Runs alternate between the two tools so that a change in machine load hits both.
 * Before timing, each tool's `config --services` must list the same services.
 * Needs `dist/cli/main.js` (./scripts/setup.sh builds it) and `docker-compose` (setup.sh
 * installs it). Not part of the test suite.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { count, parseFlags } from '../common/args';
import { runFigures, runsLine, secondsText } from '../common/stats';
import { defaultBenchDir, generate } from './generate';

interface Args {
  services: number;
  runs: number;
  warmup: number;
  dir: string;
  file?: string;
  legacyVersion: boolean;
  json: boolean;
}

interface Tool {
  readonly name: string;
  /** argv[0] and the arguments before `-f <file> config`. */
  readonly command: string;
  readonly prefix: readonly string[];
}

interface Timing {
  readonly tool: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly seconds: number[];
}

const usage = 'usage: run.ts [--services N] [--runs N] [--warmup N] [--out DIR] [--file FILE] [--legacy-version] [--json]';

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { services: 1000, runs: 5, warmup: 1, dir: defaultBenchDir, legacyVersion: false, json: false };
  parseFlags(argv, usage, {
    '--services': (flag, next) => { args.services = count(flag, next(), 1); },
    '--runs': (flag, next) => { args.runs = count(flag, next(), 1); },
    '--warmup': (flag, next) => { args.warmup = count(flag, next(), 0); },
    '--out': (_flag, next) => { args.dir = path.resolve(next() ?? '.'); },
    '--file': (_flag, next) => { args.file = path.resolve(next() ?? ''); },
    '--legacy-version': () => { args.legacyVersion = true; },
    '--json': () => { args.json = true; },
  });
  return args;
}

/** The same small environment for both tools: nothing from the caller's shell leaks in. */
function benchEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
  };
}

function exec(tool: Tool, file: string, extra: readonly string[]): { seconds: number; status: number | null; stdout: string; stderr: string; error?: Error } {
  const started = performance.now();
  const r = spawnSync(tool.command, [...tool.prefix, '-f', file, 'config', ...extra], {
    cwd: path.dirname(file),
    env: benchEnv(),
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  return { seconds, status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

function firstLines(text: string, n = 8): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(0, n).join('\n') + (lines.length > n ? `\n… (${lines.length - n} more lines)` : '');
}

/** Runs `config --services` once: the tool works, and lists these services. */
function check(tool: Tool, file: string): { services?: string[]; error?: string; warnings: string } {
  const r = exec(tool, file, ['--services']);
  if (r.error) return { error: `${tool.command}: ${r.error.message}`, warnings: '' };
  if (r.status !== 0) return { error: `exit code ${r.status}\n${firstLines(r.stderr || r.stdout)}`, warnings: '' };
  return { services: r.stdout.split('\n').filter((s) => s !== '').sort(), warnings: r.stderr.trim() };
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  const root = path.resolve(__dirname, '..', '..');
  const tools: Tool[] = [
    { name: 'tscompose config', command: process.execPath, prefix: [path.join(root, 'dist', 'cli', 'main.js')] },
    { name: 'docker-compose config', command: process.env.DOCKER_COMPOSE ?? 'docker-compose', prefix: [] },
  ];

  let file: string;
  let expected: string[] | undefined;
  let description: string;
  if (args.file) {
    file = args.file;
    const text = fs.readFileSync(file, 'utf8');
    description = `${file} (${text.split('\n').length - 1} lines, ${text.length} bytes)`;
  } else {
    const g = generate({ services: args.services, dir: args.dir, legacyVersion: args.legacyVersion });
    file = g.file;
    expected = [...g.services].sort();
    description = `${g.file}: ${g.services.length} services, ${g.lines} lines, ${(g.bytes / 1e6).toFixed(2)} MB`;
  }
  const log = (s: string) => { if (!args.json) process.stdout.write(`${s}\n`); };
  const load = (): string => os.loadavg().map((l) => l.toFixed(1)).join(' ');
  const loadBefore = load();
  log(`bench/config: ${description}`);
  log(`${args.runs} timed run(s) per tool after ${args.warmup} warm-up run(s), alternating`);
  log(`${os.availableParallelism()} CPUs, load average ${loadBefore} (1, 5, 15 min)\n`);

  const timings: Timing[] = [];
  const listed = new Map<string, string[]>();
  for (const tool of tools) {
    const c = check(tool, file);
    if (c.services) {
      listed.set(tool.name, c.services);
      timings.push({ tool: tool.name, ok: true, seconds: [] });
      if (c.warnings) log(`${tool.name} warned:\n${firstLines(c.warnings, 4).replace(/^/gm, '  ')}`);
    } else {
      timings.push({ tool: tool.name, ok: false, error: c.error, seconds: [] });
      log(`${tool.name} FAILED, not timed:\n${(c.error ?? '').replace(/^/gm, '  ')}`);
    }
  }
  for (const [name, services] of listed) {
    const want = expected ?? [...listed.values()][0];
    if (services.length !== want.length || services.some((s, i) => s !== want[i])) {
      const t = timings.find((x) => x.tool === name);
      if (t) Object.assign(t, { ok: false, error: `lists ${services.length} services, expected ${want.length}` });
      log(`${name} FAILED: its --services lists ${services.length} services, expected ${want.length}`);
    }
  }

  const active = tools.filter((t) => timings.find((x) => x.tool === t.name)?.ok);
  for (let run = 0; run < args.warmup + args.runs; run++) {
    for (const tool of active) {
      const t = timings.find((x) => x.tool === tool.name);
      if (!t || !t.ok) continue;
      const r = exec(tool, file, []);
      if (r.error || r.status !== 0) {
        Object.assign(t, { ok: false, error: r.error?.message ?? `exit code ${r.status}\n${firstLines(r.stderr)}` });
        log(`${tool.name} FAILED during the runs:\n${(t.error ?? '').replace(/^/gm, '  ')}`);
        continue;
      }
      if (run >= args.warmup) t.seconds.push(r.seconds);
    }
  }

  const results = timings.map((t) => ({
    tool: t.tool,
    ok: t.ok,
    error: t.error,
    runs: t.seconds.length,
    ...runFigures(t.ok, t.seconds),
  }));
  const [ts, dc] = results;
  const ratio = ts.ok && dc.ok && ts.median && dc.median ? dc.median / ts.median : undefined;

  if (args.json) {
    process.stdout.write(`${JSON.stringify({ file, services: expected?.length, results, ratio, load: { before: loadBefore, after: load() } }, null, 2)}\n`);
  } else {
    log('');
    for (const r of results) {
      const label = r.tool.padEnd(24);
      log(r.ok ? `${label} ${runsLine(r, r.runs, secondsText)}` : `${label} failed`);
    }
    log(ratio !== undefined
      ? `ratio docker-compose / tscompose: ${ratio.toFixed(1)}x  (target: >= 10x)`
      : 'ratio: not available (a tool failed)');
    log(`load average at the end: ${load()} (a busy machine spreads the runs: compare min and max)`);
  }
  return results.every((r) => r.ok) ? 0 : 1;
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (e) {
    process.stderr.write(`bench/config: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  }
}
