/** `tscompose container pause`: freezes all processes of containers. */
import { Command } from 'commander';
import type { CommandContext } from '../../command-context';
import { eachContainer } from './each-container';

export function containerPauseCommand(ctx: CommandContext): Command {
  return new Command('pause')
    .description('Pause all processes within one or more containers')
    .argument('<container...>', 'container names or IDs')
    .action((refs: string[]) => eachContainer(ctx, refs, (engine, ref) => engine.pauseContainer(ref)));
}
