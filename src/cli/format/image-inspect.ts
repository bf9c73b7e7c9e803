/**
 * ImageInfo in the shape `docker image inspect` prints, so scripts written for Docker
 * (`jq '.[0].Config.Env'`) keep working. Fields Docker has and tscompose does not know
 * (Parent, Comment, DockerVersion, GraphDriver …) are left out rather than invented.
 */
import type { ImageInfo } from '../../engine/engine';
import { dockerHealthcheck } from './docker-healthcheck';

export interface DockerImageInspect {
  readonly Id: string;
  readonly RepoTags: readonly string[];
  readonly RepoDigests: readonly string[];
  readonly Created: string;
  readonly Config: Record<string, unknown>;
  readonly Architecture: string;
  readonly Variant?: string;
  readonly Os: string;
  readonly Size: number;
  readonly RootFS: { readonly Type: 'layers'; readonly Layers: readonly string[] };
}

export function dockerImageInspect(image: ImageInfo): DockerImageInspect {
  const c = image.config;
  const set = (list: readonly string[] | undefined): Record<string, object> | null =>
    list === undefined || list.length === 0 ? null : Object.fromEntries(list.map((k) => [k, {}]));
  const config: Record<string, unknown> = {
    User: c.user ?? '',
    ExposedPorts: set(c.exposedPorts),
    Env: c.env ?? null,
    Cmd: c.cmd ?? null,
    Volumes: set(c.volumes),
    WorkingDir: c.workingDir ?? '',
    Entrypoint: c.entrypoint ?? null,
    Labels: c.labels ?? null,
  };
  if (c.stopSignal !== undefined) config.StopSignal = c.stopSignal;
  if (c.healthcheck !== undefined) config.Healthcheck = dockerHealthcheck(c.healthcheck);
  return {
    Id: image.id,
    RepoTags: image.repoTags,
    RepoDigests: image.repoDigests,
    Created: image.created ?? '',
    Config: config,
    Architecture: image.platform.architecture,
    ...(image.platform.variant !== undefined ? { Variant: image.platform.variant } : {}),
    Os: image.platform.os,
    Size: image.size,
    RootFS: { Type: 'layers', Layers: image.layers },
  };
}
