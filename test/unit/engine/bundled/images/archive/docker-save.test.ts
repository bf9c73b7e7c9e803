import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dockerRepositories, dockerSaveManifest, readDockerSave } from '../../../../../../src/engine/bundled/images/archive/docker-save';
import { spoolArchive, type SpooledArchive } from '../../../../../../src/engine/bundled/images/archive/spool-archive';
import { parseReference } from '../../../../../../src/engine/image-reference';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';
import { buildTar, chunked, type TarSpec } from '../unpack/tar-builder';
import { dockerSaveMembers, synthImage, synthLayer } from './archive-builder';

let base: string;
const opened: SpooledArchive[] = [];
beforeEach(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'tscompose-dsave-'));
});
afterEach(async () => {
  opened.length = 0;
  await fs.rm(base, { recursive: true, force: true });
});

async function spool(members: TarSpec[]): Promise<SpooledArchive> {
  const archive = await spoolArchive(chunked(buildTar(members)), path.join(base, `spool-${opened.length}`));
  opened.push(archive);
  return archive;
}

const bottom = synthLayer({ 'etc/': '', 'etc/os-release': 'ID=test\n' });
const top = synthLayer({ 'app/': '', 'app/run': '#!/bin/sh\n' }, { gzip: true });
const base1 = synthImage([bottom]);
const app = synthImage([bottom, top], { cmd: ['/app/run'] });

describe('readDockerSave', () => {
  it('reads each image: config, layers (links followed), tags', async () => {
    const archive = await spool(dockerSaveMembers([
      { image: base1, tags: ['base:1', 'docker.io/library/base:latest'] },
      { image: app, tags: null },
    ]));
    const images = await readDockerSave(archive);
    expect(images).toHaveLength(2);
    const [b, a] = images;
    expect(b).toMatchObject({
      what: 'manifest.json image 1 (base:1)',
      id: base1.id,
      configMediaType: 'application/vnd.docker.container.image.v1+json',
      parsed: { diffIds: [bottom.diffId], config: { cmd: ['sh'], workingDir: '/w' }, platform: { os: 'linux', architecture: 'amd64' } },
    });
    expect(b!.configBytes.equals(base1.configBytes)).toBe(true);
    expect(b!.tags.map((t) => t.canonical)).toEqual(['docker.io/library/base:1', 'docker.io/library/base:latest']);
    expect(b!.layers.map((l) => l.digest)).toEqual([bottom.digest]);
    expect(a).toMatchObject({ what: 'manifest.json image 2', id: app.id, tags: [] });
    // the second image's bottom layer is a symbolic link to the first image's
    expect(a!.layers.map((l) => l.digest)).toEqual([bottom.digest, top.digest]);
    expect(a!.layers[0]!.name).toBe(b!.layers[0]!.name);
  });

  const broken: Array<[string, (m: TarSpec[]) => TarSpec[], RegExp]> = [
    ['manifest.json is not a list', (m) => replaceManifest(m, '{}'), /image archive member "manifest.json": not a docker save manifest/],
    ['manifest.json lists nothing', (m) => replaceManifest(m, '[]'), /"manifest.json": it lists no images/],
    ['an entry without Config', (m) => editManifest(m, (e) => ({ ...e, Config: undefined })), /"manifest.json": image 1 has no "Config" path/],
    ['Layers not a list', (m) => editManifest(m, (e) => ({ ...e, Layers: 'x' })), /image 1 has no "Layers" list/],
    ['a Config outside the archive', (m) => editManifest(m, (e) => ({ ...e, Config: '../../etc/passwd' })), /"manifest.json": image 1 Config "\.\.\/\.\.\/etc\/passwd" contains "\.\."/],
    ['an absolute layer path', (m) => editManifest(m, (e) => ({ ...e, Layers: ['/etc/shadow'] })), /"manifest.json": image 1 Layers\[0\] "\/etc\/shadow" is absolute/],
    ['a missing layer', (m) => editManifest(m, (e) => ({ ...e, Layers: ['nope/layer.tar'] })), /"manifest.json": image 1 Layers\[0\] names "nope\/layer.tar", which is not a file in the archive/],
    ['a layer count that differs from the config', (m) => editManifest(m, (e) => ({ ...e, Layers: [] })), /"manifest.json": image 1 lists 0 layers but its config [0-9a-f]{64}\.json has 1 diff IDs/],
    ['a bad tag', (m) => editManifest(m, (e) => ({ ...e, RepoTags: ['UPPER:case'] })), /"manifest.json": image 1 RepoTags: invalid image reference "UPPER:case"/],
    ['a digest as tag', (m) => editManifest(m, (e) => ({ ...e, RepoTags: [`base@sha256:${'a'.repeat(64)}`] })), /is not a tag/],
    ['a config that is not an image config', (m) => m.map((s) => (s.name.endsWith('.json') && s.name !== 'manifest.json' ? { ...s, content: '{"rootfs":{}}' } : s)), /image archive member "[0-9a-f]{64}\.json": invalid image config: rootfs must be/],
  ];
  it.each(broken)('refuses %s, naming the member', async (_what, edit, message) => {
    const archive = await spool(edit(dockerSaveMembers([{ image: base1, tags: ['base:1'] }])));
    const read = readDockerSave(archive);
    await expect(read).rejects.toThrow(message);
    await expect(read).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('docker save metadata writers', () => {
  it('writes manifest.json as Docker does (familiar tags, null when untagged)', () => {
    const json = JSON.parse(
      dockerSaveManifest([
        { config: 'blobs/sha256/c1', tags: [parseReference('busybox'), parseReference('localhost:5000/x/y:2')], layers: ['blobs/sha256/l1'] },
        { config: 'blobs/sha256/c2', tags: [], layers: [] },
      ]).toString(),
    );
    expect(json).toEqual([
      { Config: 'blobs/sha256/c1', RepoTags: ['busybox:latest', 'localhost:5000/x/y:2'], Layers: ['blobs/sha256/l1'] },
      { Config: 'blobs/sha256/c2', RepoTags: null, Layers: [] },
    ]);
  });

  it('writes repositories by familiar repository and tag', () => {
    const json = JSON.parse(
      dockerRepositories([
        { tags: [parseReference('busybox:1'), parseReference('busybox:2')], top: 'aa' },
        { tags: [parseReference('ghcr.io/o/app:v1')], top: 'bb' },
        { tags: [], top: 'cc' },
      ]).toString(),
    );
    expect(json).toEqual({ busybox: { '1': 'aa', '2': 'aa' }, 'ghcr.io/o/app': { v1: 'bb' } });
  });
});

function replaceManifest(members: TarSpec[], content: string): TarSpec[] {
  return members.map((m) => (m.name === 'manifest.json' ? { ...m, content } : m));
}

function editManifest(members: TarSpec[], edit: (entry: Record<string, unknown>) => Record<string, unknown>): TarSpec[] {
  return members.map((m) => {
    if (m.name !== 'manifest.json') return m;
    const list = JSON.parse(String(m.content)) as Array<Record<string, unknown>>;
    return { ...m, content: JSON.stringify(list.map(edit)) };
  });
}
