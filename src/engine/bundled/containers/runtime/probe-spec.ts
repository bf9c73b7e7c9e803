/**
 * The container a runtime must be able to run before the engine uses it: the host's own
 * programs (its /usr and friends bind-mounted read-only into an empty root) running `true` in
 * new pid, mount, ipc, uts and network namespaces and its own cgroup — what every real
 * container needs, so a runtime that cannot do it here (crun 1.8 on a hybrid cgroup host) is
 * found out before the first `docker run`, not at it.
 */
import type { OciMount, OciSpec } from '../oci/oci-spec-types';

/** A top-level host directory the probe's root needs (`usr`, `lib`, `bin` …). */
export interface ProbeHostDir {
  readonly name: string;
  /** A directory is bind-mounted read-only; a symlink (`bin -> usr/bin`) is recreated in the root. */
  readonly kind: 'dir' | 'symlink';
}

export interface ProbeSpecInput {
  /** The (empty, apart from the symlinks) root directory. */
  readonly rootfs: string;
  /** Absolute path of the program to run, as the host has it (`/usr/bin/true`). */
  readonly program: string;
  readonly hostDirs: readonly ProbeHostDir[];
  /** A cgroup of its own, e.g. `/tscompose-probe-<random>`. */
  readonly cgroupsPath: string;
}

/** The host directories a dynamically linked `true` may need. */
export const PROBE_HOST_DIRS: readonly string[] = ['usr', 'bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

export function probeSpec(input: ProbeSpecInput): OciSpec {
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
  ];
  for (const d of input.hostDirs) {
    if (d.kind === 'dir') mounts.push({ destination: `/${d.name}`, type: 'bind', source: `/${d.name}`, options: ['rbind', 'ro', 'nosuid', 'nodev', 'rprivate'] });
  }
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: [input.program],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      cwd: '/',
      noNewPrivileges: true,
    },
    root: { path: input.rootfs, readonly: true },
    hostname: 'probe',
    mounts,
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'ipc' }, { type: 'uts' }, { type: 'network' }],
      cgroupsPath: input.cgroupsPath,
      resources: { devices: [{ allow: false, access: 'rwm' }], pids: { limit: 16 } },
      maskedPaths: ['/proc/kcore'],
      readonlyPaths: ['/proc/sys'],
    },
  };
}
