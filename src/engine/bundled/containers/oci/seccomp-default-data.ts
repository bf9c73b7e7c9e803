/**
 * tscompose's default seccomp policy, as data: a deny-by-default allow-list with the same
 * effect as Docker's default profile (moby/profiles seccomp, described in ENGINE-FACTS.md):
 * anything not listed fails with EPERM; the syscalls every program needs are allowed, grouped
 * here by what they are for; the ones that need a capability are allowed only when the container
 * has it; a few are allowed only with harmless arguments or on one architecture.
 *
 * Names the kernel or libseccomp of a host does not know are skipped by the runtime (runc and
 * crun ignore unknown names), so newer syscalls can be listed before every host has them.
 * seccomp-profile.ts turns this into the OCI `linux.seccomp` of one container.
 */
import type { OciSeccompArg } from './oci-spec-types';

/** Node's `process.arch` names of the architectures the rules mention. */
export type HostArch = 'x64' | 'ia32' | 'arm64' | 'arm' | 'ppc64' | 's390x' | 'riscv64' | 'loong64' | 'mips64el';

export interface SyscallGroup {
  /** What the group is for (documentation only). */
  readonly purpose: string;
  readonly names: readonly string[];
  /** Allowed (default), or refused with this errno instead of the default EPERM. */
  readonly errno?: number;
  /** Only with these arguments (several entries for one index are alternatives). */
  readonly args?: readonly OciSeccompArg[];
  /** Only when the container has every one of these capabilities. */
  readonly withCapabilities?: readonly string[];
  /** Only when the container has none of these capabilities. */
  readonly withoutCapabilities?: readonly string[];
  /** Only on these architectures. */
  readonly arches?: readonly HostArch[];
  /** Never on these architectures. */
  readonly exceptArches?: readonly HostArch[];
}

export const EPERM = 1;
export const ENOSYS = 38;

/** The namespace flags of clone(2): CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET. */
export const CLONE_NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

/** Socket families refused by default: the kernel crypto API, which containers have no use for… */
export const AF_ALG = 38;
/** …and host/VM sockets, which are not confined to a network namespace on most kernels. */
export const AF_VSOCK = 40;

