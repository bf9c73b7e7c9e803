/**
 * Crafts image archives in memory for the archive tests: small synthetic images (layers are
 * real tars, optionally gzipped, so digests and diff IDs are computed exactly as for real
 * images), laid out as a docker save (Docker < 25: `<id>/layer.tar` and `<hex>.json`, with a
 * symbolic link for a layer written before) or as an OCI image layout — each tweakable so that a
 * test can break exactly one thing.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { buildTar, type TarSpec } from '../unpack/tar-builder';

export const sha256 = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;
export const hexOf = (digest: string): string => digest.replace(/^sha256:/, '');

export interface SynthLayer {
  /** The uncompressed tar. */
  readonly tar: Buffer;
  /** What is stored in the archive (the tar, or its gzip). */
  readonly blob: Buffer;
  readonly diffId: string;
  readonly digest: string;
}

export function synthLayer(files: Readonly<Record<string, string>>, options: { gzip?: boolean } = {}): SynthLayer {
  const specs: TarSpec[] = Object.entries(files).map(([name, content]) =>
    name.endsWith('/') ? { name, type: 'dir' } : { name, content, uid: 0, gid: 0 },
  );
  const tar = buildTar(specs.map((s) => ({ uid: 0, gid: 0, ...s })));
  const blob = options.gzip ? gzipSync(tar) : tar;
  return { tar, blob, diffId: sha256(tar), digest: sha256(blob) };
}

export interface SynthImage {
  readonly layers: readonly SynthLayer[];
  readonly configBytes: Buffer;
  readonly id: string;
}

export function synthImage(
  layers: readonly SynthLayer[],
  options: { cmd?: string[]; architecture?: string; os?: string; variant?: string; diffIds?: readonly string[] } = {},
): SynthImage {
  const configBytes = Buffer.from(
    JSON.stringify({
      created: '2024-01-02T03:04:05Z',
      architecture: options.architecture ?? 'amd64',
      ...(options.variant !== undefined ? { variant: options.variant } : {}),
      os: options.os ?? 'linux',
      config: { Cmd: options.cmd ?? ['sh'], Env: ['PATH=/bin'], WorkingDir: '/w', Labels: { made: 'by-test' } },
      rootfs: { type: 'layers', diff_ids: options.diffIds ?? layers.map((l) => l.diffId) },
    }),
  );
  return { layers, configBytes, id: sha256(configBytes) };
}

/** Members of a legacy (Docker < 25) docker save archive; edit them, then `buildTar`. */
export function dockerSaveMembers(images: ReadonlyArray<{ image: SynthImage; tags: string[] | null }>): TarSpec[] {
  const members: TarSpec[] = [];
  const written = new Map<string, string>();
  const manifest: object[] = [];
  images.forEach(({ image, tags }, i) => {
    const layerPaths: string[] = [];
    image.layers.forEach((layer, j) => {
      const dir = hexOf(sha256(`${i}/${j}/${image.id}`));
      const name = `${dir}/layer.tar`;
      members.push({ name: `${dir}/`, type: 'dir', uid: 0, gid: 0 });
      members.push({ name: `${dir}/VERSION`, content: '1.0', uid: 0, gid: 0 });
      const first = written.get(layer.digest);
      if (first !== undefined) members.push({ name, type: 'symlink', linkname: `../${first}`, uid: 0, gid: 0 });
      else {
        members.push({ name, content: layer.blob, uid: 0, gid: 0 });
        written.set(layer.digest, name);
      }
      layerPaths.push(name);
    });
    members.push({ name: `${hexOf(image.id)}.json`, content: image.configBytes, uid: 0, gid: 0 });
    manifest.push({ Config: `${hexOf(image.id)}.json`, RepoTags: tags, Layers: layerPaths });
  });
  members.push({ name: 'manifest.json', content: JSON.stringify(manifest), uid: 0, gid: 0 });
  return members;
}

export function dockerSaveTar(images: ReadonlyArray<{ image: SynthImage; tags: string[] | null }>): Buffer {
  return buildTar(dockerSaveMembers(images));
}

export interface OciEntry {
  readonly image?: SynthImage;
  /** An index of several platform images instead of one image. */
  readonly platforms?: ReadonlyArray<{ image: SynthImage; platform: { os: string; architecture: string; variant?: string } }>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Blobs (name → bytes) and index.json of an OCI image layout; edit them, then `ociLayoutTar`. */
export function ociLayout(entries: readonly OciEntry[]): { blobs: Map<string, Buffer>; index: { schemaVersion: number; manifests: object[] } } {
  const blobs = new Map<string, Buffer>();
  const put = (bytes: Buffer): string => {
    const digest = sha256(bytes);
    blobs.set(`blobs/sha256/${hexOf(digest)}`, bytes);
    return digest;
  };
  const manifestOf = (image: SynthImage): { digest: string; size: number; mediaType: string } => {
    const bytes = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: put(image.configBytes), size: image.configBytes.length },
        layers: image.layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: put(l.blob), size: l.blob.length })),
      }),
    );
    return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: put(bytes), size: bytes.length };
  };
  const manifests = entries.map((entry) => {
    const annotations = entry.annotations ? { annotations: entry.annotations } : {};
    if (entry.image) return { ...manifestOf(entry.image), ...annotations };
    const nested = (entry.platforms ?? []).map((p) => ({ ...manifestOf(p.image), platform: p.platform }));
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: nested }));
    return { mediaType: 'application/vnd.oci.image.index.v1+json', digest: put(bytes), size: bytes.length, ...annotations };
  });
  return { blobs, index: { schemaVersion: 2, manifests } };
}

export function ociLayoutMembers(layout: ReturnType<typeof ociLayout>, options: { withLayoutFile?: boolean } = {}): TarSpec[] {
  const members: TarSpec[] = [
    { name: './', type: 'dir', uid: 0, gid: 0 },
    ...(options.withLayoutFile === false ? [] : [{ name: './oci-layout', content: '{"imageLayoutVersion":"1.0.0"}', uid: 0, gid: 0 }]),
    { name: './index.json', content: JSON.stringify(layout.index), uid: 0, gid: 0 },
    { name: './blobs/', type: 'dir', uid: 0, gid: 0 },
    { name: './blobs/sha256/', type: 'dir', uid: 0, gid: 0 },
  ];
  for (const [name, bytes] of layout.blobs) members.push({ name: `./${name}`, content: bytes, uid: 0, gid: 0 });
  return members;
}

export function ociLayoutTar(entries: readonly OciEntry[]): Buffer {
  return buildTar(ociLayoutMembers(ociLayout(entries)));
}
