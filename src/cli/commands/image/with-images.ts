/** Opens the engine's images for one command and always closes them. */
import type { ImageStore } from '../../../engine/engine';
import type { CommandContext } from '../../command-context';

export async function withImages<T>(ctx: CommandContext, fn: (store: ImageStore) => Promise<T>): Promise<T> {
  const opened = ctx.images();
  try {
    return await fn(opened.store);
  } finally {
    opened.close();
  }
}
