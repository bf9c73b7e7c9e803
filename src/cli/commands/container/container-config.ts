/**
 * What a container runs and with which settings, by Docker's rules for merging its spec with
 * its image's config (as `docker inspect` shows them under Path, Args and Config):
 * an entrypoint given replaces the image's and drops the image's Cmd unless a command is given
 * too (`['']` clears it); env is the image's with the container's on top (a bare `KEY` removes
 * it); labels are the image's with the container's on top.
 */
import type { ContainerInfo, ContainerSpec } from '../../../engine/containers';
import type { ImageConfig, ImageStore } from '../../../engine/engine';

export interface EffectiveConfig {
  readonly entrypoint: readonly string[] | null;
  readonly cmd: readonly string[] | null;
  readonly env: readonly string[];
  readonly workingDir: string;
  readonly user: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The process: the first of entrypoint + cmd, and the rest. */
  readonly path: string;
  readonly args: readonly string[];
}

export function effectiveConfig(spec: ContainerSpec, image: ImageConfig = {}): EffectiveConfig {
  const given = spec.entrypoint !== undefined && spec.entrypoint.length === 1 && spec.entrypoint[0] === '' ? [] : spec.entrypoint;
  const entrypoint = given ?? image.entrypoint ?? [];
  const cmd = spec.command ?? (spec.entrypoint !== undefined ? [] : image.cmd ?? []);
  const [path = '', ...args] = [...entrypoint, ...cmd];
  return {
    entrypoint: entrypoint.length > 0 ? entrypoint : null,
    cmd: cmd.length > 0 ? cmd : null,
    env: mergeEnv(image.env ?? [], spec.env ?? []),
    workingDir: spec.workingDir ?? image.workingDir ?? '',
    user: spec.user ?? image.user ?? '',
    labels: { ...(image.labels ?? {}), ...(spec.labels ?? {}) },
    path,
    args,
  };
}

function mergeEnv(base: readonly string[], over: readonly string[]): string[] {
  const out = new Map<string, string | undefined>();
  const key = (e: string): string => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e);
  for (const e of base) out.set(key(e), e);
  for (const e of over) {
    if (e.includes('=')) out.set(key(e), e);
    else out.delete(e);
  }
  return [...out.values()].filter((e): e is string => e !== undefined);
}

/** The config of each container's image, by image ID (undefined when the image is gone). */
export async function imageConfigs(images: Pick<ImageStore, 'inspectImage'>, containers: readonly ContainerInfo[]): Promise<Map<string, ImageConfig | undefined>> {
  const out = new Map<string, ImageConfig | undefined>();
  for (const c of containers) {
    if (out.has(c.imageId)) continue;
    out.set(c.imageId, await images.inspectImage(c.imageId).then((i) => i.config, () => undefined));
  }
  return out;
}
