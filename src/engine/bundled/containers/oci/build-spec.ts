/**
 * A container's OCI runtime spec (the bundle's config.json) from its ContainerSpec, its
 * image's config and what the caller prepared (root file system, user, /etc files, mounts,
 * network namespace, cgroup path): Docker's defaults — namespaces, capabilities, masked and
 * read-only paths, default mounts and devices, the default seccomp policy — with everything a
 * Compose service can change about them applied.
 *
 * Pure apart from reading a seccomp profile file named in `security_opt`; host facts (its
 * devices, its capability bounding set, its architecture) come in through SpecInput.
 * Write it with ociSpecJson (oci-spec-json.ts), not JSON.stringify.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContainerSpec } from '../../../containers';
import type { ImageConfig } from '../../../engine';
import { InvalidArgumentError } from '../../../errors';
import { containerCapabilities } from './capabilities';
import { defaultMounts, MASKED_PATHS, READONLY_PATHS } from './default-mounts';
import { DEFAULT_DEVICE_RULES, DEFAULT_DEVICES, deviceRule, ociDevice, PRIVILEGED_DEVICE_RULES, type ResolvedDevice } from './devices';
import { containerHostname } from './etc-files';
import type { OciMount, OciNamespace, OciSeccomp, OciSpec } from './oci-spec-types';
import { mergeEnv, resolveProcess } from './process';
import { linuxResources } from './resources';
import { rlimitsFromUlimits } from './rlimits';
import { defaultSeccompProfile, seccompFromDockerProfile } from './seccomp-profile';
import { parseSecurityOptions, type SeccompChoice } from './security-options';
import { containerSysctls, type NetworkNamespaceKind } from './sysctls';

export interface ResolvedUser {
  readonly uid: number;
  readonly gid: number;
  readonly additionalGids: readonly number[];
  readonly home?: string;
}

export interface ResolvedMount {
  readonly destination: string;
  readonly type: 'bind' | 'tmpfs';
  readonly source: string;
  readonly options: readonly string[];
}

export interface SpecInput {
  readonly id: string;
  readonly spec: ContainerSpec;
  readonly image: ImageConfig;
  /** Absolute path of the mounted overlay (merged). */
  readonly rootfs: string;
  /** resolveUser(rootfs, spec.user ?? image.user, spec.groupAdd). */
  readonly user: ResolvedUser;
  /** Host paths of the container's files, bind-mounted at /etc/hosts, /etc/hostname, /etc/resolv.conf. */
  readonly etcFiles: { readonly hosts: string; readonly hostname: string; readonly resolvConf: string };
  /** Binds, volumes and tmpfs mounts prepared by the caller; they replace a default mount at the same place. */
  readonly mounts: readonly ResolvedMount[];
  /** A network namespace to join (required for network mode `container:`); absent = a new one, loopback only. */
  readonly netns?: string;
  /** e.g. "/tscompose/<id>". */
  readonly cgroupsPath: string;
  /** Host path of a static init (tini-static), bind-mounted read-only when spec.init. */
  readonly initPath?: string;
  /** resolveDevices(spec.devices) — required when spec.devices is not empty; with privileged, hostDevices() too. */
  readonly devices?: readonly ResolvedDevice[];
  /** The host's capability bounding set (hostCapabilities()): what privileged and cap_add ALL mean. Default: all of Linux's. */
  readonly availableCapabilities?: readonly string[];
  /** Node's process.arch of the host, for the seccomp architectures. Default: process.arch. */
  readonly arch?: string;
  /** The hostname when not spec.hostname (e.g. the host's, for network mode host). Default: the ID's first 12 characters. */
  readonly hostname?: string;
}

/** Where the init binary appears in the container. */
export const INIT_PATH_IN_CONTAINER = '/sbin/tscompose-init';
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const OCI_VERSION = '1.0.2';

function networkKind(spec: ContainerSpec, netns: string | undefined): NetworkNamespaceKind {
  const mode = spec.networkMode?.kind;
  if (mode === 'host') return 'host';
  if (mode === 'container') {
    if (netns === undefined) throw new InvalidArgumentError(`container ${spec.name}: network mode container:${spec.networkMode?.kind === 'container' ? spec.networkMode.container : ''} needs that container's network namespace`);
    return 'shared';
  }
  return 'own';
}

