/**
 * Linux capabilities of a container, by Docker's rules: the default set, `privileged` (all of
 * them), and `cap_add`/`cap_drop` with `ALL` and names written with or without `CAP_`.
 */
import { InvalidArgumentError } from '../../../errors';

/** Every capability Linux defines, in bit order (CAP_CHOWN = 0 … CAP_CHECKPOINT_RESTORE = 40). */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** What every Docker container gets (moby's default capability set). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** `net_admin`, `CAP_NET_ADMIN`, `Net_Admin` → `CAP_NET_ADMIN`; `all` → `ALL`. Unknown names are an InvalidArgumentError. */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL') return 'ALL';
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!ALL_CAPABILITIES.includes(full)) throw new InvalidArgumentError(`unknown capability: "${name}"`);
  return full;
}

export interface CapabilityOptions {
  readonly privileged?: boolean;
  readonly capAdd?: readonly string[];
  readonly capDrop?: readonly string[];
  /**
   * The capabilities this host can grant (its bounding set); "all" and `ALL` mean these.
   * Default: every capability Linux defines.
   */
  readonly available?: readonly string[];
}

/**
 * The container's capability set (bounding = permitted = effective), in bit order:
 * privileged → all; `cap_add: [ALL]` → all minus cap_drop; `cap_drop: [ALL]` → only cap_add;
 * otherwise the defaults minus cap_drop plus cap_add (an add wins over a drop of the same one).
 */
export function containerCapabilities(options: CapabilityOptions): string[] {
  const available = options.available ?? ALL_CAPABILITIES;
  const adds = (options.capAdd ?? []).map(normalizeCapability);
  const drops = (options.capDrop ?? []).map(normalizeCapability);
  let caps: Set<string>;
  if (options.privileged === true) caps = new Set(available);
  else if (adds.includes('ALL')) caps = new Set(available.filter((c) => !drops.includes(c)));
  else if (drops.includes('ALL')) caps = new Set(adds);
  else caps = new Set([...DEFAULT_CAPABILITIES.filter((c) => !drops.includes(c)), ...adds]);
  return ALL_CAPABILITIES.filter((c) => caps.has(c));
}

/** The bit mask of a capability set, as /proc/<pid>/status shows it (`CapEff: 00000000a80425fb`). */
export function capabilityMask(caps: readonly string[]): bigint {
  let mask = 0n;
  for (const c of caps) {
    const bit = ALL_CAPABILITIES.indexOf(c);
    if (bit < 0) throw new InvalidArgumentError(`unknown capability: "${c}"`);
    mask |= 1n << BigInt(bit);
  }
  return mask;
}

/** The capabilities of a /proc/<pid>/status mask (e.g. the host's CapBnd), in bit order. */
export function capabilitiesOfMask(mask: bigint): string[] {
  return ALL_CAPABILITIES.filter((_, bit) => (mask & (1n << BigInt(bit))) !== 0n);
}
