import { DEFAULT_CAPABILITIES } from '../../../../../../src/engine/bundled/containers/oci/capabilities';
import type { OciSeccomp } from '../../../../../../src/engine/bundled/containers/oci/oci-spec-types';
import { CLONE_NAMESPACE_FLAGS, DEFAULT_SYSCALL_GROUPS } from '../../../../../../src/engine/bundled/containers/oci/seccomp-default-data';
import { defaultSeccompProfile, seccompArchitectures, seccompFromDockerProfile } from '../../../../../../src/engine/bundled/containers/oci/seccomp-profile';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';

/** Names allowed without any argument condition. */
function plainlyAllowed(p: OciSeccomp): Set<string> {
  return new Set((p.syscalls ?? []).filter((r) => r.action === 'SCMP_ACT_ALLOW' && r.args === undefined).flatMap((r) => r.names));
}

function rulesFor(p: OciSeccomp, name: string) {
  return (p.syscalls ?? []).filter((r) => r.names.includes(name));
}

describe('defaultSeccompProfile', () => {
  const p = defaultSeccompProfile(DEFAULT_CAPABILITIES, 'x64');

  it('denies with EPERM by default, for x86_64 and its 32-bit ABIs', () => {
    expect(p.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(p.defaultErrnoRet).toBe(1);
    expect(p.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    expect(seccompArchitectures('arm64')).toEqual(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    expect(() => seccompArchitectures('pdp11')).toThrow(InvalidArgumentError);
  });

  it('allows what ordinary programs need (a list the size of Docker\'s)', () => {
    const allowed = plainlyAllowed(p);
    for (const name of ['read', 'write', 'openat', 'execve', 'mmap', 'futex', 'epoll_wait', 'accept4', 'clock_gettime', 'exit_group', 'arch_prctl', 'chroot', 'ptrace', 'setuid', 'rseq']) {
      expect(allowed).toContain(name);
    }
    expect(allowed.size).toBeGreaterThan(330);
    expect(allowed.size).toBeLessThan(480);
  });

  it('refuses what needs capabilities the container lacks, and io_uring, keyctl, kexec', () => {
    const allowed = plainlyAllowed(p);
    for (const name of ['mount', 'umount2', 'unshare', 'setns', 'reboot', 'init_module', 'bpf', 'perf_event_open', 'settimeofday', 'acct', 'open_by_handle_at', 'kcmp', 'iopl', 'syslog', 'io_uring_setup', 'keyctl', 'add_key', 'kexec_load', 'userfaultfd', 'swapon', 'pivot_root']) {
      expect(allowed).not.toContain(name);
    }
  });

  it('lets clone make no namespaces and turns clone3 into ENOSYS without CAP_SYS_ADMIN', () => {
    expect(rulesFor(p, 'clone')).toEqual([{ names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] }]);
    expect(CLONE_NAMESPACE_FLAGS).toBe(0x7e020000);
    expect(rulesFor(p, 'clone3')).toEqual([{ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }]);
    const s390 = defaultSeccompProfile(DEFAULT_CAPABILITIES, 's390x');
    expect(rulesFor(s390, 'clone')[0]?.args?.[0]?.index).toBe(1);
  });

  it('opens the capability-gated groups for the capabilities the container has', () => {
    const admin = defaultSeccompProfile([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_TIME'], 'x64');
    const allowed = plainlyAllowed(admin);
    for (const name of ['mount', 'unshare', 'setns', 'clone', 'clone3', 'reboot', 'settimeofday', 'clock_settime']) expect(allowed).toContain(name);
    expect(rulesFor(admin, 'clone3').every((r) => r.action === 'SCMP_ACT_ALLOW')).toBe(true);
    expect(rulesFor(admin, 'clone').every((r) => r.args === undefined)).toBe(true);
    const noChroot = defaultSeccompProfile(DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_SYS_CHROOT'), 'x64');
    expect(plainlyAllowed(noChroot)).not.toContain('chroot');
  });

  it('filters socket(2) by family, refusing AF_ALG and AF_VSOCK', () => {
    const socket = rulesFor(p, 'socket');
    const allows = (family: number) =>
      socket.some((r) => (r.args ?? []).every((a) => (a.op === 'SCMP_CMP_LT' ? family < a.value : a.op === 'SCMP_CMP_GT' ? family > a.value : a.op === 'SCMP_CMP_EQ' ? family === a.value : false)));
    expect(allows(1)).toBe(true); // AF_UNIX
    expect(allows(2)).toBe(true); // AF_INET
    expect(allows(10)).toBe(true); // AF_INET6
    expect(allows(16)).toBe(true); // AF_NETLINK
    expect(allows(39)).toBe(true); // AF_NFC
    expect(allows(44)).toBe(true); // AF_XDP
    expect(allows(38)).toBe(false); // AF_ALG
    expect(allows(40)).toBe(false); // AF_VSOCK
  });

  it('splits alternatives on one argument into separate rules (personality)', () => {
    const personality = rulesFor(p, 'personality');
    expect(personality.map((r) => r.args?.[0]?.value)).toEqual([0, 8, 0x20000, 0x20008, 0xffffffff]);
    expect(personality.every((r) => r.args?.length === 1)).toBe(true);
  });

  it('has only the current architecture\'s specific syscalls', () => {
    expect(plainlyAllowed(p)).toContain('modify_ldt');
    expect(plainlyAllowed(p)).not.toContain('set_tls');
    const arm = plainlyAllowed(defaultSeccompProfile(DEFAULT_CAPABILITIES, 'arm64'));
    expect(arm).toContain('set_tls');
    expect(arm).not.toContain('arch_prctl');
  });

  it('names every syscall at most once per group and gates nothing on an unknown capability', () => {
    for (const g of DEFAULT_SYSCALL_GROUPS) {
      expect(new Set(g.names).size).toBe(g.names.length);
      for (const c of [...(g.withCapabilities ?? []), ...(g.withoutCapabilities ?? [])]) expect(c).toMatch(/^CAP_[A-Z_]+$/);
    }
  });
});

describe('seccompFromDockerProfile', () => {
  const profile = JSON.stringify({
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    archMap: [
      { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] },
      { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
    ],
    syscalls: [
      { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
      { name: 'mount', action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
      { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64'] } },
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38, excludes: { caps: ['CAP_SYS_ADMIN'] } },
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] },
    ],
  });

  it('applies archMap, includes and excludes as Docker does', () => {
    const p = seccompFromDockerProfile(profile, DEFAULT_CAPABILITIES, 'x64');
    expect(p.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86']);
    expect(p.defaultErrnoRet).toBe(1);
    expect(p.syscalls?.map((r) => r.names[0])).toEqual(['read', 'arch_prctl', 'clone3', 'personality']);
    const admin = seccompFromDockerProfile(profile, ['CAP_SYS_ADMIN'], 'arm64');
    expect(admin.architectures).toEqual(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    expect(admin.syscalls?.map((r) => r.names[0])).toEqual(['read', 'mount', 'personality']);
  });

  it('says what is wrong with a bad profile', () => {
    expect(() => seccompFromDockerProfile('{', [], 'x64')).toThrow('not valid JSON');
    expect(() => seccompFromDockerProfile('{"defaultAction":"SCMP_ACT_NOPE"}', [], 'x64')).toThrow('unknown action');
    expect(() => seccompFromDockerProfile('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"EQ"}]}]}', [], 'x64')).toThrow('unknown operator');
  });
});
