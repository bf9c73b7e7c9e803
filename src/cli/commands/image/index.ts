/** `tscompose image …`: the engine's images, with the verbs and output of `docker image`. */
import { Command } from 'commander';
import type { CommandContext } from '../../command-context';
import { imageInspectCommand } from './inspect';
import { imageLoadCommand } from './load';
import { imageLsCommand } from './ls';
import { imagePullCommand } from './pull';
import { imageRmCommand } from './rm';
import { imageSaveCommand } from './save';

export function imageCommand(ctx: CommandContext): Command {
  return new Command('image')
    .description('Manage the engine’s images (pull, ls, rm, inspect, load, save)')
    .addCommand(imagePullCommand(ctx))
    .addCommand(imageLsCommand(ctx))
    .addCommand(imageRmCommand(ctx))
    .addCommand(imageInspectCommand(ctx))
    .addCommand(imageLoadCommand(ctx))
    .addCommand(imageSaveCommand(ctx));
}
