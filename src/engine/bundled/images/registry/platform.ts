/**
 * Platforms as containerd names and matches them (containerd/platforms):
 * architectures normalized (x86_64 → amd64, aarch64 → arm64, armhf → arm/v7 …),
 * variants given their defaults (arm64 → v8, arm → v7; amd64's v1 is no variant),
 * and a host accepting, after its own platform, the older variants it can run
 * (arm/v7 also runs v6 and v5 images; amd64/v3 also runs v2 and plain amd64;
 * arm64 also runs arm/v7 …).
 */
import * as os from 'node:os';
import type { Platform } from '../../../engine';
import { InvalidArgumentError } from '../../../errors';

/** The platform of this machine (Node's `process.platform`/`process.arch`, overridable for tests). */
export function hostPlatform(
  nodeArch: string = process.arch,
  nodePlatform: string = process.platform,
  endianness: 'BE' | 'LE' = os.endianness(),
): Platform {
  const osName = nodePlatform === 'win32' ? 'windows' : nodePlatform;
  switch (nodeArch) {
    case 'x64':
      return { os: osName, architecture: 'amd64' };
    case 'arm64':
      return { os: osName, architecture: 'arm64', variant: 'v8' };
    case 'arm': {
      const vars = (process.config.variables as unknown as Record<string, unknown>) ?? {};
      const v = Number(vars.arm_version);
      return { os: osName, architecture: 'arm', variant: Number.isInteger(v) && v >= 5 && v <= 8 ? `v${v}` : 'v7' };
    }
    case 'ia32':
      return { os: osName, architecture: '386' };
    case 'ppc64':
      return { os: osName, architecture: endianness === 'LE' ? 'ppc64le' : 'ppc64' };
    default:
      return normalizePlatform({ os: osName, architecture: nodeArch });
  }
}

/** containerd's Normalize: architecture aliases and default variants. */
export function normalizePlatform(p: Platform): Platform {
  const osName = normalizeOs(p.os);
  let architecture = p.architecture.toLowerCase();
  let variant = p.variant?.toLowerCase();
  switch (architecture) {
    case 'i386':
    case 'i486':
    case 'i586':
    case 'i686':
      architecture = '386';
      variant = undefined;
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      architecture = 'amd64';
      if (variant === 'v1') variant = undefined;
      break;
    case 'aarch64':
    case 'arm64':
      architecture = 'arm64';
      if (variant === undefined || variant === '8' || variant === 'v8' || variant === 'v8.0') variant = 'v8';
      break;
    case 'armhf':
      architecture = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      architecture = 'arm';
      variant = 'v6';
      break;
    case 'arm':
      if (variant === undefined || variant === '7' || variant === 'v7') variant = 'v7';
      else if (variant === '5' || variant === '6' || variant === '8') variant = `v${variant}`;
      break;
    default:
      break;
  }
  return { os: osName, architecture, ...(variant !== undefined && variant !== '' ? { variant } : {}) };
}

/** `linux/arm64/v8`, `linux/amd64`, `arm64` (os defaults to linux). */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().split('/');
  const bad = (why: string): never => {
    throw new InvalidArgumentError(`invalid platform ${JSON.stringify(text)}: ${why} (expected os/arch[/variant], e.g. linux/amd64)`);
  };
  if (parts.some((p) => p === '')) bad('empty part');
  if (parts.length > 3) bad('too many parts');
  if (parts.length === 1) return normalizePlatform({ os: 'linux', architecture: parts[0] });
  return normalizePlatform({ os: parts[0], architecture: parts[1], ...(parts[2] !== undefined ? { variant: parts[2] } : {}) });
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant !== undefined ? `/${p.variant}` : ''}`;
}

/**
 * The platforms `want` can run, best first: itself, then older variants of its
 * architecture, then 32-bit siblings (amd64 → 386 is not included: Docker does
 * not pick it either).
 */
export function compatiblePlatforms(want: Platform): Platform[] {
  const p = normalizePlatform(want);
  const out: Platform[] = [p];
  const add = (architecture: string, variant?: string): void => {
    out.push({ os: p.os, architecture, ...(variant !== undefined ? { variant } : {}) });
  };
  if (p.architecture === 'arm') {
    const n = Number(p.variant?.slice(1) ?? 7);
    for (let v = n - 1; v >= 5; v--) add('arm', `v${v}`);
  } else if (p.architecture === 'arm64') {
    for (const v of ['v7', 'v6', 'v5']) add('arm', v);
  } else if (p.architecture === 'amd64' && p.variant !== undefined) {
    const n = Number(p.variant.slice(1));
    for (let v = n - 1; v >= 2; v--) add('amd64', `v${v}`);
    add('amd64');
  }
  return out;
}

/** Whether two platforms are the same after normalization (os, architecture, variant). */
export function samePlatform(a: Platform, b: Platform): boolean {
  const x = normalizePlatform(a);
  const y = normalizePlatform(b);
  return x.os === y.os && x.architecture === y.architecture && x.variant === y.variant;
}

/**
 * The index entry to use for `want`: the first entry matching the best
 * compatible platform (an exact match wins over an older variant; among equal
 * entries the first in the index wins, as containerd does). Entries without a
 * platform, or for `unknown/unknown` (attestations), never match.
 */
export function matchPlatform<T extends { readonly platform?: Platform }>(entries: readonly T[], want: Platform): T | undefined {
  for (const candidate of compatiblePlatforms(want)) {
    const hit = entries.find((e) => e.platform !== undefined && samePlatform(e.platform, candidate));
    if (hit !== undefined) return hit;
  }
  return undefined;
}

function normalizeOs(osName: string): string {
  const lower = osName.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}
