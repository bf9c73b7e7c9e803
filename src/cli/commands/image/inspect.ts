/** `tscompose image inspect`: details of images as a JSON array, in Docker's shape. */
import { Command } from 'commander';
import { EngineError } from '../../../engine/errors';
import type { CommandContext } from '../../command-context';
import { dockerImageInspect, type DockerImageInspect } from '../../format/image-inspect';
import { withImages } from './with-images';

export function imageInspectCommand(ctx: CommandContext): Command {
  return new Command('inspect')
    .description('Display detailed information on one or more images')
    .argument('<image...>', 'image names or IDs')
    .action((refs: string[]) =>
      withImages(ctx, async (store) => {
        const found: DockerImageInspect[] = [];
        const failed: string[] = [];
        for (const ref of refs) {
          try {
            found.push(dockerImageInspect(await store.inspectImage(ref)));
          } catch (e) {
            if (!(e instanceof EngineError)) throw e;
            failed.push(e.message);
          }
        }
        // as docker: what was found is printed, then the misses fail the command
        ctx.stdout(`${JSON.stringify(found, null, 4)}\n`);
        if (failed.length > 0) throw new EngineError(failed.join('\n'));
      }),
    );
}
