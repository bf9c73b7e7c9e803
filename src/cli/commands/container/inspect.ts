/** `tscompose container inspect`: details of containers as a JSON array, in Docker's shape. */
import { Command } from 'commander';
import { EngineError } from '../../../engine/errors';
import type { CommandContext } from '../../command-context';
import { dockerContainerInspect, type DockerContainerInspect } from './docker-inspect';
import { withEngine } from './with-engine';

export function containerInspectCommand(ctx: CommandContext): Command {
  return new Command('inspect')
    .description('Display detailed information on one or more containers')
    .argument('<container...>', 'container names or IDs')
    .action((refs: string[]) =>
      withEngine(ctx, async (engine) => {
        const found: DockerContainerInspect[] = [];
        const failed: string[] = [];
        for (const ref of refs) {
          try {
            const info = await engine.inspectContainer(ref);
            const image = await engine.inspectImage(info.imageId).then((i) => i.config, () => undefined);
            found.push(dockerContainerInspect(info, image));
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
