import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildOciSpec, INIT_PATH_IN_CONTAINER, type SpecInput } from '../../../../../../src/engine/bundled/containers/oci/build-spec';
import { ALL_CAPABILITIES, capabilityMask } from '../../../../../../src/engine/bundled/containers/oci/capabilities';
import { MASKED_PATHS, READONLY_PATHS, tmpfsMountOptions } from '../../../../../../src/engine/bundled/containers/oci/default-mounts';
import type { OciSpec } from '../../../../../../src/engine/bundled/containers/oci/oci-spec-types';
import type { ContainerSpec } from '../../../../../../src/engine/containers';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';

const ID = 'f00dfeed0123456789abcdef0123456789abcdef0123456789abcdef01234567';

function input(spec: Partial<ContainerSpec> = {}, over: Partial<SpecInput> = {}): SpecInput {
  return {
    id: ID,
    spec: { name: 'proj-web-1', image: 'busybox', ...spec },
    image: { cmd: ['sh'], env: ['PATH=/usr/local/bin:/usr/bin:/bin'] },
    rootfs: '/var/lib/tscompose/containers/x/fs/merged',
    user: { uid: 0, gid: 0, additionalGids: [0, 10], home: '/root' },
    etcFiles: { hosts: '/u/hosts', hostname: '/u/hostname', resolvConf: '/u/resolv.conf' },
    mounts: [],
    cgroupsPath: `/tscompose/${ID}`,
    arch: 'x64',
    ...over,
  };
}

const mount = (s: OciSpec, destination: string) => s.mounts.find((m) => m.destination === destination);

