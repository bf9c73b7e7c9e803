/** `tscompose image rm`: untags images and removes those left without a tag, as `docker rmi`. */
import { Command } from 'commander';
import { EngineError } from '../../../engine/errors';
import type { CommandContext } from '../../command-context';
import { withImages } from './with-images';

export function imageRmCommand(ctx: CommandContext): Command {
  return new Command('rm')
    .alias('remove')
    .description('Remove one or more images')
    .argument('<image...>', 'image names or IDs')
    .option('-f, --force', 'remove an image even when it is tagged in several repositories')
    .action((refs: string[], flags: { force?: boolean }) =>
      withImages(ctx, async (store) => {
        const failed: EngineError[] = [];
        for (const ref of refs) {
          try {
            const removed = await store.removeImage(ref, { force: flags.force === true });
            ctx.stdout(removed.untagged.map((t) => `Untagged: ${t}\n`).join('') + removed.deleted.map((d) => `Deleted: ${d}\n`).join(''));
          } catch (e) {
            if (!(e instanceof EngineError)) throw e;
            failed.push(e);
          }
        }
        // like docker rmi: every image is tried, then every failure is reported
        if (failed.length === 1) throw failed[0];
        if (failed.length > 1) throw new EngineError(failed.map((e) => e.message).join('\n'));
      }),
    );
}
