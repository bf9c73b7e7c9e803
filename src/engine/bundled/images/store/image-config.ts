/**
 * Reads an OCI / Docker image config (`application/vnd.oci.image.config.v1+json`,
 * `application/vnd.docker.container.image.v1+json`) into tscompose's types: what the
 * containers ask for, the platform, the creation time, and the layer diff IDs.
 */
import type { ImageConfig, Platform } from '../../../engine';
import { EngineError } from '../../../errors';
import { isDigest } from './digest';

export interface ParsedImageConfig {
  readonly config: ImageConfig;
  readonly platform: Platform;
  readonly created?: string;
  /** rootfs.diff_ids, bottom first. */
  readonly diffIds: readonly string[];
}

type Json = Record<string, unknown>;

/** Keys of the `config` object and how each lands in ImageConfig (DESIGN habit 4). */
const configFields: Readonly<Record<string, (value: unknown) => Partial<Record<keyof ImageConfig, unknown>> | undefined>> = {
  Entrypoint: (v) => (strings(v) ? { entrypoint: v } : undefined),
  Cmd: (v) => (strings(v) ? { cmd: v } : undefined),
  Env: (v) => (strings(v) ? { env: v } : undefined),
  WorkingDir: (v) => (nonEmpty(v) ? { workingDir: v } : undefined),
  User: (v) => (nonEmpty(v) ? { user: v } : undefined),
  ExposedPorts: (v) => (isObject(v) ? { exposedPorts: Object.keys(v) } : undefined),
  Volumes: (v) => (isObject(v) ? { volumes: Object.keys(v) } : undefined),
  StopSignal: (v) => (nonEmpty(v) ? { stopSignal: v } : undefined),
  Labels: (v) => (isObject(v) ? { labels: stringValues(v) } : undefined),
  Healthcheck: (v) => (isObject(v) ? { healthcheck: healthcheck(v) } : undefined),
};

export function parseImageConfig(bytes: Buffer | string): ParsedImageConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString());
  } catch (err) {
    throw new EngineError(`invalid image config: not JSON (${(err as Error).message})`);
  }
  if (!isObject(doc)) throw new EngineError('invalid image config: not a JSON object');
  const rootfs = doc.rootfs;
  if (!isObject(rootfs) || rootfs.type !== 'layers' || !Array.isArray(rootfs.diff_ids)) {
    throw new EngineError('invalid image config: rootfs must be {"type": "layers", "diff_ids": [...]}');
  }
  const diffIds = rootfs.diff_ids as unknown[];
  const bad = diffIds.find((d) => typeof d !== 'string' || !isDigest(d));
  if (bad !== undefined) throw new EngineError(`invalid image config: bad diff ID ${JSON.stringify(bad)}`);

  const config: Partial<Record<keyof ImageConfig, unknown>> = {};
  const section = isObject(doc.config) ? doc.config : {};
  for (const [key, map] of Object.entries(configFields)) {
    if (section[key] === undefined || section[key] === null) continue;
    Object.assign(config, map(section[key]));
  }
  const platform: Platform = {
    os: typeof doc.os === 'string' ? doc.os : 'linux',
    architecture: typeof doc.architecture === 'string' ? doc.architecture : 'amd64',
    ...(nonEmpty(doc.variant) ? { variant: doc.variant } : {}),
  };
  return {
    config: config as ImageConfig,
    platform,
    ...(nonEmpty(doc.created) ? { created: doc.created } : {}),
    diffIds: diffIds as string[],
  };
}

function healthcheck(v: Json): NonNullable<ImageConfig['healthcheck']> {
  const out: Record<string, unknown> = {};
  if (strings(v.Test)) out.test = v.Test;
  const numbers: Readonly<Record<string, string>> = {
    Interval: 'intervalNs',
    Timeout: 'timeoutNs',
    StartPeriod: 'startPeriodNs',
    StartInterval: 'startIntervalNs',
    Retries: 'retries',
  };
  for (const [key, field] of Object.entries(numbers)) {
    if (typeof v[key] === 'number' && Number.isFinite(v[key])) out[field] = v[key];
  }
  return out as NonNullable<ImageConfig['healthcheck']>;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v !== '';
}

function stringValues(v: Json): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}
