/** `tscompose container stats`: resource usage of containers, as `docker stats` shows it. */
import { Command } from 'commander';
import type { ContainerInfo, ContainerStats } from '../../../engine/containers';
import { ObjectConflictError } from '../../../engine/errors';
import type { CommandContext, OpenedEngine } from '../../command-context';
import { dockerTable } from './docker-table';
import { withEngine } from './with-engine';

interface StatsFlags {
  all?: boolean;
  /** `--no-stream` (commander stores negated flags as `stream: false`). */
  stream?: boolean;
  trunc?: boolean;
}

const REFRESH_MS = 1000;

export function containerStatsCommand(ctx: CommandContext): Command {
  return new Command('stats')
    .description('Display a live stream of container resource usage statistics (--no-stream: one sample)')
    .argument('[container...]', 'container names or IDs (default: all running containers)')
    .option('-a, --all', 'show all containers (default shows just running)')
    .option('--no-stream', 'print one sample and exit')
    .option('--no-trunc', "don't truncate output")
    .action((refs: string[], flags: StatsFlags) =>
      withEngine(ctx, async (engine) => {
        const containers = refs.length > 0 ? await Promise.all(refs.map((r) => engine.inspectContainer(r))) : await engine.listContainers({ all: flags.all === true });
        for (;;) {
          const samples = await Promise.all(containers.map((c) => sample(engine, c)));
          const table = renderStats(samples, flags.trunc !== false);
          ctx.stdout(flags.stream === false ? table : `\x1b[2J\x1b[H${table}`);
          if (flags.stream === false) return;
          await new Promise((r) => setTimeout(r, REFRESH_MS));
        }
      }),
    );
}

export interface StatsSample {
  readonly container: Pick<ContainerInfo, 'id' | 'name'>;
  /** Undefined for a container that is not running (Docker prints zeros). */
  readonly stats: ContainerStats | undefined;
}

async function sample(engine: OpenedEngine, container: ContainerInfo): Promise<StatsSample> {
  const stats = await engine.stats(container.id).catch((e: unknown) => {
    if (e instanceof ObjectConflictError) return undefined;
    throw e;
  });
  return { container, stats };
}

export function renderStats(samples: readonly StatsSample[], trunc = true): string {
  const rows = samples.map(({ container: c, stats: s }) => {
    const memPercent = s && s.memoryLimit > 0 ? (s.memoryUsage / s.memoryLimit) * 100 : 0;
    return [
      trunc ? c.id.slice(0, 12) : c.id,
      c.name,
      `${(s?.cpuPercent ?? 0).toFixed(2)}%`,
      `${binarySize(s?.memoryUsage ?? 0)} / ${binarySize(s?.memoryLimit ?? 0)}`,
      `${memPercent.toFixed(2)}%`,
      `${decimalSize(s?.networkRx ?? 0)} / ${decimalSize(s?.networkTx ?? 0)}`,
      `${decimalSize(s?.blockRead ?? 0)} / ${decimalSize(s?.blockWrite ?? 0)}`,
      String(s?.pids ?? 0),
    ];
  });
  return dockerTable(['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS'], rows);
}

/** Docker's BytesSize: binary units, 4 significant digits (`1.5MiB`, `7.664GiB`). */
export function binarySize(n: number): string {
  return scaled(n, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'], 4);
}

/** Docker's HumanSizeWithPrecision(n, 3): decimal units (`1.2kB`, `648B`). */
export function decimalSize(n: number): string {
  return scaled(n, 1000, ['B', 'kB', 'MB', 'GB', 'TB', 'PB'], 3);
}

function scaled(n: number, base: number, units: readonly string[], digits: number): string {
  let value = n;
  let unit = 0;
  while (value >= base && unit < units.length - 1) {
    value /= base;
    unit++;
  }
  return `${Number(value.toPrecision(digits))}${units[unit]}`;
}
