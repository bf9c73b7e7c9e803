/** `tscompose container wait`: blocks until containers stop, then prints their exit codes. */
import { Command } from 'commander';
import type { CommandContext } from '../../command-context';
import { eachContainer } from './each-container';

export function containerWaitCommand(ctx: CommandContext): Command {
  return new Command('wait')
    .description('Block until one or more containers stop, then print their exit codes')
    .argument('<container...>', 'container names or IDs')
    .action((refs: string[]) => eachContainer(ctx, refs, async (engine, ref) => String((await engine.waitContainer(ref, { condition: 'not-running' })).exitCode)));
}
