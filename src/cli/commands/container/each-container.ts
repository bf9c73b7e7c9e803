/**
 * The shape of `docker stop|start|kill|rm|pause|…`: the action on each container named, each
 * success printed (the name as typed, or what the action returns), every container tried, then
 * every failure reported at once.
 */
import { EngineError } from '../../../engine/errors';
import type { CommandContext, OpenedEngine } from '../../command-context';
import { withEngine } from './with-engine';

export function eachContainer(
  ctx: CommandContext,
  refs: readonly string[],
  action: (engine: OpenedEngine, ref: string) => Promise<string | void>,
): Promise<void> {
  return withEngine(ctx, async (engine) => {
    const failed: EngineError[] = [];
    for (const ref of refs) {
      try {
        const printed = await action(engine, ref);
        ctx.stdout(`${printed ?? ref}\n`);
      } catch (e) {
        if (!(e instanceof EngineError)) throw e;
        failed.push(e);
      }
    }
    if (failed.length === 1) throw failed[0];
    if (failed.length > 1) throw new EngineError(failed.map((e) => e.message).join('\n'));
  });
}
