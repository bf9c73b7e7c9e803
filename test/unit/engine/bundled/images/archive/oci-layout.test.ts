import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ociIndex, ociManifest, readOciLayout, tagsOf } from '../../../../../../src/engine/bundled/images/archive/oci-layout';
import { spoolArchive, type SpooledArchive } from '../../../../../../src/engine/bundled/images/archive/spool-archive';
import { parseReference } from '../../../../../../src/engine/image-reference';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';
import { buildTar, chunked, type TarSpec } from '../unpack/tar-builder';
import { hexOf, ociLayout, ociLayoutMembers, sha256, synthImage, synthLayer, type OciEntry } from './archive-builder';

let base: string;
let count = 0;
beforeEach(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'tscompose-ocil-'));
});
afterEach(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

async function spool(members: TarSpec[]): Promise<SpooledArchive> {
  return spoolArchive(chunked(buildTar(members)), path.join(base, `spool-${count++}`));
}

const amd64 = { os: 'linux', architecture: 'amd64' };
const arm64 = { os: 'linux', architecture: 'arm64', variant: 'v8' };
const layerA = synthLayer({ 'bin/': '', 'bin/sh': 'amd64 shell' }, { gzip: true });
const layerB = synthLayer({ 'bin/': '', 'bin/sh': 'arm64 shell' }, { gzip: true });
const imageA = synthImage([layerA]);
const imageB = synthImage([layerB], { architecture: 'arm64', variant: 'v8' });
const entries: OciEntry[] = [
  { platforms: [{ image: imageB, platform: arm64 }, { image: imageA, platform: amd64 }], annotations: { 'org.opencontainers.image.ref.name': 'busybox-latest' } },
  { image: imageA, annotations: { 'io.containerd.image.name': 'docker.io/library/busybox:1.36', 'org.opencontainers.image.ref.name': '1.36' } },
  { image: imageB },
];

describe('readOciLayout', () => {
  it('reads images, picking the platform of an index, with tags from annotations', async () => {
    const images = await readOciLayout(await spool(ociLayoutMembers(ociLayout(entries))), amd64);
    expect(images.map((i) => [i.what, i.id, i.tags.map((t) => t.canonical)])).toEqual([
      ['index.json manifests[0] (busybox-latest)', imageA.id, ['docker.io/library/busybox-latest:latest']],
      ['index.json manifests[1] (docker.io/library/busybox:1.36)', imageA.id, ['docker.io/library/busybox:1.36']],
      ['index.json manifests[2]', imageB.id, []],
    ]);
    const [first] = images;
    expect(first!.layers.map((l) => l.digest)).toEqual([layerA.digest]);
    expect(first!.configMediaType).toBe('application/vnd.oci.image.config.v1+json');
    expect(first!.manifest?.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(first!.manifest?.digest).toBe(sha256(first!.manifest!.bytes));
    // on arm64 the index gives the other image
    const onArm = await readOciLayout(await spool(ociLayoutMembers(ociLayout(entries))), arm64);
    expect(onArm[0]!.id).toBe(imageB.id);
  });

  it('skips entries that are not images', async () => {
    const layout = ociLayout([{ image: imageA }]);
    layout.index.manifests.push({ mediaType: 'application/vnd.in-toto+json', digest: sha256('x'), size: 1 });
    expect(await readOciLayout(await spool(ociLayoutMembers(layout)), amd64)).toHaveLength(1);
  });

  type Layout = ReturnType<typeof ociLayout>;
  const broken: Array<[string, (l: Layout) => TarSpec[], RegExp]> = [
    ['no oci-layout file', (l) => ociLayoutMembers(l, { withLayoutFile: false }), /^invalid image archive: it has index.json but no oci-layout file/],
    [
      'an unknown layout version',
      (l) => ociLayoutMembers(l).map((m) => (m.name === './oci-layout' ? { ...m, content: '{"imageLayoutVersion":"2.0.0"}' } : m)),
      /image archive member "oci-layout": unsupported imageLayoutVersion "2.0.0"/,
    ],
    ['index.json that is not an index', (l) => withIndex(l, { schemaVersion: 2, config: {}, layers: [] }), /image archive member "index.json": /],
    ['a missing blob', (l) => ociLayoutMembers(l).filter((m) => !m.name.endsWith(hexOf(layerA.digest))), /image archive member "blobs\/sha256\/[0-9a-f]{64}": index.json manifests\[0\] \(x:1\): layer 1 sha256:[0-9a-f]{64} is not in the archive/],
    [
      'a wrong size',
      (l) => withIndex(l, { ...l.index, manifests: [{ ...(l.index.manifests[0] as object), size: 3 }] }),
      /image archive member "blobs\/sha256\/[0-9a-f]{64}": size mismatch: index.json manifests\[0\] \(x:1\): the manifest should be 3 bytes/,
    ],
    [
      'a sha512 digest',
      (l) => withIndex(l, { ...l.index, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha512:${'a'.repeat(128)}`, size: 3 }] }),
      /only sha256 blobs are supported/,
    ],
    [
      'no image for the platform',
      () => ociLayoutMembers(ociLayout([{ platforms: [{ image: imageB, platform: arm64 }] }])),
      /index.json manifests\[0\]: no image for linux\/amd64 in the index \(it has linux\/arm64\/v8\)/,
    ],
    ['nothing to load', (l) => withIndex(l, { schemaVersion: 2, manifests: [] }), /image archive member "index.json": it lists no image manifests/],
  ];
  it.each(broken)('refuses %s', async (_what, make, message) => {
    const read = readOciLayout(await spool(make(ociLayout([{ image: imageA, annotations: { 'org.opencontainers.image.ref.name': 'x:1' } }]))), amd64);
    await expect(read).rejects.toThrow(message);
    await expect(read).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('takes tags from io.containerd.image.name first, then ref.name; ignores bad names and digests', () => {
    const desc = (annotations: Record<string, string>) => ({ mediaType: 'x', digest: sha256('x'), size: 1, annotations });
    expect(tagsOf(desc({ 'io.containerd.image.name': 'ghcr.io/o/a:v2', 'org.opencontainers.image.ref.name': 'v2' }))[0]?.canonical).toBe('ghcr.io/o/a:v2');
    expect(tagsOf(desc({ 'org.opencontainers.image.ref.name': 'mysql:5.7' }))[0]?.canonical).toBe('docker.io/library/mysql:5.7');
    expect(tagsOf(desc({ 'org.opencontainers.image.ref.name': 'Not A Name' }))).toEqual([]);
    expect(tagsOf(desc({ 'org.opencontainers.image.ref.name': `a@sha256:${'b'.repeat(64)}` }))).toEqual([]);
    expect(tagsOf({ mediaType: 'x', digest: sha256('x'), size: 1 })).toEqual([]);
  });
});

describe('OCI layout writers', () => {
  it('writes a manifest of uncompressed layers and an index entry per tag', () => {
    const manifest = JSON.parse(ociManifest({ digest: 'sha256:c', size: 10 }, [{ digest: 'sha256:l', size: 1024 }]).toString());
    expect(manifest).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: 'sha256:c', size: 10 },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: 'sha256:l', size: 1024 }],
    });
    const index = JSON.parse(
      ociIndex([
        { manifest: { digest: 'sha256:m1', size: 5 }, tags: [parseReference('busybox:1'), parseReference('busybox')] },
        { manifest: { digest: 'sha256:m2', size: 6 }, tags: [] },
      ]).toString(),
    );
    const m = 'application/vnd.oci.image.manifest.v1+json';
    expect(index).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: m, digest: 'sha256:m1', size: 5, annotations: { 'io.containerd.image.name': 'docker.io/library/busybox:1', 'org.opencontainers.image.ref.name': '1' } },
        { mediaType: m, digest: 'sha256:m1', size: 5, annotations: { 'io.containerd.image.name': 'docker.io/library/busybox:latest', 'org.opencontainers.image.ref.name': 'latest' } },
        { mediaType: m, digest: 'sha256:m2', size: 6 },
      ],
    });
  });
});

function withIndex(layout: ReturnType<typeof ociLayout>, index: object): TarSpec[] {
  return ociLayoutMembers(layout).map((m) => (m.name === './index.json' ? { ...m, content: JSON.stringify(index) } : m));
}
