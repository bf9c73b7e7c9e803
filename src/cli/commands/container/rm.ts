/** `tscompose container rm`: removes containers (`-f` kills running ones first). */
import { Command } from 'commander';
import type { CommandContext } from '../../command-context';
import { eachContainer } from './each-container';

export function containerRmCommand(ctx: CommandContext): Command {
  return new Command('rm')
    .alias('remove')
    .description('Remove one or more containers')
    .argument('<container...>', 'container names or IDs')
    .option('-f, --force', 'force the removal of a running container (uses SIGKILL)')
    .option('-v, --volumes', 'remove anonymous volumes associated with the container')
    .action((refs: string[], flags: { force?: boolean; volumes?: boolean }) =>
      eachContainer(ctx, refs, (engine, ref) => engine.removeContainer(ref, { force: flags.force === true, volumes: flags.volumes === true })),
    );
}
