/** `tscompose container logs`: a container's output, stdout and stderr apart, as `docker logs`. */
import { Command } from 'commander';
import { InvalidArgumentError } from '../../../engine/errors';
import type { CommandContext } from '../../command-context';
import { logTime } from './parse-flags';
import { printLogs } from './print-logs';
import { withEngine } from './with-engine';

interface LogsFlags {
  follow?: boolean;
  since?: string;
  until?: string;
  tail?: string;
  timestamps?: boolean;
}

export function containerLogsCommand(ctx: CommandContext): Command {
  return new Command('logs')
    .description('Fetch the logs of a container')
    .argument('<container>', 'container name or ID')
    .option('-f, --follow', 'follow log output (until the container stops)')
    .option('--since <time>', 'show logs since a time (e.g. 2026-01-02T13:23:37Z) or a duration before now (e.g. 42m)', (v: string) => logTime(v))
    .option('--until <time>', 'show logs before a time (e.g. 2026-01-02T13:23:37Z) or a duration before now (e.g. 42m)', (v: string) => logTime(v))
    .option('-n, --tail <lines>', 'number of lines to show from the end of the logs, or "all"', 'all')
    .option('-t, --timestamps', 'show timestamps')
    .action((ref: string, flags: LogsFlags) =>
      withEngine(ctx, async (engine) => {
        const tail = flags.tail === undefined || flags.tail === 'all' ? undefined : Number(flags.tail);
        if (tail !== undefined && !(Number.isInteger(tail) && tail >= 0)) {
          throw new InvalidArgumentError(`invalid --tail "${flags.tail}": expected a number of lines or "all"`);
        }
        const err = ctx.stderr();
        const lines = engine.containerLogs(ref, {
          ...(flags.follow ? { follow: true } : {}),
          ...(flags.since !== undefined ? { since: flags.since } : {}),
          ...(flags.until !== undefined ? { until: flags.until } : {}),
          ...(tail !== undefined ? { tail } : {}),
        });
        await printLogs(lines, { stdout: (t) => ctx.stdout(t), stderr: (t) => err.write(t) }, { timestamps: flags.timestamps === true });
      }),
    );
}
