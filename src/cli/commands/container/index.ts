/** `tscompose container …`: the engine's containers, with the verbs and output of `docker container`. */
import { Command } from 'commander';
import type { CommandContext } from '../../command-context';
import { containerExecCommand } from './exec';
import { containerInspectCommand } from './inspect';
import { containerKillCommand } from './kill';
import { containerLogsCommand } from './logs';
import { containerLsCommand } from './ls';
import { containerPauseCommand } from './pause';
import { containerRestartCommand } from './restart';
import { containerRmCommand } from './rm';
import { containerRunCommand } from './run';
import { containerStartCommand } from './start';
import { containerStatsCommand } from './stats';
import { containerStopCommand } from './stop';
import { containerTopCommand } from './top';
import { containerUnpauseCommand } from './unpause';
import { containerWaitCommand } from './wait';

export interface ContainerCommandOptions {
  /** Where `-e KEY` (without a value) takes its value from. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function containerCommand(ctx: CommandContext, options: ContainerCommandOptions): Command {
  return new Command('container')
    .description('Manage the engine’s containers (run, ls, logs, exec, stop, rm, …)')
    .enablePositionalOptions()
    .addCommand(containerRunCommand(ctx, options))
    .addCommand(containerLsCommand(ctx))
    .addCommand(containerInspectCommand(ctx))
    .addCommand(containerLogsCommand(ctx))
    .addCommand(containerStartCommand(ctx))
    .addCommand(containerStopCommand(ctx))
    .addCommand(containerRestartCommand(ctx))
    .addCommand(containerKillCommand(ctx))
    .addCommand(containerRmCommand(ctx))
    .addCommand(containerPauseCommand(ctx))
    .addCommand(containerUnpauseCommand(ctx))
    .addCommand(containerExecCommand(ctx, options))
    .addCommand(containerWaitCommand(ctx))
    .addCommand(containerTopCommand(ctx))
    .addCommand(containerStatsCommand(ctx));
}
