/**
 * The subset of the OCI runtime specification's config.json (runtime-spec v1.0.2, as runc 1.1
 * and crun read it) that tscompose writes. Field names are the JSON names of the spec; optional
 * fields are left out of the JSON when absent.
 */

export interface OciSpec {
  readonly ociVersion: string;
  readonly process: OciProcess;
  readonly root: { readonly path: string; readonly readonly?: boolean };
  readonly hostname?: string;
  readonly domainname?: string;
  readonly mounts: readonly OciMount[];
  readonly linux: OciLinux;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface OciUser {
  readonly uid: number;
  readonly gid: number;
  readonly umask?: number;
  readonly additionalGids?: readonly number[];
}

export interface OciCapabilities {
  readonly bounding: readonly string[];
  readonly effective: readonly string[];
  readonly permitted: readonly string[];
  readonly inheritable?: readonly string[];
  readonly ambient?: readonly string[];
}

export interface OciRlimit {
  /** `RLIMIT_NOFILE` … */
  readonly type: string;
  readonly hard: number;
  readonly soft: number;
}

/** Also what `runc exec --process` reads. */
export interface OciProcess {
  readonly terminal?: boolean;
  readonly user: OciUser;
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  readonly capabilities?: OciCapabilities;
  readonly rlimits?: readonly OciRlimit[];
  readonly noNewPrivileges?: boolean;
  readonly oomScoreAdj?: number;
  readonly apparmorProfile?: string;
}

export interface OciMount {
  readonly destination: string;
  readonly type: string;
  readonly source: string;
  readonly options?: readonly string[];
}

export type OciNamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup' | 'time';

export interface OciNamespace {
  readonly type: OciNamespaceType;
  /** Join this namespace instead of making a new one. */
  readonly path?: string;
}

export interface OciDevice {
  readonly path: string;
  readonly type: 'c' | 'b' | 'u' | 'p';
  readonly major: number;
  readonly minor: number;
  readonly fileMode?: number;
  readonly uid?: number;
  readonly gid?: number;
}

/** A devices-cgroup rule; absent major/minor mean "any" (`*`), absent type means all (`a`). */
export interface OciDeviceRule {
  readonly allow: boolean;
  readonly type?: 'a' | 'c' | 'b';
  readonly major?: number;
  readonly minor?: number;
  readonly access?: string;
}

export interface OciMemory {
  readonly limit?: number;
  readonly reservation?: number;
  /** Memory + swap, as the spec and cgroup v1's memsw. */
  readonly swap?: number;
  readonly swappiness?: number;
  readonly disableOOMKiller?: boolean;
}

export interface OciCpu {
  readonly shares?: number;
  readonly quota?: number;
  readonly period?: number;
  readonly cpus?: string;
  readonly mems?: string;
}

export interface OciResources {
  readonly devices?: readonly OciDeviceRule[];
  readonly memory?: OciMemory;
  readonly cpu?: OciCpu;
  readonly pids?: { readonly limit: number };
  readonly blockIO?: { readonly weight?: number };
}

export type OciSeccompAction = 'SCMP_ACT_ALLOW' | 'SCMP_ACT_ERRNO' | 'SCMP_ACT_KILL' | 'SCMP_ACT_KILL_PROCESS' | 'SCMP_ACT_TRAP' | 'SCMP_ACT_TRACE' | 'SCMP_ACT_LOG';

export type OciSeccompOperator = 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_EQ' | 'SCMP_CMP_GE' | 'SCMP_CMP_GT' | 'SCMP_CMP_MASKED_EQ';

export interface OciSeccompArg {
  readonly index: number;
  readonly value: number;
  readonly valueTwo?: number;
  readonly op: OciSeccompOperator;
}

export interface OciSyscallRule {
  readonly names: readonly string[];
  readonly action: OciSeccompAction;
  readonly errnoRet?: number;
  readonly args?: readonly OciSeccompArg[];
}

export interface OciSeccomp {
  readonly defaultAction: OciSeccompAction;
  readonly defaultErrnoRet?: number;
  readonly architectures?: readonly string[];
  readonly flags?: readonly string[];
  readonly syscalls?: readonly OciSyscallRule[];
}

export interface OciLinux {
  readonly namespaces: readonly OciNamespace[];
  readonly devices?: readonly OciDevice[];
  readonly cgroupsPath?: string;
  readonly resources?: OciResources;
  readonly sysctl?: Readonly<Record<string, string>>;
  readonly seccomp?: OciSeccomp;
  readonly maskedPaths?: readonly string[];
  readonly readonlyPaths?: readonly string[];
  readonly rootfsPropagation?: string;
}
