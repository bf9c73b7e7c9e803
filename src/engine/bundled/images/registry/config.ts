/**
 * Registry configuration of the bundled engine, from `<root>/engine.json`:
 *
 *   { "registryMirrors": ["https://mirror.example.com"],   // tried in order for docker.io images
 *     "insecureRegistries": ["myregistry:5000", "10.0.0.0/8"], // plain HTTP or unverified TLS
 *     "mirrorOnly": false }                                // never contact docker.io itself
 *
 * `TSCOMPOSE_REGISTRY_MIRROR` (one mirror URL) replaces the file's mirrors;
 * `TSCOMPOSE_REGISTRY_MIRROR_ONLY=1` (or `true`) turns mirror-only on.
 * Mirrors are URLs with a scheme (`http://` for plain HTTP) and no path, as
 * Docker's `registry-mirrors`; insecure registries are `host[:port]` or an
 * IPv4 CIDR, without a scheme, as Docker's `insecure-registries`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError } from '../../../errors';

export interface RegistryConfig {
  readonly mirrors: readonly string[];
  readonly insecure: readonly string[];
  readonly mirrorOnly: boolean;
}

export const ENGINE_CONFIG_FILE = 'engine.json';

/** Reads the configuration; a missing file means no mirrors and no insecure registries. */
export function loadRegistryConfig(root: string, env: Readonly<Record<string, string | undefined>>): RegistryConfig {
  const file = path.join(root, ENGINE_CONFIG_FILE);
  let text: string | undefined;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new InvalidArgumentError(`cannot read ${file}: ${(e as Error).message}`);
    }
  }
  return registryConfigFrom(text === undefined ? {} : parseJson(text, file), file, env);
}

/** The configuration from an already parsed `engine.json` object (`source` names it in errors). */
export function registryConfigFrom(
  json: unknown,
  source: string,
  env: Readonly<Record<string, string | undefined>>,
): RegistryConfig {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new InvalidArgumentError(`${source}: must hold a JSON object`);
  }
  const obj = json as Record<string, unknown>;
  let mirrors = stringList(obj.registryMirrors, `${source}: registryMirrors`).map((m) =>
    normalizeMirror(m, `${source}: registryMirrors`),
  );
  const insecure = stringList(obj.insecureRegistries, `${source}: insecureRegistries`).map((h) =>
    normalizeInsecure(h, `${source}: insecureRegistries`),
  );
  if (obj.mirrorOnly !== undefined && typeof obj.mirrorOnly !== 'boolean') {
    throw new InvalidArgumentError(`${source}: mirrorOnly must be true or false`);
  }
  let mirrorOnly = obj.mirrorOnly === true;

  const envMirror = env.TSCOMPOSE_REGISTRY_MIRROR;
  if (envMirror !== undefined && envMirror.trim() !== '') {
    mirrors = [normalizeMirror(envMirror.trim(), 'TSCOMPOSE_REGISTRY_MIRROR')];
  }
  const envOnly = env.TSCOMPOSE_REGISTRY_MIRROR_ONLY;
  if (envOnly !== undefined && envOnly !== '') {
    if (['1', 'true', 'yes'].includes(envOnly.toLowerCase())) mirrorOnly = true;
    else if (['0', 'false', 'no'].includes(envOnly.toLowerCase())) mirrorOnly = false;
    else throw new InvalidArgumentError(`TSCOMPOSE_REGISTRY_MIRROR_ONLY must be 1 or 0, not ${JSON.stringify(envOnly)}`);
  }
  return { mirrors, insecure, mirrorOnly };
}

/** `https://mirror.example.com/` → `https://mirror.example.com`; rejects paths and other schemes. */
export function normalizeMirror(mirror: string, where: string): string {
  let url: URL;
  try {
    url = new URL(mirror);
  } catch {
    throw new InvalidArgumentError(
      `${where}: ${JSON.stringify(mirror)} is not a URL (write the scheme: http://host:port or https://host)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(`${where}: mirror ${JSON.stringify(mirror)} must use http:// or https://`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || url.username !== '') {
    throw new InvalidArgumentError(
      `${where}: mirror ${JSON.stringify(mirror)} must be just a scheme and host (no path, query or credentials)`,
    );
  }
  return `${url.protocol}//${url.host}`;
}

function normalizeInsecure(entry: string, where: string): string {
  if (entry.includes('://')) {
    throw new InvalidArgumentError(`${where}: ${JSON.stringify(entry)} must be host[:port] or a CIDR, without a scheme`);
  }
  if (entry.includes('/')) {
    if (parseCidr(entry) === undefined) {
      throw new InvalidArgumentError(`${where}: ${JSON.stringify(entry)} is not a valid IPv4 CIDR`);
    }
    return entry;
  }
  if (entry === '' || /[\s@?#]/.test(entry)) {
    throw new InvalidArgumentError(`${where}: ${JSON.stringify(entry)} is not a host[:port]`);
  }
  return entry.toLowerCase();
}

/** `10.0.0.0/8` → [network, mask] as unsigned 32-bit numbers. */
export function parseCidr(cidr: string): [number, number] | undefined {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
  if (m === null) return undefined;
  const ip = ipv4ToNumber(m[1]);
  const bits = Number(m[2]);
  if (ip === undefined || bits > 32) return undefined;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return [(ip & mask) >>> 0, mask];
}

export function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InvalidArgumentError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
}

function stringList(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new InvalidArgumentError(`${where} must be a list of strings`);
  }
  return value as string[];
}
