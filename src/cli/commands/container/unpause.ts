/** `tscompose container unpause`: thaws the processes of paused containers. */
import { Command } from 'commander';
import type { CommandContext } from '../../command-context';
import { eachContainer } from './each-container';

export function containerUnpauseCommand(ctx: CommandContext): Command {
  return new Command('unpause')
    .description('Unpause all processes within one or more containers')
    .argument('<container...>', 'container names or IDs')
    .action((refs: string[]) => eachContainer(ctx, refs, (engine, ref) => engine.unpauseContainer(ref)));
}
