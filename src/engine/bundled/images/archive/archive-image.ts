/**
 * What the format readers (docker-save.ts, oci-layout.ts) find in an archive, before anything
 * is stored: one entry per image named by the archive, its config and its layers as spooled
 * members, the tags it should get. load-archive.ts stores them.
 */
import type { ImageRef } from '../../../engine';
import type { ParsedImageConfig } from '../store/image-config';
import type { SpooledFile } from './spool-archive';

export interface ArchiveImage {
  /** Where it is described, for messages: `manifest.json image 1 (busybox:latest)`. */
  readonly what: string;
  /** The config digest: the image ID. */
  readonly id: string;
  readonly configBytes: Buffer;
  readonly configMediaType: string;
  readonly parsed: ParsedImageConfig;
  /** The layer blobs (tar, gzip or zstd), bottom first; as many as `parsed.diffIds`. */
  readonly layers: readonly SpooledFile[];
  /** Tags to point at the image (normalized, tag and no digest). */
  readonly tags: readonly ImageRef[];
  /** The image manifest, when the archive has one (OCI layout). */
  readonly manifest?: { readonly digest: string; readonly mediaType: string; readonly bytes: Buffer };
}
