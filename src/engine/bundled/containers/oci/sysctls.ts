/**
 * `sysctls` a container may set: only the ones that live in the container's own namespaces
 * (Docker's list): IPC — kernel.msgmax, kernel.msgmnb, kernel.msgmni, kernel.sem,
 * kernel.shmall, kernel.shmmax, kernel.shmmni, kernel.shm_rmid_forced, fs.mqueue.*; network
 * — net.*, and only when the container has a network namespace of its own. Anything else
 * would change the host and is an InvalidArgumentError.
 *
 * A container with its own network namespace also gets Docker's two defaults, unless it sets
 * them: unprivileged ports from 0 (net.ipv4.ip_unprivileged_port_start=0) and ICMP echo
 * sockets for every group (net.ipv4.ping_group_range=0 2147483647).
 */
import { InvalidArgumentError } from '../../../errors';

const IPC_SYSCTLS: readonly string[] = [
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
];

export const DEFAULT_NETWORK_SYSCTLS: Readonly<Record<string, string>> = {
  'net.ipv4.ip_unprivileged_port_start': '0',
  'net.ipv4.ping_group_range': '0 2147483647',
};

/** How the container's network namespace relates to others. */
export type NetworkNamespaceKind = 'own' | 'host' | 'shared';

export function containerSysctls(sysctls: Readonly<Record<string, string>> | undefined, network: NetworkNamespaceKind): Record<string, string> {
  const out: Record<string, string> = network === 'own' ? { ...DEFAULT_NETWORK_SYSCTLS } : {};
  for (const [rawKey, value] of Object.entries(sysctls ?? {})) {
    const key = rawKey.replace(/\//g, '.');
    if (key.startsWith('net.')) {
      if (network === 'host') throw new InvalidArgumentError(`sysctl "${rawKey}" is not allowed with the host's network namespace`);
      if (network === 'shared') throw new InvalidArgumentError(`sysctl "${rawKey}" is not allowed with another container's network namespace`);
    } else if (!IPC_SYSCTLS.includes(key) && !key.startsWith('fs.mqueue.')) {
      throw new InvalidArgumentError(`sysctl "${rawKey}" is not allowed: it is not namespaced (allowed: net.*, fs.mqueue.*, ${IPC_SYSCTLS.join(', ')})`);
    }
    out[key] = String(value);
  }
  return out;
}
