/** `tscompose image ls`: the images in the engine, as `docker image ls` lists them. */
import { Command, Option } from 'commander';
import type { ImageInfo } from '../../../engine/engine';
import type { CommandContext } from '../../command-context';
import { humanAge, humanSize, shortId, table } from '../../format/human';
import { withImages } from './with-images';

interface LsFlags {
  quiet?: boolean;
  digests?: boolean;
  /** `--no-trunc` (commander stores negated flags as `trunc: false`). */
  trunc?: boolean;
  format?: 'table' | 'json';
}

/** One row per repository:tag; an image without tags is one `<none>` row (dangling). */
export interface ImageRow {
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
  readonly id: string;
  readonly created: string | undefined;
  readonly size: number;
}

export function imageLsCommand(ctx: CommandContext): Command {
  return new Command('ls')
    .alias('list')
    .description('List images')
    .argument('[repository]', 'only images of this repository (name or name:tag)')
    .option('-q, --quiet', 'only show image IDs')
    .option('--digests', 'show digests')
    .option('--no-trunc', "don't truncate IDs")
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((repository: string | undefined, flags: LsFlags) =>
      withImages(ctx, async (store) => ctx.stdout(renderImageList(await store.listImages(), { ...flags, repository }))),
    );
}

export function imageRows(images: readonly ImageInfo[]): ImageRow[] {
  const rows: ImageRow[] = [];
  for (const image of images) {
    const base = { id: image.id, created: image.created, size: image.size };
    const digestOf = (repository: string): string =>
      image.repoDigests.find((d) => d.startsWith(`${repository}@`))?.slice(repository.length + 1) ?? '<none>';
    if (image.repoTags.length === 0) {
      const [first] = image.repoDigests;
      const repository = first !== undefined ? first.slice(0, first.indexOf('@')) : '<none>';
      rows.push({ ...base, repository, tag: '<none>', digest: digestOf(repository) });
    }
    for (const tag of image.repoTags) {
      const at = tag.lastIndexOf(':');
      const repository = tag.slice(0, at);
      rows.push({ ...base, repository, tag: tag.slice(at + 1), digest: digestOf(repository) });
    }
  }
  return rows;
}

export function renderImageList(images: readonly ImageInfo[], flags: LsFlags & { repository?: string | undefined }): string {
  let rows = imageRows(images);
  if (flags.repository !== undefined) {
    const [repo, tag] = splitTag(flags.repository);
    rows = rows.filter((r) => r.repository === repo && (tag === undefined || r.tag === tag));
  }
  const id = (r: ImageRow): string => (flags.trunc === false ? r.id : shortId(r.id));
  if (flags.quiet) return [...new Set(rows.map(id))].map((i) => `${i}\n`).join('');
  if (flags.format === 'json') {
    return rows
      .map((r) => `${JSON.stringify({ Repository: r.repository, Tag: r.tag, Digest: r.digest, ID: id(r), CreatedAt: r.created ?? '', CreatedSince: humanAge(r.created), Size: humanSize(r.size) })}\n`)
      .join('');
  }
  const header = ['REPOSITORY', 'TAG', ...(flags.digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'];
  return table(
    header,
    rows.map((r) => [r.repository, r.tag, ...(flags.digests ? [r.digest] : []), id(r), humanAge(r.created), humanSize(r.size)]),
  );
}

function splitTag(name: string): [string, string | undefined] {
  const at = name.lastIndexOf(':');
  return at > name.lastIndexOf('/') && at >= 0 ? [name.slice(0, at), name.slice(at + 1)] : [name, undefined];
}