function namespaces(kind: NetworkNamespaceKind, netns: string | undefined): OciNamespace[] {
  const out: OciNamespace[] = [{ type: 'pid' }];
  if (kind !== 'host') out.push(netns !== undefined ? { type: 'network', path: netns } : { type: 'network' });
  out.push({ type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' });
  return out;
}

function cleanDestination(destination: string, where: string): string {
  if (!path.posix.isAbsolute(destination)) throw new InvalidArgumentError(`${where}: the mount target ${JSON.stringify(destination)} must be an absolute path`);
  const clean = path.posix.normalize(destination).replace(/(.)\/+$/, '$1');
  if (clean === '/') throw new InvalidArgumentError(`${where}: cannot mount over the container's root /`);
  return clean;
}

const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

function userMount(m: ResolvedMount, name: string): OciMount {
  const where = `container ${name}`;
  const destination = cleanDestination(m.destination, where);
  if (m.type === 'tmpfs') return { destination, type: 'tmpfs', source: 'tmpfs', options: [...m.options] };
  if (!path.isAbsolute(m.source)) throw new InvalidArgumentError(`${where}: the bind source ${JSON.stringify(m.source)} for ${destination} must be an absolute path`);
  const options = [...m.options];
  if (!options.includes('bind') && !options.includes('rbind')) options.unshift('rbind');
  if (!options.some((o) => PROPAGATIONS.includes(o))) options.push('rprivate');
  return { destination, type: 'bind', source: m.source, options };
}

function depth(p: string): number {
  return p.split('/').filter((s) => s !== '').length;
}

function mounts(input: SpecInput, privileged: boolean): OciMount[] {
  const { spec } = input;
  const etcAccess = spec.readOnlyRootfs === true ? 'ro' : 'rw';
  const etcBind = (destination: string, source: string): OciMount => ({ destination, type: 'bind', source, options: ['rbind', 'rprivate', etcAccess] });
  const own: OciMount[] = [
    etcBind('/etc/hosts', input.etcFiles.hosts),
    etcBind('/etc/hostname', input.etcFiles.hostname),
    etcBind('/etc/resolv.conf', input.etcFiles.resolvConf),
  ];
  if (spec.init === true) {
    if (input.initPath === undefined) throw new InvalidArgumentError(`container ${spec.name}: init is requested but the engine has no init binary (tini)`);
    own.push({ destination: INIT_PATH_IN_CONTAINER, type: 'bind', source: input.initPath, options: ['bind', 'ro', 'nosuid', 'nodev'] });
  }
  const user = input.mounts.map((m) => userMount(m, spec.name));
  const seen = new Set<string>();
  for (const m of user) {
    if (seen.has(m.destination)) throw new InvalidArgumentError(`container ${spec.name}: two mounts at ${m.destination}`);
    seen.add(m.destination);
  }
  const defaults = defaultMounts({ ...(spec.shmSize !== undefined ? { shmSize: spec.shmSize } : {}), privileged }).filter((m) => !seen.has(m.destination));
  // the engine's own mounts and the user's, parents before children (a stable sort by depth)
  const rest = [...own.filter((m) => !seen.has(m.destination)), ...user].map((m, i) => ({ m, i }));
  rest.sort((a, b) => depth(a.m.destination) - depth(b.m.destination) || a.i - b.i);
  return [...defaults, ...rest.map((r) => r.m)];
}

function seccompOf(choice: SeccompChoice, privileged: boolean, caps: readonly string[], arch: string): OciSeccomp | undefined {
  if (privileged || choice.kind === 'unconfined') return undefined;
  if (choice.kind === 'default') return defaultSeccompProfile(caps, arch);
  if (choice.kind === 'profile') return seccompFromDockerProfile(choice.json, caps, arch);
  let json: string;
  try {
    json = fs.readFileSync(choice.path, 'utf8');
  } catch (e) {
    throw new InvalidArgumentError(`cannot read the seccomp profile ${choice.path}: ${(e as Error).message}`);
  }
  return seccompFromDockerProfile(json, caps, arch);
}

function devicesOf(input: SpecInput): readonly ResolvedDevice[] {
  if (input.devices !== undefined) return input.devices;
  if ((input.spec.devices ?? []).length > 0) throw new Error(`container ${input.spec.name}: spec.devices must be resolved (resolveDevices) before building the OCI spec`);
  return [];
}

export function buildOciSpec(input: SpecInput): OciSpec {
  const { spec, id } = input;
  const privileged = spec.privileged === true;
  const security = parseSecurityOptions(spec.securityOpt);
  const arch = input.arch ?? process.arch;
  const caps = containerCapabilities({
    privileged,
    ...(spec.capAdd !== undefined ? { capAdd: spec.capAdd } : {}),
    ...(spec.capDrop !== undefined ? { capDrop: spec.capDrop } : {}),
    ...(input.availableCapabilities !== undefined ? { available: input.availableCapabilities } : {}),
  });
  const kind = networkKind(spec, input.netns);
  const hostname = spec.hostname !== undefined && spec.hostname !== '' ? spec.hostname : input.hostname ?? containerHostname(id, spec);

  const resolved = resolveProcess(spec, input.image);
  const base = [`PATH=${DEFAULT_PATH}`, `HOSTNAME=${hostname}`, ...(spec.tty === true ? ['TERM=xterm'] : [])];
  let env = mergeEnv(base, resolved.env);
  if (input.user.home !== undefined && !env.some((e) => e.startsWith('HOME='))) env = [...env, `HOME=${input.user.home}`];
  const args = spec.init === true ? [INIT_PATH_IN_CONTAINER, '--', ...resolved.args] : [...resolved.args];

  if (spec.oomScoreAdj !== undefined && (!Number.isInteger(spec.oomScoreAdj) || spec.oomScoreAdj < -1000 || spec.oomScoreAdj > 1000)) {
    throw new InvalidArgumentError(`oom_score_adj must be between -1000 and 1000, not ${spec.oomScoreAdj}`);
  }
  const rlimits = rlimitsFromUlimits(spec.ulimits);
  const sysctl = containerSysctls(spec.sysctls, kind);
  const devices = devicesOf(input);
  const deviceNodes = [...DEFAULT_DEVICES.filter((d) => !devices.some((x) => x.path === d.path)), ...devices.map(ociDevice)];
  const deviceRules = privileged ? [...PRIVILEGED_DEVICE_RULES] : [...DEFAULT_DEVICE_RULES, ...devices.map(deviceRule)];
  const seccomp = seccompOf(security.seccomp, privileged, caps, arch);
  const unmasked = privileged || security.unmaskedSystemPaths;

  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: spec.tty === true,
      user: { uid: input.user.uid, gid: input.user.gid, ...(input.user.additionalGids.length > 0 ? { additionalGids: [...input.user.additionalGids] } : {}) },
      args,
      env,
      cwd: resolved.cwd,
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      ...(rlimits.length > 0 ? { rlimits } : {}),
      ...(security.noNewPrivileges ? { noNewPrivileges: true } : {}),
      ...(spec.oomScoreAdj !== undefined ? { oomScoreAdj: spec.oomScoreAdj } : {}),
    },
    root: { path: input.rootfs, readonly: spec.readOnlyRootfs === true },
    hostname,
    ...(spec.domainname !== undefined && spec.domainname !== '' ? { domainname: spec.domainname } : {}),
    mounts: mounts(input, privileged),
    linux: {
      namespaces: namespaces(kind, input.netns),
      devices: deviceNodes,
      cgroupsPath: input.cgroupsPath,
      resources: { devices: deviceRules, ...linuxResources(spec.resources) },
      ...(Object.keys(sysctl).length > 0 ? { sysctl } : {}),
      ...(seccomp !== undefined ? { seccomp } : {}),
      ...(unmasked ? {} : { maskedPaths: [...MASKED_PATHS], readonlyPaths: [...READONLY_PATHS] }),
    },
  };
}
