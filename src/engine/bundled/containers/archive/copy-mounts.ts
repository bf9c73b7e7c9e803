/**
 * A container's mounts as a copy needs them (pure, from the ContainerSpec):
 * - `stoppedBinds`: what a stopped container's root is missing — its bind mounts and the
 *   engine's /etc/hosts, /etc/hostname, /etc/resolv.conf files — as container path → host
 *   path, parents before children (the order the runtime mounts them in); a user's bind at
 *   one of those /etc paths replaces the engine's file, as it does at start;
 * - `copyTargetMounts`: the mounts that count as volumes for Docker's read-only checks
 *   (tmpfs ones only while the container runs: a stopped container has none).
 */
import * as path from 'node:path';
import type { ContainerSpec } from '../../../containers';
import type { CopyTargetMount } from './copy-target-check';

export interface EtcFiles {
  readonly hosts: string;
  readonly hostname: string;
  readonly resolvConf: string;
}

export function stoppedBinds(spec: ContainerSpec, etc: EtcFiles): Array<{ target: string; source: string }> {
  const user = (spec.mounts ?? []).flatMap((m) => (m.type === 'bind' ? [{ target: clean(m.target), source: m.source }] : []));
  const taken = new Set(user.map((m) => m.target));
  const own = [
    { target: '/etc/hosts', source: etc.hosts },
    { target: '/etc/hostname', source: etc.hostname },
    { target: '/etc/resolv.conf', source: etc.resolvConf },
  ].filter((m) => !taken.has(m.target));
  return [...own, ...user]
    .map((m, i) => ({ m, i }))
    .sort((a, b) => depth(a.m.target) - depth(b.m.target) || a.i - b.i)
    .map(({ m }) => m);
}

export function copyTargetMounts(spec: ContainerSpec, running: boolean): CopyTargetMount[] {
  return (spec.mounts ?? [])
    .filter((m) => m.type !== 'tmpfs' || running)
    .map((m) => ({ target: clean(m.target), readOnly: m.readOnly === true }));
}

function clean(target: string): string {
  return path.posix.resolve('/', target);
}

function depth(p: string): number {
  return p.split('/').filter((s) => s !== '').length;
}
