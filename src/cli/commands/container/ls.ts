/** `tscompose container ls` (alias `ps`): the engine's containers, as `docker ps` lists them. */
import { Command, Option } from 'commander';
import type { ContainerInfo, PublishedPort } from '../../../engine/containers';
import type { ImageConfig } from '../../../engine/engine';
import { collect } from '../../global-options';
import type { CommandContext } from '../../command-context';
import { humanAge } from '../../format/human';
import { effectiveConfig, imageConfigs } from './container-config';
import { parseFilters } from './container-filter';
import { dockerTable } from './docker-table';
import { statusText } from './status-text';
import { withEngine } from './with-engine';

export interface LsFlags {
  all?: boolean;
  quiet?: boolean;
  filter?: string[];
  /** `--no-trunc` (commander stores negated flags as `trunc: false`). */
  trunc?: boolean;
  format?: 'table' | 'json';
}

export function containerLsCommand(ctx: CommandContext): Command {
  return new Command('ls')
    .aliases(['ps', 'list'])
    .description('List containers (running ones unless -a)')
    .option('-a, --all', 'show all containers (default shows just running)')
    .option('-q, --quiet', 'only display container IDs')
    .option('-f, --filter <filter>', 'filter output: label=k[=v], name=<regexp>, id=<prefix>, status=<state> (repeatable)', collect)
    .option('--no-trunc', "don't truncate output")
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((flags: LsFlags) =>
      withEngine(ctx, async (engine) => {
        const filters = parseFilters(flags.filter ?? [], flags.all === true);
        const containers = (await engine.listContainers(filters.engine)).filter(filters.keep);
        const configs = flags.quiet ? new Map<string, ImageConfig | undefined>() : await imageConfigs(engine, containers);
        ctx.stdout(renderContainerList(containers, configs, flags));
      }),
    );
}

/** The list as `docker ps` prints it (`now` for the ages, for tests). */
export function renderContainerList(containers: readonly ContainerInfo[], configs: ReadonlyMap<string, ImageConfig | undefined>, flags: LsFlags, now: number = Date.now()): string {
  const trunc = flags.trunc !== false;
  const id = (c: ContainerInfo): string => (trunc ? c.id.slice(0, 12) : c.id);
  if (flags.quiet) return containers.map((c) => `${id(c)}\n`).join('');
  const rows = containers.map((c) => {
    const config = effectiveConfig(c.spec, configs.get(c.imageId));
    const command = [config.path, ...config.args].join(' ');
    return {
      ID: id(c),
      Image: c.image,
      Command: JSON.stringify(trunc ? ellipsis(command, 20) : command),
      CreatedAt: goTime(c.created),
      RunningFor: humanAge(c.created, now),
      Ports: portsText(c.ports),
      State: c.state.status,
      Status: statusText(c.state, now),
      Names: c.name,
      Labels: Object.entries(c.labels).map(([k, v]) => `${k}=${v}`).join(','),
    };
  });
  if (flags.format === 'json') return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  return dockerTable(
    ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'],
    rows.map((r) => [r.ID, r.Image, r.Command, r.RunningFor, r.Status, r.Ports, r.Names]),
  );
}

/** Docker's cut: at most `max` characters, the last one an ellipsis. */
export function ellipsis(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** `0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp` */
export function portsText(ports: readonly PublishedPort[]): string {
  return ports.map((p) => `${p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp}:${p.hostPort}->${p.target}/${p.protocol}`).join(', ');
}

/** Go's default time format, as `docker ps --format json` prints CreatedAt: `2026-11-23 18:19:05 +0000 UTC`. */
function goTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}
