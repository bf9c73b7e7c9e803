import type { ImageInfo } from '../../../../../src/engine/engine';
import { imageRows, renderImageList } from '../../../../../src/cli/commands/image/ls';

const image = (over: Partial<ImageInfo>): ImageInfo => ({
  id: `sha256:${'1'.repeat(64)}`,
  repoTags: [],
  repoDigests: [],
  platform: { os: 'linux', architecture: 'amd64' },
  size: 1_090_000,
  layers: [],
  config: {},
  ...over,
});

const wordpress = image({
  id: `sha256:764d5e35cace${'0'.repeat(52)}`,
  repoTags: ['wordpress:php7.4', 'localhost:5000/team/wp:1'],
  repoDigests: [`wordpress@sha256:${'c'.repeat(64)}`],
  created: new Date(Date.now() - 2 * 3600_000).toISOString(),
  size: 125_000_000,
});
const dangling = image({ repoDigests: [`busybox@sha256:${'e'.repeat(64)}`] });

describe('image ls', () => {
  it('one row per tag; an untagged image shows <none> for the tag and its repository from its digest', () => {
    const rows = imageRows([wordpress, dangling]);
    expect(rows.map((r) => [r.repository, r.tag, r.digest])).toEqual([
      ['wordpress', 'php7.4', `sha256:${'c'.repeat(64)}`],
      ['localhost:5000/team/wp', '1', '<none>'],
      ['busybox', '<none>', `sha256:${'e'.repeat(64)}`],
    ]);
  });

  it('prints Docker’s table', () => {
    expect(renderImageList([wordpress], {}).split('\n')).toEqual([
      'REPOSITORY               TAG      IMAGE ID       CREATED       SIZE',
      'wordpress                php7.4   764d5e35cace   2 hours ago   125MB',
      'localhost:5000/team/wp   1        764d5e35cace   2 hours ago   125MB',
      '',
    ]);
  });

  it('-q prints each ID once; a repository argument filters, with or without a tag', () => {
    expect(renderImageList([wordpress, dangling], { quiet: true })).toBe('764d5e35cace\n111111111111\n');
    expect(renderImageList([wordpress, dangling], { quiet: true, repository: 'busybox' })).toBe('111111111111\n');
    expect(renderImageList([wordpress], { quiet: true, repository: 'wordpress:latest' })).toBe('');
    expect(renderImageList([wordpress], { quiet: true, repository: 'localhost:5000/team/wp:1', trunc: false })).toBe(`${wordpress.id}\n`);
  });

  it('--format json prints one object per row with Docker’s keys', () => {
    const [first] = renderImageList([wordpress], { format: 'json' }).trimEnd().split('\n');
    expect(JSON.parse(first ?? '')).toMatchObject({ Repository: 'wordpress', Tag: 'php7.4', ID: '764d5e35cace', Size: '125MB', CreatedSince: '2 hours ago' });
  });
});