export const DEFAULT_SYSCALL_GROUPS: readonly SyscallGroup[] = [
  {
    purpose: 'files: open, read, write, seek, close, descriptors',
    names: [
      'open', 'openat', 'openat2', 'creat', 'close', 'close_range',
      'read', 'readv', 'pread64', 'preadv', 'preadv2', 'readahead',
      'write', 'writev', 'pwrite64', 'pwritev', 'pwritev2',
      'lseek', '_llseek', 'dup', 'dup2', 'dup3', 'fcntl', 'fcntl64', 'flock', 'ioctl',
      'sendfile', 'sendfile64', 'splice', 'tee', 'vmsplice', 'copy_file_range',
      'fadvise64', 'fadvise64_64', 'fallocate', 'cachestat',
      'fsync', 'fdatasync', 'sync', 'syncfs', 'sync_file_range',
      'truncate', 'truncate64', 'ftruncate', 'ftruncate64',
    ],
  },
  {
    purpose: 'file metadata: stat, access, ownership, mode, times, extended attributes',
    names: [
      'stat', 'stat64', 'lstat', 'lstat64', 'fstat', 'fstat64', 'fstatat64', 'newfstatat', 'statx',
      'statfs', 'statfs64', 'fstatfs', 'fstatfs64',
      'access', 'faccessat', 'faccessat2',
      'chmod', 'fchmod', 'fchmodat', 'fchmodat2', 'umask',
      'chown', 'chown32', 'fchown', 'fchown32', 'fchownat', 'lchown', 'lchown32',
      'utime', 'utimes', 'utimensat', 'utimensat_time64', 'futimesat',
      'getxattr', 'lgetxattr', 'fgetxattr', 'getxattrat',
      'setxattr', 'lsetxattr', 'fsetxattr', 'setxattrat',
      'listxattr', 'llistxattr', 'flistxattr', 'listxattrat',
      'removexattr', 'lremovexattr', 'fremovexattr', 'removexattrat',
    ],
  },
  {
    purpose: 'directories and names: create, link, rename, remove, walk; mount information',
    names: [
      'getcwd', 'chdir', 'fchdir', 'getdents', 'getdents64',
      'mkdir', 'mkdirat', 'mknod', 'mknodat', 'rmdir',
      'link', 'linkat', 'symlink', 'symlinkat', 'readlink', 'readlinkat',
      'unlink', 'unlinkat', 'rename', 'renameat', 'renameat2',
      'name_to_handle_at', 'listmount', 'statmount',
    ],
  },
  {
    purpose: 'waiting for events: poll, select, epoll, eventfd, inotify, fanotify marks, timers as fds, signals as fds',
    names: [
      'poll', 'ppoll', 'ppoll_time64', 'select', '_newselect', 'pselect6', 'pselect6_time64',
      'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_ctl_old', 'epoll_wait', 'epoll_wait_old', 'epoll_pwait', 'epoll_pwait2',
      'eventfd', 'eventfd2', 'signalfd', 'signalfd4',
      'inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch', 'fanotify_mark',
      'timerfd_create', 'timerfd_gettime', 'timerfd_gettime64', 'timerfd_settime', 'timerfd_settime64',
    ],
  },
  {
    purpose: 'asynchronous I/O (the old AIO interface; io_uring is not allowed) and I/O priorities',
    names: ['io_setup', 'io_destroy', 'io_submit', 'io_cancel', 'io_getevents', 'io_pgetevents', 'io_pgetevents_time64', 'ioprio_get', 'ioprio_set'],
  },
  {
    purpose: 'processes and threads: create (fork; clone below), run, exit, wait, sessions, limits, scheduling',
    names: [
      'fork', 'vfork', 'execve', 'execveat', 'exit', 'exit_group', 'wait4', 'waitid', 'waitpid',
      'getpid', 'getppid', 'gettid', 'getpgid', 'setpgid', 'getpgrp', 'getsid', 'setsid',
      'getpriority', 'setpriority', 'prctl', 'seccomp', 'capget', 'capset',
      'getrlimit', 'setrlimit', 'ugetrlimit', 'prlimit64', 'getrusage', 'times',
      'set_tid_address', 'get_robust_list', 'set_robust_list', 'get_thread_area', 'set_thread_area', 'rseq', 'restart_syscall',
      'sched_yield', 'sched_getaffinity', 'sched_setaffinity', 'sched_getattr', 'sched_setattr',
      'sched_getparam', 'sched_setparam', 'sched_getscheduler', 'sched_setscheduler',
      'sched_get_priority_max', 'sched_get_priority_min', 'sched_rr_get_interval', 'sched_rr_get_interval_time64',
      'getcpu', 'pidfd_open', 'pidfd_send_signal', 'process_mrelease', 'membarrier',
      'futex', 'futex_time64', 'futex_waitv', 'futex_wait', 'futex_wake', 'futex_requeue',
      'landlock_create_ruleset', 'landlock_add_rule', 'landlock_restrict_self',
      'uname', 'sysinfo', 'getrandom', 'uretprobe', 'map_shadow_stack', 'riscv_hwprobe',
    ],
  },
  {
    purpose: 'user and group IDs',
    names: [
      'getuid', 'getuid32', 'geteuid', 'geteuid32', 'getgid', 'getgid32', 'getegid', 'getegid32',
      'getresuid', 'getresuid32', 'getresgid', 'getresgid32', 'getgroups', 'getgroups32',
      'setuid', 'setuid32', 'setgid', 'setgid32', 'setreuid', 'setreuid32', 'setregid', 'setregid32',
      'setresuid', 'setresuid32', 'setresgid', 'setresgid32', 'setgroups', 'setgroups32',
      'setfsuid', 'setfsuid32', 'setfsgid', 'setfsgid32',
    ],
  },
  {
    purpose: 'memory: map, protect, lock, advise; anonymous memory files; protection keys',
    names: [
      'brk', 'mmap', 'mmap2', 'munmap', 'mremap', 'mprotect', 'madvise', 'mincore', 'msync', 'mseal', 'remap_file_pages',
      'mlock', 'mlock2', 'mlockall', 'munlock', 'munlockall',
      'memfd_create', 'memfd_secret', 'pkey_alloc', 'pkey_free', 'pkey_mprotect',
    ],
  },
  {
    purpose: 'signals',
    names: [
      'kill', 'tkill', 'tgkill', 'pause', 'alarm', 'sigaltstack', 'sigprocmask', 'sigreturn',
      'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'rt_sigpending', 'rt_sigsuspend',
      'rt_sigtimedwait', 'rt_sigtimedwait_time64', 'rt_sigqueueinfo', 'rt_tgsigqueueinfo',
    ],
  },
  {
    purpose: 'clocks and timers (reading; setting the clock needs CAP_SYS_TIME)',
    names: [
      'time', 'gettimeofday', 'clock_gettime', 'clock_gettime64', 'clock_getres', 'clock_getres_time64',
      'clock_nanosleep', 'clock_nanosleep_time64', 'nanosleep', 'adjtimex', 'clock_adjtime', 'clock_adjtime64',
      'getitimer', 'setitimer', 'timer_create', 'timer_delete', 'timer_getoverrun',
      'timer_gettime', 'timer_gettime64', 'timer_settime', 'timer_settime64',
    ],
  },
  {
    purpose: 'inter-process communication: pipes, System V and POSIX message queues, semaphores, shared memory',
    names: [
      'pipe', 'pipe2', 'ipc',
      'msgget', 'msgctl', 'msgsnd', 'msgrcv',
      'semget', 'semctl', 'semop', 'semtimedop', 'semtimedop_time64',
      'shmget', 'shmctl', 'shmat', 'shmdt',
      'mq_open', 'mq_unlink', 'mq_getsetattr', 'mq_notify', 'mq_timedsend', 'mq_timedsend_time64', 'mq_timedreceive', 'mq_timedreceive_time64',
    ],
  },
  {
    purpose: 'sockets (socket(2) itself is filtered by family below)',
    names: [
      'socketpair', 'socketcall', 'bind', 'listen', 'accept', 'accept4', 'connect', 'shutdown',
      'getsockname', 'getpeername', 'getsockopt', 'setsockopt',
      'send', 'sendto', 'sendmsg', 'sendmmsg', 'recv', 'recvfrom', 'recvmsg', 'recvmmsg', 'recvmmsg_time64',
    ],
  },
  {
    purpose: 'socket(2) for every family below AF_ALG',
    names: ['socket'],
    args: [{ index: 0, value: AF_ALG, op: 'SCMP_CMP_LT' }],
  },
  {
    purpose: 'socket(2) for AF_NFC (39), between the two refused families',
    names: ['socket'],
    args: [{ index: 0, value: 39, op: 'SCMP_CMP_EQ' }],
  },
  {
    purpose: 'socket(2) for the families above AF_VSOCK (AF_KCM, AF_QIPCRTR, AF_SMC, AF_XDP, AF_MCTP …)',
    names: ['socket'],
    args: [{ index: 0, value: AF_VSOCK, op: 'SCMP_CMP_GT' }],
  },
  {
    purpose: 'personality(2) only for the execution domains programs really switch to (Linux, 32-bit addresses, no randomization, and the query)',
    names: ['personality'],
    args: [
      { index: 0, value: 0x0, op: 'SCMP_CMP_EQ' },
      { index: 0, value: 0x8, op: 'SCMP_CMP_EQ' },
      { index: 0, value: 0x20000, op: 'SCMP_CMP_EQ' },
      { index: 0, value: 0x20008, op: 'SCMP_CMP_EQ' },
      { index: 0, value: 0xffffffff, op: 'SCMP_CMP_EQ' },
    ],
  },
  {
    purpose: 'reading and writing another process of the container (kernels since 4.8 check ptrace against seccomp)',
    names: ['ptrace', 'process_vm_readv', 'process_vm_writev'],
  },
  { purpose: 'x86 thread state', names: ['arch_prctl'], arches: ['x64'] },
  { purpose: 'x86 segment tables', names: ['modify_ldt'], arches: ['x64', 'ia32'] },
  { purpose: 'ARM specifics', names: ['arm_fadvise64_64', 'arm_sync_file_range', 'sync_file_range2', 'breakpoint', 'cacheflush', 'set_tls'], arches: ['arm', 'arm64'] },
  { purpose: 'POWER specifics', names: ['sync_file_range2', 'swapcontext'], arches: ['ppc64'] },
  { purpose: 's390 specifics', names: ['s390_pci_mmio_read', 's390_pci_mmio_write', 's390_runtime_instr'], arches: ['s390x'] },
  { purpose: 'RISC-V specifics', names: ['riscv_flush_icache'], arches: ['riscv64'] },

  // Namespaces: clone(2) without namespace flags for everyone; with them, and all the mount,
  // namespace and administration calls, only with CAP_SYS_ADMIN. clone3 passes its flags in
  // memory seccomp cannot see, so without CAP_SYS_ADMIN it says ENOSYS and libc falls back to clone.
  {
    purpose: 'clone(2) without new namespaces',
    names: ['clone'],
    args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
    withoutCapabilities: ['CAP_SYS_ADMIN'],
    exceptArches: ['s390x'],
  },
  {
    purpose: 'clone(2) without new namespaces (s390 swaps the first two arguments)',
    names: ['clone'],
    args: [{ index: 1, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
    withoutCapabilities: ['CAP_SYS_ADMIN'],
    arches: ['s390x'],
  },
  { purpose: 'clone3(2) falls back to clone(2)', names: ['clone3'], errno: ENOSYS, withoutCapabilities: ['CAP_SYS_ADMIN'] },
  {
    purpose: 'administration: mounts, namespaces, host and domain names, quotas, BPF, perf, LSM attributes',
    names: [
      'clone', 'clone3', 'unshare', 'setns',
      'mount', 'umount', 'umount2', 'mount_setattr', 'move_mount', 'open_tree', 'fsopen', 'fsconfig', 'fsmount', 'fspick',
      'sethostname', 'setdomainname', 'quotactl', 'quotactl_fd', 'fanotify_init', 'lookup_dcookie',
      'bpf', 'perf_event_open', 'syslog', 'lsm_get_self_attr', 'lsm_set_self_attr', 'lsm_list_modules',
    ],
    withCapabilities: ['CAP_SYS_ADMIN'],
  },
  { purpose: 'opening files by handle', names: ['open_by_handle_at'], withCapabilities: ['CAP_DAC_READ_SEARCH'] },
  { purpose: 'rebooting (the container\'s PID namespace)', names: ['reboot'], withCapabilities: ['CAP_SYS_BOOT'] },
  { purpose: 'chroot', names: ['chroot'], withCapabilities: ['CAP_SYS_CHROOT'] },
  { purpose: 'kernel modules', names: ['init_module', 'finit_module', 'delete_module'], withCapabilities: ['CAP_SYS_MODULE'] },
  { purpose: 'process accounting', names: ['acct'], withCapabilities: ['CAP_SYS_PACCT'] },
  {
    purpose: 'tracing and inspecting other processes',
    names: ['ptrace', 'process_vm_readv', 'process_vm_writev', 'process_madvise', 'kcmp', 'pidfd_getfd'],
    withCapabilities: ['CAP_SYS_PTRACE'],
  },
  { purpose: 'raw I/O ports', names: ['iopl', 'ioperm'], withCapabilities: ['CAP_SYS_RAWIO'] },
  { purpose: 'setting the clock', names: ['settimeofday', 'stime', 'clock_settime', 'clock_settime64'], withCapabilities: ['CAP_SYS_TIME'] },
  { purpose: 'hanging up the terminal', names: ['vhangup'], withCapabilities: ['CAP_SYS_TTY_CONFIG'] },
  { purpose: 'NUMA memory policy', names: ['mbind', 'get_mempolicy', 'set_mempolicy', 'set_mempolicy_home_node'], withCapabilities: ['CAP_SYS_NICE'] },
  { purpose: 'the kernel log', names: ['syslog'], withCapabilities: ['CAP_SYSLOG'] },
  { purpose: 'BPF programs', names: ['bpf'], withCapabilities: ['CAP_BPF'] },
  { purpose: 'performance monitoring', names: ['perf_event_open'], withCapabilities: ['CAP_PERFMON'] },
];
