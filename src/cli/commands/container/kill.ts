/** `tscompose container kill`: a signal (SIGKILL by default) to running containers. */
import { Command } from 'commander';
import type { CommandContext } from '../../command-context';
import { eachContainer } from './each-container';

export function containerKillCommand(ctx: CommandContext): Command {
  return new Command('kill')
    .description('Kill one or more running containers')
    .argument('<container...>', 'container names or IDs')
    .option('-s, --signal <signal>', 'signal to send (name or number)', 'KILL')
    .action((refs: string[], flags: { signal: string }) => {
      const signal = /^\d+$/.test(flags.signal) || flags.signal.toUpperCase().startsWith('SIG') ? flags.signal.toUpperCase() : `SIG${flags.signal.toUpperCase()}`;
      return eachContainer(ctx, refs, (engine, ref) => engine.killContainer(ref, signal));
    });
}
