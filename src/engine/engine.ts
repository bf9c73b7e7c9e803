/**
 * The Engine interface: what the compose layer asks of a container engine,
 * in tscompose's own types only (DESIGN habit 2). Small interfaces, composed;
 * every adapter — bundled, docker, the in-memory fake — implements them.
 *
 * This file grows with the engine issues; today it holds the image part.
 */

/** A normalized image reference: `docker.io/library/mysql:5.7`, `ghcr.io/org/app@sha256:…`. */
export interface ImageRef {
  /** Registry host, with port when it has one (`docker.io`, `localhost:5000`). */
  readonly domain: string;
  /** Repository path inside the registry (`library/mysql`, `team/app`). */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
  /** The full normalized form, as Docker prints it (`docker.io/library/mysql:5.7`). */
  readonly canonical: string;
  /** The short form Docker shows in lists (`mysql:5.7`). */
  readonly familiar: string;
}

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** What an image asks of the containers made from it (the OCI image config). */
export interface ImageConfig {
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly env?: readonly string[];
  readonly workingDir?: string;
  readonly user?: string;
  readonly exposedPorts?: readonly string[];
  readonly volumes?: readonly string[];
  readonly stopSignal?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly healthcheck?: {
    readonly test?: readonly string[];
    readonly intervalNs?: number;
    readonly timeoutNs?: number;
    readonly startPeriodNs?: number;
    readonly startIntervalNs?: number;
    readonly retries?: number;
  };
}

export interface ImageInfo {
  /** The config digest (`sha256:…`), Docker's image ID. */
  readonly id: string;
  readonly repoTags: readonly string[];
  /** `mysql@sha256:<manifest digest>` per repository pulled from (familiar form, as Docker shows it). */
  readonly repoDigests: readonly string[];
  readonly platform: Platform;
  readonly created?: string;
  /** Sum of the compressed layer sizes. */
  readonly size: number;
  /** Layer diff IDs, bottom first. */
  readonly layers: readonly string[];
  readonly config: ImageConfig;
}

/** Progress of a pull, for the CLI to draw (one event per change). */
export type PullEvent =
  | { readonly kind: 'resolving'; readonly ref: string }
  | { readonly kind: 'resolved'; readonly ref: string; readonly digest: string; readonly layers: number }
  | { readonly kind: 'layer'; readonly digest: string; readonly status: 'waiting' | 'exists' | 'downloading' | 'verifying' | 'extracting' | 'done'; readonly current: number; readonly total: number }
  | { readonly kind: 'done'; readonly ref: string; readonly id: string };

export interface PullOptions {
  readonly platform?: Platform;
  readonly onEvent?: (e: PullEvent) => void;
  readonly signal?: AbortSignal;
}

/** What `removeImage` did, as Docker's `rmi` reports it. */
export interface RemovedImage {
  /** Familiar names of the references removed (`wordpress:php7.4`). */
  readonly untagged: readonly string[];
  /** The image ID, then the layers (chain IDs) removed with it; empty when the image stays. */
  readonly deleted: readonly string[];
}

export interface ImageStore {
  pullImage(ref: string, options?: PullOptions): Promise<ImageInfo>;
  inspectImage(ref: string): Promise<ImageInfo>;
  listImages(): Promise<ImageInfo[]>;
  /** Untags `ref`; removes the image (and layers no other image uses) when no tag is left. */
  removeImage(ref: string, options?: { readonly force?: boolean }): Promise<RemovedImage>;
  /** Loads a `docker save` or OCI image layout tar; returns the images it held. */
  loadImages(tar: NodeJS.ReadableStream): Promise<ImageInfo[]>;
  /** Writes a `docker save` tar of the images. */
  saveImages(refs: readonly string[], out: NodeJS.WritableStream): Promise<void>;
}
