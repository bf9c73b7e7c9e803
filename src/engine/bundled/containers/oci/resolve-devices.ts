/**
 * Host devices for a container, read from the host (stat): `devices:` mappings (a device node,
 * or a directory whose device nodes are all mapped below the target, as Docker does), and for
 * `privileged` every device node under the host's /dev.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DeviceMapping } from '../../../containers';
import { InvalidArgumentError } from '../../../errors';
import type { ResolvedDevice } from './devices';

/** Linux's major/minor encoding of a dev_t (glibc's gnu_dev_major/minor). */
export function majorOf(rdev: number): number {
  const d = BigInt(rdev);
  return Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn));
}

export function minorOf(rdev: number): number {
  const d = BigInt(rdev);
  return Number((d & 0xffn) | ((d >> 12n) & ~0xffn));
}

function deviceOf(st: fs.Stats, target: string, permissions: string): ResolvedDevice | undefined {
  const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : undefined;
  if (type === undefined) return undefined;
  return { path: target, type, major: majorOf(st.rdev), minor: minorOf(st.rdev), fileMode: st.mode & 0o7777, uid: st.uid, gid: st.gid, permissions };
}

function walkDevices(dir: string, target: string, permissions: string, out: ResolvedDevice[], skip: (rel: string) => boolean = () => false, rel = ''): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (skip(relPath)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walkDevices(full, path.posix.join(target, entry.name), permissions, out, skip, relPath);
    else if (entry.isCharacterDevice() || entry.isBlockDevice()) {
      const d = deviceOf(fs.statSync(full), path.posix.join(target, entry.name), permissions);
      if (d !== undefined) out.push(d);
    }
  }
}

export function resolveDevices(mappings: readonly DeviceMapping[] | undefined): ResolvedDevice[] {
  const out: ResolvedDevice[] = [];
  for (const m of mappings ?? []) {
    const permissions = m.permissions ?? 'rwm';
    const where = `device ${m.source}:${m.target}`;
    if (!/^[rwm]{1,3}$/.test(permissions) || new Set(permissions).size !== permissions.length) throw new InvalidArgumentError(`${where}: invalid permissions "${permissions}" (a combination of r, w and m)`);
    if (!path.posix.isAbsolute(m.target)) throw new InvalidArgumentError(`${where}: the target must be an absolute path`);
    let st: fs.Stats;
    try {
      st = fs.statSync(m.source);
    } catch (e) {
      throw new InvalidArgumentError(`${where}: cannot use the host device: ${(e as Error).message}`);
    }
    if (st.isDirectory()) {
      const before = out.length;
      walkDevices(m.source, path.posix.normalize(m.target), permissions, out);
      if (out.length === before) throw new InvalidArgumentError(`${where}: the directory holds no device nodes`);
      continue;
    }
    const d = deviceOf(st, path.posix.normalize(m.target), permissions);
    if (d === undefined) throw new InvalidArgumentError(`${where}: ${m.source} is not a device node`);
    out.push(d);
  }
  return out;
}

/** Directories of /dev a privileged container does not take from the host: it has its own. */
const NOT_HOST_DEVICES = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev', 'console']);

/** Every device node of the host's /dev (for `privileged`), at the same path. */
export function hostDevices(devDir = '/dev'): ResolvedDevice[] {
  const out: ResolvedDevice[] = [];
  walkDevices(devDir, '/dev', 'rwm', out, (rel) => NOT_HOST_DEVICES.has(rel));
  return out;
}
