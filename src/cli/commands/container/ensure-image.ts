/**
 * `container run`'s image: used as it is when the engine has it; otherwise pulled first through
 * the engine, with `docker run`'s words and `image pull`'s progress on stderr:
 * `Unable to find image 'busybox:latest' locally`, the layers, `Digest: …`, `Status: …`.
 */
import { ObjectNotFoundError } from '../../../engine/errors';
import { parseReference } from '../../../engine/image-reference';
import type { CommandContext, OpenedEngine } from '../../command-context';
import { PullProgress } from '../../progress/pull-progress';

export type PullPolicy = 'missing' | 'always' | 'never';

export async function ensureImage(ctx: CommandContext, engine: OpenedEngine, input: string, policy: PullPolicy, quiet: boolean): Promise<void> {
  const err = ctx.stderr();
  if (policy !== 'always') {
    const present = await engine.inspectImage(input).then(
      () => true,
      (e: unknown) => {
        if (e instanceof ObjectNotFoundError && policy === 'missing') return false;
        throw e;
      },
    );
    if (present) return;
  }
  const ref = parseReference(input);
  const mode = quiet ? 'quiet' : ctx.progress();
  if (policy === 'missing' && mode !== 'quiet' && mode !== 'json') err.write(`Unable to find image '${ref.familiar}' locally\n`);
  const progress = new PullProgress(mode, (t) => err.write(t), `${ref.digest ?? ref.tag ?? 'latest'}: Pulling from ${ref.path}`);
  let info;
  try {
    info = await engine.pullImage(input, { onEvent: (e) => progress.event(e) });
  } finally {
    progress.finish();
  }
  if (mode === 'quiet' || mode === 'json') return;
  const repository = ref.familiar.replace(/@.*$/, '').replace(/:[^:/]*$/, '');
  const digest = info.repoDigests.find((d) => d.startsWith(`${repository}@`));
  if (digest) err.write(`Digest: ${digest.slice(digest.indexOf('@') + 1)}\n`);
  err.write(`Status: Downloaded newer image for ${ref.familiar}\n`);
}
