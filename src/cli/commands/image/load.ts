/** `tscompose image load`: images from a `docker save` tar or an OCI image layout tar. */
import * as fs from 'node:fs';
import { Command } from 'commander';
import { InvalidArgumentError } from '../../../engine/errors';
import type { CommandContext } from '../../command-context';
import { withImages } from './with-images';

export function imageLoadCommand(ctx: CommandContext): Command {
  return new Command('load')
    .description('Load images from a tar archive (docker save or OCI image layout), or from stdin')
    .option('-i, --input <file>', 'read from this tar archive instead of stdin')
    .option('-q, --quiet', 'suppress the load output')
    .action((flags: { input?: string; quiet?: boolean }) =>
      withImages(ctx, async (store) => {
        if (flags.input === undefined && process.stdin.isTTY) {
          throw new InvalidArgumentError('requested load from stdin, but stdin is a terminal: use -i <file> or redirect a tar archive');
        }
        const input = flags.input !== undefined ? await openInput(flags.input) : process.stdin;
        const images = await store.loadImages(input);
        if (flags.quiet) return;
        for (const image of images) {
          if (image.repoTags.length === 0) ctx.stdout(`Loaded image ID: ${image.id}\n`);
          for (const tag of image.repoTags) ctx.stdout(`Loaded image: ${tag}\n`);
        }
      }),
    );
}

async function openInput(file: string): Promise<fs.ReadStream> {
  const stream = fs.createReadStream(file);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  return stream;
}
