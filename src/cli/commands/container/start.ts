/** `tscompose container start`: starts stopped containers. */
import { Command } from 'commander';
import type { CommandContext } from '../../command-context';
import { eachContainer } from './each-container';

export function containerStartCommand(ctx: CommandContext): Command {
  return new Command('start')
    .description('Start one or more stopped containers')
    .argument('<container...>', 'container names or IDs')
    .action((refs: string[]) => eachContainer(ctx, refs, (engine, ref) => engine.startContainer(ref)));
}
