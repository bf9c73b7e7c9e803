/** `tscompose image pull`: fetches an image as `docker pull` does, with its progress. */
import { Command } from 'commander';
import type { ImageStore, Platform } from '../../../engine/engine';
import { InvalidArgumentError, ObjectNotFoundError } from '../../../engine/errors';
import { parseReference } from '../../../engine/image-reference';
import type { CommandContext } from '../../command-context';
import { PullProgress } from '../../progress/pull-progress';
import { withImages } from './with-images';

interface PullFlags {
  quiet?: boolean;
  platform?: string;
}

export function imagePullCommand(ctx: CommandContext): Command {
  return new Command('pull')
    .description('Download an image from a registry')
    .argument('<image>', 'image reference (name[:tag] or name@digest)')
    .option('-q, --quiet', 'suppress progress; print only the image reference')
    .option('--platform <os/arch[/variant]>', "pull this platform's image instead of the host's")
    .action((input: string, flags: PullFlags) => withImages(ctx, (store) => pull(ctx, store, input, flags)));
}

async function pull(ctx: CommandContext, store: ImageStore, input: string, flags: PullFlags): Promise<void> {
  const ref = parseReference(input);
  const platform = flags.platform !== undefined ? parsePlatform(flags.platform) : undefined;
  const before = await idOf(store, ref.familiar);
  const err = ctx.stderr();
  const header = `${ref.digest ?? ref.tag ?? 'latest'}: Pulling from ${ref.path}`;
  const progress = new PullProgress(flags.quiet ? 'quiet' : ctx.progress(), (t) => err.write(t), header);
  let info;
  try {
    info = await store.pullImage(input, { ...(platform ? { platform } : {}), onEvent: (e) => progress.event(e) });
  } finally {
    progress.finish();
  }
  if (!flags.quiet && ctx.progress() !== 'json' && ctx.progress() !== 'quiet') {
    const digest = info.repoDigests.find((d) => d.startsWith(`${ref.familiar.replace(/[:@].*$/, '')}@`));
    if (digest) err.write(`Digest: ${digest.slice(digest.indexOf('@') + 1)}\n`);
    const status = before === info.id ? 'Image is up to date for' : 'Downloaded newer image for';
    err.write(`Status: ${status} ${ref.familiar}\n`);
  }
  ctx.stdout(`${ref.canonical}\n`);
}

async function idOf(store: ImageStore, ref: string): Promise<string | undefined> {
  try {
    return (await store.inspectImage(ref)).id;
  } catch (e) {
    if (e instanceof ObjectNotFoundError) return undefined;
    throw e;
  }
}

/** `linux/arm64/v8` → Platform; the OS may be left out (`arm64` means linux/arm64). */
export function parsePlatform(text: string): Platform {
  const parts = text.toLowerCase().split('/');
  if (parts.some((p) => p === '') || parts.length > 3) {
    throw new InvalidArgumentError(`invalid platform "${text}": expected os/arch[/variant], e.g. linux/amd64`);
  }
  const [os, architecture, variant] = parts.length === 1 ? ['linux', parts[0]] : parts;
  return { os: os ?? 'linux', architecture: architecture ?? '', ...(variant !== undefined ? { variant } : {}) };
}
