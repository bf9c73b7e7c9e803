/** `tscompose container restart`: stop (with its grace period), then start. */
import { Command } from 'commander';
import type { CommandContext } from '../../command-context';
import { eachContainer } from './each-container';
import { seconds } from './parse-flags';

export function containerRestartCommand(ctx: CommandContext): Command {
  return new Command('restart')
    .description('Restart one or more containers')
    .argument('<container...>', 'container names or IDs')
    .option('-t, --time <seconds>', 'seconds to wait before killing the container (default: its stop grace period)', seconds)
    .action((refs: string[], flags: { time?: number }) =>
      eachContainer(ctx, refs, (engine, ref) => engine.restartContainer(ref, flags.time !== undefined ? { timeoutSeconds: flags.time } : {})),
    );
}
