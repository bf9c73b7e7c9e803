/** `tscompose image save`: images to a `docker save` tar, in a file or on stdout. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { InvalidArgumentError } from '../../../engine/errors';
import type { CommandContext } from '../../command-context';
import { withImages } from './with-images';

export function imageSaveCommand(ctx: CommandContext): Command {
  return new Command('save')
    .description('Save images to a tar archive (written to stdout by default)')
    .argument('<image...>', 'image names or IDs')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action((refs: string[], flags: { output?: string }) =>
      withImages(ctx, async (store) => {
        if (flags.output === undefined) {
          if (ctx.stdoutIsTTY()) {
            throw new InvalidArgumentError('refusing to write an image archive to a terminal: use -o <file> or redirect stdout');
          }
          await store.saveImages(refs, process.stdout);
          return;
        }
        // written beside the target and renamed at the end: a failed save leaves no partial archive
        const target = path.resolve(flags.output);
        const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
        const out = fs.createWriteStream(temp, { mode: 0o644 });
        try {
          await store.saveImages(refs, out);
          await new Promise<void>((resolve, reject) => {
            out.once('error', reject);
            out.end(() => resolve());
          });
          fs.renameSync(temp, target);
        } catch (e) {
          out.destroy();
          fs.rmSync(temp, { force: true });
          throw e;
        }
      }),
    );
}
