/**
 * The OCI `linux.seccomp` of one container: the default policy (seccomp-default-data.ts)
 * narrowed to the container's capabilities and the host's architecture, or a Docker-format
 * profile (`security_opt: [seccomp=<profile>]`) read the same way.
 */
import { InvalidArgumentError } from '../../../errors';
import type { OciSeccomp, OciSeccompAction, OciSeccompArg, OciSeccompOperator, OciSyscallRule } from './oci-spec-types';
import { DEFAULT_SYSCALL_GROUPS, EPERM, type HostArch, type SyscallGroup } from './seccomp-default-data';

/** libseccomp's names of the native architecture and the ones it can also run (32-bit, x32). */
const SECCOMP_ARCHES: Readonly<Record<string, readonly string[]>> = {
  x64: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  ia32: ['SCMP_ARCH_X86'],
  arm64: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
  arm: ['SCMP_ARCH_ARM'],
  ppc64: ['SCMP_ARCH_PPC64LE'],
  s390x: ['SCMP_ARCH_S390X', 'SCMP_ARCH_S390'],
  riscv64: ['SCMP_ARCH_RISCV64'],
  loong64: ['SCMP_ARCH_LOONGARCH64'],
  mips64el: ['SCMP_ARCH_MIPSEL64', 'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64N32'],
};

/** Go's (Docker profiles') names for Node's `process.arch` values. */
const DOCKER_ARCH_NAMES: Readonly<Record<string, readonly string[]>> = {
  x64: ['amd64', 'x86_64'],
  ia32: ['386', 'x86'],
  arm64: ['arm64', 'aarch64'],
  arm: ['arm'],
  ppc64: ['ppc64le'],
  s390x: ['s390x'],
  riscv64: ['riscv64'],
  loong64: ['loong64'],
  mips64el: ['mips64le'],
};

export function seccompArchitectures(arch: string): readonly string[] {
  const arches = SECCOMP_ARCHES[arch];
  if (arches === undefined) throw new InvalidArgumentError(`no seccomp profile for the architecture ${arch}`);
  return arches;
}

function applies(group: SyscallGroup, caps: ReadonlySet<string>, arch: string): boolean {
  if (group.withCapabilities !== undefined && !group.withCapabilities.every((c) => caps.has(c))) return false;
  if (group.withoutCapabilities !== undefined && group.withoutCapabilities.some((c) => caps.has(c))) return false;
  if (group.arches !== undefined && !group.arches.includes(arch as HostArch)) return false;
  if (group.exceptArches !== undefined && group.exceptArches.includes(arch as HostArch)) return false;
  return true;
}

/**
 * One rule per alternative when several conditions test the same argument: the runtime-spec
 * ANDs a rule's conditions, and "personality(0) or personality(8)" is an OR.
 */
function rulesOf(names: readonly string[], action: OciSeccompAction, errnoRet: number | undefined, args: readonly OciSeccompArg[] | undefined): OciSyscallRule[] {
  const base = { names: [...names], action, ...(errnoRet !== undefined ? { errnoRet } : {}) };
  if (args === undefined || args.length === 0) return [base];
  const indexes = new Set(args.map((a) => a.index));
  if (indexes.size === args.length) return [{ ...base, args: [...args] }];
  return args.map((a) => ({ ...base, args: [a] }));
}

/**
 * The default policy for a container with `capabilities` on `arch` (Node's `process.arch`):
 * EPERM for everything but the allowed syscalls.
 */
export function defaultSeccompProfile(capabilities: readonly string[], arch: string = process.arch): OciSeccomp {
  const caps = new Set(capabilities);
  const syscalls: OciSyscallRule[] = [];
  for (const group of DEFAULT_SYSCALL_GROUPS) {
    if (!applies(group, caps, arch)) continue;
    if (group.errno !== undefined) syscalls.push(...rulesOf(group.names, 'SCMP_ACT_ERRNO', group.errno, group.args));
    else syscalls.push(...rulesOf(group.names, 'SCMP_ACT_ALLOW', undefined, group.args));
  }
  return { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: EPERM, architectures: [...seccompArchitectures(arch)], syscalls };
}

// ---- Docker-format profiles (security_opt seccomp=<profile>) ----

const ACTIONS: readonly OciSeccompAction[] = ['SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_TRAP', 'SCMP_ACT_TRACE', 'SCMP_ACT_LOG'];
const OPERATORS: readonly OciSeccompOperator[] = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown, where: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new InvalidArgumentError(`seccomp profile: ${where} must be a list of strings`);
  return v as string[];
}

