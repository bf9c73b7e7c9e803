/**
 * Device nodes of a container and the devices-cgroup rules that let it use them: Docker's
 * defaults (deny everything, then allow creating any node and using the standard character
 * devices), the devices a container maps from the host, and `privileged` (every device).
 */
import type { OciDevice, OciDeviceRule } from './oci-spec-types';

/** A host device as it appears in the container (resolve-devices.ts makes these from the host). */
export interface ResolvedDevice {
  /** The path inside the container. */
  readonly path: string;
  readonly type: 'c' | 'b';
  readonly major: number;
  readonly minor: number;
  /** Permission bits of the node (e.g. 0o666). */
  readonly fileMode: number;
  readonly uid: number;
  readonly gid: number;
  /** Cgroup access: a non-empty combination of r, w and m. */
  readonly permissions: string;
}

function charDevice(path: string, major: number, minor: number): OciDevice {
  return { path, type: 'c', major, minor, fileMode: 0o666, uid: 0, gid: 0 };
}

/** The nodes every container's /dev has (the console and /dev/ptmx come from devpts). */
export const DEFAULT_DEVICES: readonly OciDevice[] = [
  charDevice('/dev/null', 1, 3),
  charDevice('/dev/zero', 1, 5),
  charDevice('/dev/full', 1, 7),
  charDevice('/dev/random', 1, 8),
  charDevice('/dev/urandom', 1, 9),
  charDevice('/dev/tty', 5, 0),
];

function allowChar(major?: number, minor?: number, access = 'rwm'): OciDeviceRule {
  return { allow: true, type: 'c', ...(major !== undefined ? { major } : {}), ...(minor !== undefined ? { minor } : {}), access };
}

/** Deny all, then what Docker allows: mknod of any node, the default devices, the console, ptys, /dev/net/tun. */
export const DEFAULT_DEVICE_RULES: readonly OciDeviceRule[] = [
  { allow: false, access: 'rwm' },
  allowChar(undefined, undefined, 'm'),
  { allow: true, type: 'b', access: 'm' },
  allowChar(1, 3), // /dev/null
  allowChar(1, 5), // /dev/zero
  allowChar(1, 7), // /dev/full
  allowChar(1, 8), // /dev/random
  allowChar(1, 9), // /dev/urandom
  allowChar(5, 0), // /dev/tty
  allowChar(5, 1), // /dev/console
  allowChar(5, 2), // /dev/ptmx
  allowChar(136), // /dev/pts/*
  allowChar(10, 200), // /dev/net/tun
];

/** A privileged container may use every device. */
export const PRIVILEGED_DEVICE_RULES: readonly OciDeviceRule[] = [{ allow: true, access: 'rwm' }];

export function ociDevice(d: ResolvedDevice): OciDevice {
  return { path: d.path, type: d.type, major: d.major, minor: d.minor, fileMode: d.fileMode, uid: d.uid, gid: d.gid };
}

export function deviceRule(d: ResolvedDevice): OciDeviceRule {
  return { allow: true, type: d.type, major: d.major, minor: d.minor, access: d.permissions };
}
