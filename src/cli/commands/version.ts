/** `tscompose version`. */
import { Command, Option } from 'commander';
import type { CommandContext } from '../command-context';
import { VERSION } from '../../version';

export function versionCommand(ctx: CommandContext): Command {
  return new Command('version')
    .description('Show the tscompose version information')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['pretty', 'json']).default('pretty'))
    .option('--short', 'show only the version number')
    .action((flags: { format: string; short?: boolean }) => {
      if (flags.short) ctx.stdout(`${VERSION}\n`);
      else if (flags.format === 'json') ctx.stdout(`${JSON.stringify({ version: VERSION })}\n`);
      else ctx.stdout(`tscompose version ${VERSION}\n`);
    });
}
