/** `tscompose container top`: the processes of a running container (`ps` options after it). */
import { Command } from 'commander';
import type { ProcessList } from '../../../engine/containers';
import type { CommandContext } from '../../command-context';
import { dockerTable } from './docker-table';
import { withEngine } from './with-engine';

export function containerTopCommand(ctx: CommandContext): Command {
  return new Command('top')
    .description('Display the running processes of a container')
    .argument('<container>', 'container name or ID')
    .argument('[ps-options...]', 'options for ps (default -ef)')
    .passThroughOptions()
    .action((ref: string, psArgs: string[]) => withEngine(ctx, async (engine) => ctx.stdout(renderTop(await engine.top(ref, psArgs)))));
}

/** As `docker top` prints it: columns at least 20 wide. */
export function renderTop(list: ProcessList): string {
  return dockerTable(list.titles, list.processes, 20);
}