function action(v: unknown, where: string): OciSeccompAction {
  const a = (v === 'SCMP_ACT_KILL_THREAD' ? 'SCMP_ACT_KILL' : v) as OciSeccompAction;
  if (!ACTIONS.includes(a)) throw new InvalidArgumentError(`seccomp profile: ${where}: unknown action ${JSON.stringify(v)}`);
  return a;
}

function optionalNumber(v: unknown, where: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new InvalidArgumentError(`seccomp profile: ${where} must be a non-negative integer`);
  return v;
}

function filterHolds(filter: unknown, caps: ReadonlySet<string>, arch: string, include: boolean): boolean {
  if (!isRecord(filter)) return include;
  const wantCaps = stringList(filter.caps, 'caps');
  const wantArches = stringList(filter.arches, 'arches');
  const archNames = DOCKER_ARCH_NAMES[arch] ?? [arch];
  if (include) return wantCaps.every((c) => caps.has(c)) && (wantArches.length === 0 || wantArches.some((a) => archNames.includes(a)));
  // an exclude filter holds (the rule is dropped) when any of its caps or arches matches
  return wantCaps.some((c) => caps.has(c)) || wantArches.some((a) => archNames.includes(a));
}

function architecturesOf(profile: Record<string, unknown>, arch: string): string[] {
  const native = seccompArchitectures(arch)[0] ?? '';
  if (Array.isArray(profile.archMap)) {
    for (const entry of profile.archMap as unknown[]) {
      if (isRecord(entry) && entry.architecture === native) return [native, ...stringList(entry.subArchitectures, 'archMap.subArchitectures')];
    }
    return [];
  }
  return stringList(profile.architectures, 'architectures');
}

/**
 * A Docker-format seccomp profile (JSON text, as `docker run --security-opt seccomp=<file>`
 * reads it) for a container with `capabilities` on `arch`: `archMap`, `includes`/`excludes`
 * by caps and arches are applied the way Docker applies them; `minKernel` is assumed met.
 */
export function seccompFromDockerProfile(json: string, capabilities: readonly string[], arch: string = process.arch): OciSeccomp {
  let profile: unknown;
  try {
    profile = JSON.parse(json);
  } catch (e) {
    throw new InvalidArgumentError(`seccomp profile: not valid JSON: ${(e as Error).message}`);
  }
  if (!isRecord(profile)) throw new InvalidArgumentError('seccomp profile: expected a JSON object');
  const caps = new Set(capabilities);
  const syscalls: OciSyscallRule[] = [];
  const list = profile.syscalls ?? [];
  if (!Array.isArray(list)) throw new InvalidArgumentError('seccomp profile: syscalls must be a list');
  list.forEach((entry: unknown, i) => {
    const where = `syscalls[${i}]`;
    if (!isRecord(entry)) throw new InvalidArgumentError(`seccomp profile: ${where} must be an object`);
    if (!filterHolds(entry.includes, caps, arch, true) || filterHolds(entry.excludes, caps, arch, false)) return;
    const names = typeof entry.name === 'string' ? [entry.name, ...stringList(entry.names, `${where}.names`)] : stringList(entry.names, `${where}.names`);
    if (names.length === 0) throw new InvalidArgumentError(`seccomp profile: ${where} names no syscall`);
    const args = Array.isArray(entry.args)
      ? entry.args.map((a: unknown, j): OciSeccompArg => {
          if (!isRecord(a)) throw new InvalidArgumentError(`seccomp profile: ${where}.args[${j}] must be an object`);
          const op = a.op as OciSeccompOperator;
          if (!OPERATORS.includes(op)) throw new InvalidArgumentError(`seccomp profile: ${where}.args[${j}]: unknown operator ${JSON.stringify(a.op)}`);
          const valueTwo = optionalNumber(a.valueTwo, `${where}.args[${j}].valueTwo`);
          return { index: optionalNumber(a.index, `${where}.args[${j}].index`) ?? 0, value: optionalNumber(a.value, `${where}.args[${j}].value`) ?? 0, ...(valueTwo !== undefined && valueTwo !== 0 ? { valueTwo } : op === 'SCMP_CMP_MASKED_EQ' ? { valueTwo: 0 } : {}), op };
        })
      : undefined;
    syscalls.push(...rulesOf(names, action(entry.action, `${where}.action`), optionalNumber(entry.errnoRet, `${where}.errnoRet`), args));
  });
  const defaultErrnoRet = optionalNumber(profile.defaultErrnoRet, 'defaultErrnoRet');
  const flags = stringList(profile.flags, 'flags');
  return {
    defaultAction: action(profile.defaultAction, 'defaultAction'),
    ...(defaultErrnoRet !== undefined ? { defaultErrnoRet } : {}),
    architectures: architecturesOf(profile, arch),
    ...(flags.length > 0 ? { flags } : {}),
    syscalls,
  };
}
