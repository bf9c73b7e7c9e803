/**
 * The file systems every container gets (Docker's defaults), and the /proc and /sys paths it
 * hides (masked) or may only read.
 */
import type { OciMount } from './oci-spec-types';

/** /dev/shm's size when `shm_size` is not set: 64 MiB. */
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

export interface DefaultMountOptions {
  /** /dev/shm's size in bytes. */
  readonly shmSize?: number;
  /** Privileged: /sys and its cgroups writable. */
  readonly privileged?: boolean;
}

export function defaultMounts(options: DefaultMountOptions = {}): OciMount[] {
  const shmSize = options.shmSize !== undefined && options.shmSize > 0 ? options.shmSize : DEFAULT_SHM_SIZE;
  const sysAccess = options.privileged === true ? 'rw' : 'ro';
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', sysAccess] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', sysAccess] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shmSize}`] },
  ];
}

/** Hidden from the container: /dev/null over files, an empty read-only tmpfs over directories. */
export const MASKED_PATHS: readonly string[] = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/sys/devices/virtual/powercap',
  '/sys/firmware',
];

export const READONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** Mount options Docker gives a tmpfs mount (`tmpfs:` and `--mount type=tmpfs`): size in bytes and mode, if given. */
export function tmpfsMountOptions(m: { readonly size?: number; readonly mode?: number; readonly readOnly?: boolean }): string[] {
  return [
    m.readOnly === true ? 'ro' : 'rw',
    'nosuid',
    'nodev',
    'noexec',
    ...(m.size !== undefined && m.size > 0 ? [`size=${m.size}`] : []),
    ...(m.mode !== undefined ? [`mode=${m.mode.toString(8)}`] : []),
  ];
}