describe('buildOciSpec: defaults', () => {
  const s = buildOciSpec(input());

  it('runs the image command as the resolved user in the root file system', () => {
    expect(s.ociVersion).toBe('1.0.2');
    expect(s.root).toEqual({ path: '/var/lib/tscompose/containers/x/fs/merged', readonly: false });
    expect(s.process.args).toEqual(['sh']);
    expect(s.process.cwd).toBe('/');
    expect(s.process.user).toEqual({ uid: 0, gid: 0, additionalGids: [0, 10] });
    expect(s.process.terminal).toBe(false);
    expect(s.process.noNewPrivileges).toBeUndefined();
    expect(s.linux.cgroupsPath).toBe(`/tscompose/${ID}`);
  });

  it('sets PATH (the image\'s wins), HOSTNAME and HOME', () => {
    expect(s.hostname).toBe('f00dfeed0123');
    expect(s.process.env).toEqual(['PATH=/usr/local/bin:/usr/bin:/bin', 'HOSTNAME=f00dfeed0123', 'HOME=/root']);
    const noPath = buildOciSpec(input({ tty: true, env: ['HOME=/data'] }, { image: { cmd: ['sh'] } }));
    expect(noPath.process.env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=f00dfeed0123', 'TERM=xterm', 'HOME=/data']);
    expect(noPath.process.terminal).toBe(true);
  });

  it("has Docker's namespaces, a new network namespace unless one is given", () => {
    expect(s.linux.namespaces).toEqual([{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' }]);
    const joined = buildOciSpec(input({}, { netns: '/run/netns/abc' }));
    expect(joined.linux.namespaces.find((n) => n.type === 'network')).toEqual({ type: 'network', path: '/run/netns/abc' });
    const host = buildOciSpec(input({ networkMode: { kind: 'host' } }, { hostname: 'myhost' }));
    expect(host.linux.namespaces.map((n) => n.type)).toEqual(['pid', 'ipc', 'uts', 'mount', 'cgroup']);
    expect(host.hostname).toBe('myhost');
    expect(host.linux.sysctl).toBeUndefined();
    expect(() => buildOciSpec(input({ networkMode: { kind: 'container', container: 'db' } }))).toThrow('network mode container:db needs');
    const shared = buildOciSpec(input({ networkMode: { kind: 'container', container: 'db' } }, { netns: '/proc/123/ns/net' }));
    expect(shared.linux.namespaces.find((n) => n.type === 'network')?.path).toBe('/proc/123/ns/net');
  });

  it("has only Docker's default capabilities, for every set", () => {
    const caps = s.process.capabilities;
    expect(capabilityMask(caps?.effective ?? []).toString(16)).toBe('a80425fb');
    expect(caps?.bounding).toEqual(caps?.effective);
    expect(caps?.permitted).toEqual(caps?.effective);
    expect(caps?.inheritable).toBeUndefined();
    expect(caps?.ambient).toBeUndefined();
  });

  it('masks and write-protects the system paths', () => {
    expect(s.linux.maskedPaths).toEqual(MASKED_PATHS);
    expect(s.linux.maskedPaths).toContain('/proc/kcore');
    expect(s.linux.readonlyPaths).toEqual(READONLY_PATHS);
    expect(s.linux.readonlyPaths).toContain('/proc/sys');
  });

  it('mounts proc, dev, pts, sys, cgroup, mqueue and a 64 MiB shm, then the /etc files', () => {
    expect(s.mounts.map((m) => `${m.destination} ${m.type}`)).toEqual([
      '/proc proc',
      '/dev tmpfs',
      '/dev/pts devpts',
      '/sys sysfs',
      '/sys/fs/cgroup cgroup',
      '/dev/mqueue mqueue',
      '/dev/shm tmpfs',
      '/etc/hosts bind',
      '/etc/hostname bind',
      '/etc/resolv.conf bind',
    ]);
    expect(mount(s, '/proc')?.options).toEqual(['nosuid', 'noexec', 'nodev']);
    expect(mount(s, '/sys')?.options).toContain('ro');
    expect(mount(s, '/sys/fs/cgroup')?.options).toContain('ro');
    expect(mount(s, '/dev/pts')?.options).toEqual(['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']);
    expect(mount(s, '/dev/shm')?.options).toEqual(['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=67108864']);
    expect(mount(s, '/etc/hosts')).toEqual({ destination: '/etc/hosts', type: 'bind', source: '/u/hosts', options: ['rbind', 'rprivate', 'rw'] });
    expect(mount(s, '/etc/resolv.conf')?.source).toBe('/u/resolv.conf');
  });

  it('has the default devices, the devices cgroup rules and the default seccomp profile', () => {
    expect(s.linux.devices?.map((d) => d.path)).toEqual(['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty']);
    expect(s.linux.resources?.devices?.[0]).toEqual({ allow: false, access: 'rwm' });
    expect(s.linux.seccomp?.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(s.linux.seccomp?.defaultErrnoRet).toBe(1);
    expect(s.linux.seccomp?.architectures).toContain('SCMP_ARCH_X86_64');
    expect(s.linux.sysctl).toEqual({ 'net.ipv4.ip_unprivileged_port_start': '0', 'net.ipv4.ping_group_range': '0 2147483647' });
  });
});

describe('buildOciSpec: what a service changes', () => {
  it('privileged: all capabilities, nothing masked, every device, no seccomp, writable /sys', () => {
    const available = ALL_CAPABILITIES.filter((c) => c !== 'CAP_SYS_RESOURCE');
    const s = buildOciSpec(input({ privileged: true }, { availableCapabilities: available, devices: [{ path: '/dev/sda', type: 'b', major: 8, minor: 0, fileMode: 0o660, uid: 0, gid: 6, permissions: 'rwm' }] }));
    expect(s.process.capabilities?.effective).toEqual(available);
    expect(s.linux.maskedPaths).toBeUndefined();
    expect(s.linux.readonlyPaths).toBeUndefined();
    expect(s.linux.seccomp).toBeUndefined();
    expect(s.linux.resources?.devices).toEqual([{ allow: true, access: 'rwm' }]);
    expect(s.linux.devices?.map((d) => d.path)).toContain('/dev/sda');
    expect(mount(s, '/sys')?.options).toContain('rw');
    expect(mount(s, '/sys/fs/cgroup')?.options).toContain('rw');
  });

  it('cap_add/cap_drop change the capabilities and open the matching seccomp groups', () => {
    const s = buildOciSpec(input({ capAdd: ['SYS_ADMIN'], capDrop: ['NET_RAW'] }));
    expect(s.process.capabilities?.effective).toContain('CAP_SYS_ADMIN');
    expect(s.process.capabilities?.effective).not.toContain('CAP_NET_RAW');
    expect(s.linux.seccomp?.syscalls?.some((r) => r.names.includes('mount') && r.action === 'SCMP_ACT_ALLOW')).toBe(true);
    expect(buildOciSpec(input()).linux.seccomp?.syscalls?.some((r) => r.names.includes('mount'))).toBe(false);
    expect(() => buildOciSpec(input({ capAdd: ['CAP_TELEPORT'] }))).toThrow('unknown capability: "CAP_TELEPORT"');
  });

  it('security_opt: no-new-privileges, seccomp=unconfined, a profile, systempaths=unconfined', () => {
    expect(buildOciSpec(input({ securityOpt: ['no-new-privileges:true'] })).process.noNewPrivileges).toBe(true);
    const unconfined = buildOciSpec(input({ securityOpt: ['seccomp=unconfined'] }));
    expect(unconfined.linux.seccomp).toBeUndefined();
    expect(unconfined.linux.maskedPaths).toEqual(MASKED_PATHS);
    const profile = buildOciSpec(input({ securityOpt: ['seccomp={"defaultAction":"SCMP_ACT_LOG","syscalls":[]}'] }));
    expect(profile.linux.seccomp).toEqual({ defaultAction: 'SCMP_ACT_LOG', architectures: [], syscalls: [] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seccomp-'));
    try {
      fs.writeFileSync(path.join(dir, 'p.json'), '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["reboot"],"action":"SCMP_ACT_ERRNO"}]}');
      expect(buildOciSpec(input({ securityOpt: [`seccomp=${dir}/p.json`] })).linux.seccomp?.syscalls).toEqual([{ names: ['reboot'], action: 'SCMP_ACT_ERRNO' }]);
      expect(() => buildOciSpec(input({ securityOpt: [`seccomp=${dir}/missing.json`] }))).toThrow(`cannot read the seccomp profile ${dir}/missing.json`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const open = buildOciSpec(input({ securityOpt: ['systempaths=unconfined'] }));
    expect(open.linux.maskedPaths).toBeUndefined();
    expect(open.linux.readonlyPaths).toBeUndefined();
    expect(open.linux.seccomp).toBeDefined();
  });

  it('read_only: a read-only root and read-only /etc files', () => {
    const s = buildOciSpec(input({ readOnlyRootfs: true }));
    expect(s.root.readonly).toBe(true);
    expect(mount(s, '/etc/hosts')?.options).toContain('ro');
    expect(mount(s, '/dev/shm')?.options).not.toContain('ro');
  });

  it('hostname, domainname, shm_size, oom_score_adj, ulimits, sysctls', () => {
    const s = buildOciSpec(input({ hostname: 'web', domainname: 'example.org', shmSize: 128 * 1024 * 1024, oomScoreAdj: 500, ulimits: { nofile: { soft: 1024, hard: 2048 } }, sysctls: { 'net.core.somaxconn': '512' } }));
    expect(s.hostname).toBe('web');
    expect(s.domainname).toBe('example.org');
    expect(s.process.env).toContain('HOSTNAME=web');
    expect(mount(s, '/dev/shm')?.options).toContain('size=134217728');
    expect(s.process.oomScoreAdj).toBe(500);
    expect(s.process.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 }]);
    expect(s.linux.sysctl?.['net.core.somaxconn']).toBe('512');
    expect(() => buildOciSpec(input({ oomScoreAdj: 1001 }))).toThrow('oom_score_adj must be between -1000 and 1000');
    expect(() => buildOciSpec(input({ sysctls: { 'kernel.panic': '1' } }))).toThrow(InvalidArgumentError);
  });

  it('resources become linux.resources next to the device rules', () => {
    const s = buildOciSpec(input({ resources: { memory: 32 * 1024 * 1024, nanoCpus: 500_000_000, pidsLimit: 64 } }));
    expect(s.linux.resources).toMatchObject({ memory: { limit: 33554432, swap: 67108864 }, cpu: { quota: 50_000, period: 100_000 }, pids: { limit: 64 } });
    expect(s.linux.resources?.devices?.length).toBeGreaterThan(1);
  });

  it('mapped devices are created and allowed; unresolved ones are a programming error', () => {
    const dev = { path: '/dev/ttyUSB0', type: 'c' as const, major: 188, minor: 0, fileMode: 0o660, uid: 0, gid: 20, permissions: 'rw' };
    const s = buildOciSpec(input({ devices: [{ source: '/dev/ttyUSB0', target: '/dev/ttyUSB0' }] }, { devices: [dev] }));
    expect(s.linux.devices).toContainEqual({ path: '/dev/ttyUSB0', type: 'c', major: 188, minor: 0, fileMode: 0o660, uid: 0, gid: 20 });
    expect(s.linux.resources?.devices).toContainEqual({ allow: true, type: 'c', major: 188, minor: 0, access: 'rw' });
    expect(() => buildOciSpec(input({ devices: [{ source: '/dev/ttyUSB0', target: '/dev/ttyUSB0' }] }))).toThrow('must be resolved');
  });

  it('init: the init binary bind-mounted read-only runs the command', () => {
    const s = buildOciSpec(input({ init: true, command: ['sleep', '1'] }, { initPath: '/usr/bin/tini-static' }));
    expect(s.process.args).toEqual([INIT_PATH_IN_CONTAINER, '--', 'sleep', '1']);
    expect(mount(s, INIT_PATH_IN_CONTAINER)).toEqual({ destination: INIT_PATH_IN_CONTAINER, type: 'bind', source: '/usr/bin/tini-static', options: ['bind', 'ro', 'nosuid', 'nodev'] });
    expect(() => buildOciSpec(input({ init: true }))).toThrow('init is requested');
  });

  it('mounts binds and tmpfs after the defaults, parents first, replacing defaults at the same place', () => {
    const s = buildOciSpec(
      input({}, {
        mounts: [
          { destination: '/data/cache', type: 'tmpfs', source: '', options: tmpfsMountOptions({ size: 1024 * 1024, mode: 0o1777 }) },
          { destination: '/data/', type: 'bind', source: '/srv/data', options: ['ro'] },
          { destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rshared'] },
          { destination: '/etc/hosts', type: 'bind', source: '/mine/hosts', options: ['ro'] },
        ],
      }),
    );
    expect(s.mounts.map((m) => m.destination)).toEqual(['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/data', '/etc/hostname', '/etc/resolv.conf', '/data/cache', '/dev/shm', '/etc/hosts']);
    expect(mount(s, '/data')).toEqual({ destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'ro', 'rprivate'] });
    expect(mount(s, '/dev/shm')).toEqual({ destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rshared'] });
    expect(mount(s, '/etc/hosts')?.source).toBe('/mine/hosts');
    expect(mount(s, '/data/cache')).toEqual({ destination: '/data/cache', type: 'tmpfs', source: 'tmpfs', options: ['rw', 'nosuid', 'nodev', 'noexec', 'size=1048576', 'mode=1777'] });
    expect(() => buildOciSpec(input({}, { mounts: [{ destination: 'rel', type: 'tmpfs', source: '', options: [] }] }))).toThrow('must be an absolute path');
    expect(() => buildOciSpec(input({}, { mounts: [{ destination: '/', type: 'tmpfs', source: '', options: [] }] }))).toThrow("cannot mount over the container's root");
    expect(() => buildOciSpec(input({}, { mounts: [{ destination: '/x', type: 'bind', source: 'rel', options: [] }] }))).toThrow('bind source');
    const twice = { destination: '/x', type: 'tmpfs' as const, source: '', options: [] };
    expect(() => buildOciSpec(input({}, { mounts: [twice, { ...twice, destination: '/x/' }] }))).toThrow('two mounts at /x');
  });

  it('the process rules apply (entrypoint, env, workdir) and a missing command fails', () => {
    const s = buildOciSpec(input({ entrypoint: ['/bin/echo'], env: ['A=1'], workingDir: '/tmp' }, { image: { entrypoint: ['/x'], cmd: ['y'], env: ['PATH=/bin'] } }));
    expect(s.process.args).toEqual(['/bin/echo']);
    expect(s.process.env).toEqual(['PATH=/bin', 'HOSTNAME=f00dfeed0123', 'A=1', 'HOME=/root']);
    expect(s.process.cwd).toBe('/tmp');
    expect(() => buildOciSpec(input({}, { image: {} }))).toThrow('no command specified');
  });
});
