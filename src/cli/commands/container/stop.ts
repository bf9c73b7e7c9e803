/** `tscompose container stop`: the stop signal, then SIGKILL after the grace period. */
import { Command } from 'commander';
import type { CommandContext } from '../../command-context';
import { eachContainer } from './each-container';
import { seconds } from './parse-flags';

export function containerStopCommand(ctx: CommandContext): Command {
  return new Command('stop')
    .description('Stop one or more running containers')
    .argument('<container...>', 'container names or IDs')
    .option('-t, --time <seconds>', 'seconds to wait before killing the container (default: its stop grace period)', seconds)
    .action((refs: string[], flags: { time?: number }) =>
      eachContainer(ctx, refs, (engine, ref) => engine.stopContainer(ref, flags.time !== undefined ? { timeoutSeconds: flags.time } : {})),
    );
}
