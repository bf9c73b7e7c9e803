/**
 * Where to fetch an image from, in order:
 *
 * - `docker.io` images: each configured mirror, addressed with the same
 *   repository path (`/v2/library/mysql/…`), then `registry-1.docker.io`
 *   unless mirror-only.
 * - Any other registry: itself, over HTTPS. When it is insecure — listed in
 *   `insecureRegistries` (`host:port` exactly, or an IPv4 CIDR holding the
 *   host's address literal) or a loopback host (`localhost`, 127.0.0.0/8,
 *   `::1`), as Docker treats them — HTTPS without certificate checks first,
 *   then plain HTTP.
 *
 * A mirror given as `http://…` is spoken to in plain HTTP; an `https://`
 * mirror whose host is insecure is spoken to without certificate checks.
 */
import type { ImageRef } from '../../../engine';
import { DEFAULT_DOMAIN } from '../../../image-reference';
import { ipv4ToNumber, parseCidr, type RegistryConfig } from './config';
import { RegistryError } from './errors';

export const DOCKER_HUB_REGISTRY = 'registry-1.docker.io';

export interface Endpoint {
  /** `http://127.0.0.1:5000`, `https://registry-1.docker.io` (no trailing slash). */
  readonly base: string;
  /** `host[:port]` as addressed: the token cache key and the name in messages. */
  readonly host: string;
  /** The host whose stored credentials apply (`docker.io` for Docker Hub itself, the mirror's host for a mirror). */
  readonly credentialHost: string;
  readonly verifyTls: boolean;
  readonly mirror: boolean;
  /** `registry ghcr.io`, `mirror http://127.0.0.1:5000`, `registry 127.0.0.1:5000 (plain HTTP)`. */
  readonly label: string;
}

export function endpointsFor(ref: ImageRef, config: RegistryConfig): Endpoint[] {
  if (ref.domain === DEFAULT_DOMAIN) {
    const out: Endpoint[] = config.mirrors.map((m) => mirrorEndpoint(m, config));
    if (!config.mirrorOnly) {
      out.push({
        base: `https://${DOCKER_HUB_REGISTRY}`,
        host: DOCKER_HUB_REGISTRY,
        credentialHost: DEFAULT_DOMAIN,
        verifyTls: true,
        mirror: false,
        label: `registry ${DEFAULT_DOMAIN}`,
      });
    }
    if (out.length === 0) {
      throw new RegistryError(
        `cannot pull ${ref.canonical}: mirror-only mode is on and no registry mirror is configured ` +
          `(set TSCOMPOSE_REGISTRY_MIRROR or registryMirrors in engine.json)`,
        'config',
        `registry ${DEFAULT_DOMAIN}`,
      );
    }
    return out;
  }
  const host = ref.domain;
  if (!isInsecureHost(host, config)) {
    return [{ base: `https://${host}`, host, credentialHost: host, verifyTls: true, mirror: false, label: `registry ${host}` }];
  }
  return [
    { base: `https://${host}`, host, credentialHost: host, verifyTls: false, mirror: false, label: `registry ${host}` },
    { base: `http://${host}`, host, credentialHost: host, verifyTls: false, mirror: false, label: `registry ${host}` },
  ];
}

function mirrorEndpoint(mirror: string, config: RegistryConfig): Endpoint {
  const url = new URL(mirror);
  return {
    base: `${url.protocol}//${url.host}`,
    host: url.host,
    credentialHost: url.host,
    verifyTls: url.protocol === 'https:' ? !isInsecureHost(url.host, config) : false,
    mirror: true,
    label: `mirror ${url.protocol}//${url.host}`,
  };
}

/** Whether `host[:port]` may be spoken to without TLS verification. */
export function isInsecureHost(host: string, config: RegistryConfig): boolean {
  const lower = host.toLowerCase();
  const name = hostName(lower);
  if (name === 'localhost' || name === '::1' || name === '[::1]') return true;
  const ip = ipv4ToNumber(name);
  if (ip !== undefined && ip >>> 24 === 127) return true;
  for (const entry of config.insecure) {
    if (entry === lower) return true;
    const cidr = parseCidr(entry);
    if (cidr !== undefined && ip !== undefined && ((ip & cidr[1]) >>> 0) === cidr[0]) return true;
  }
  return false;
}

/** `127.0.0.1:5000` → `127.0.0.1`; `[::1]:5000` → `[::1]`. */
function hostName(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end < 0 ? host : host.slice(0, end + 1);
  }
  const colon = host.lastIndexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}
