/** Reaches the engine daemon (starting it when needed) for one command and always closes the connection. */
import type { CommandContext, OpenedEngine } from '../../command-context';

export async function withEngine<T>(ctx: CommandContext, fn: (engine: OpenedEngine) => Promise<T>): Promise<T> {
  const engine = await ctx.containers();
  try {
    return await fn(engine);
  } finally {
    engine.close();
  }
}
