/**
 * ContainerInfo in the shape `docker container inspect` prints, so scripts written for Docker
 * (`jq '.[0].State.ExitCode'`, `.Config.Env`) keep working. Times the engine does not have are
 * Docker's zero time; fields Docker has and tscompose does not know (GraphDriver, LogPath,
 * AppArmorProfile …) are left out rather than invented.
 */
import type { ContainerInfo, MountSpec } from '../../../engine/containers';
import type { ImageConfig } from '../../../engine/engine';
import { dockerHealthcheck } from '../../format/docker-healthcheck';
import { effectiveConfig } from './container-config';

const ZERO_TIME = '0001-01-01T00:00:00Z';

export type DockerContainerInspect = Readonly<Record<string, unknown>> & {
  readonly Id: string;
  readonly Name: string;
  readonly State: Readonly<Record<string, unknown>>;
  readonly Config: Readonly<Record<string, unknown>>;
};

export function dockerContainerInspect(info: ContainerInfo, image?: ImageConfig): DockerContainerInspect {
  const spec = info.spec;
  const s = info.state;
  const config = effectiveConfig(spec, image);
  const healthcheck = spec.healthcheck ?? image?.healthcheck;
  const exposed = [...(image?.exposedPorts ?? []), ...(spec.ports ?? []).map((p) => `${p.target}/${p.protocol}`)];
  return {
    Id: info.id,
    Created: info.created,
    Path: config.path,
    Args: config.args,
    State: {
      Status: s.status,
      Running: s.running,
      Paused: s.paused,
      Restarting: s.restarting,
      OOMKilled: s.oomKilled,
      Dead: s.status === 'dead',
      Pid: s.pid,
      ExitCode: s.exitCode,
      Error: s.error ?? '',
      StartedAt: s.startedAt ?? ZERO_TIME,
      FinishedAt: s.finishedAt ?? ZERO_TIME,
      ...(s.health
        ? {
            Health: {
              Status: s.health.status,
              FailingStreak: s.health.failingStreak,
              Log: s.health.log.map((r) => ({ Start: r.start, End: r.end, ExitCode: r.exitCode, Output: r.output })),
            },
          }
        : {}),
    },
    Image: info.imageId,
    Name: `/${info.name}`,
    RestartCount: info.restartCount,
    Platform: 'linux',
    HostConfig: hostConfig(info),
    Mounts: (spec.mounts ?? []).map(mountOf),
    Config: {
      Hostname: spec.hostname ?? info.id.slice(0, 12),
      Domainname: spec.domainname ?? '',
      User: config.user,
      ...(exposed.length > 0 ? { ExposedPorts: Object.fromEntries(exposed.map((p) => [p, {}])) } : {}),
      Tty: spec.tty === true,
      OpenStdin: spec.openStdin === true,
      Env: config.env,
      Cmd: config.cmd,
      ...(healthcheck ? { Healthcheck: dockerHealthcheck(healthcheck) } : {}),
      Image: info.image,
      WorkingDir: config.workingDir,
      Entrypoint: config.entrypoint,
      Labels: config.labels,
      ...(spec.stopSignal ?? image?.stopSignal ? { StopSignal: spec.stopSignal ?? image?.stopSignal } : {}),
      ...(spec.stopGracePeriod !== undefined ? { StopTimeout: spec.stopGracePeriod } : {}),
    },
    NetworkSettings: {
      Ports: portMap(info),
      Networks: Object.fromEntries(
        Object.entries(info.networks).map(([name, n]) => [
          name,
          { Aliases: n.aliases, IPAddress: n.ipv4Address ?? '', GlobalIPv6Address: n.ipv6Address ?? '', MacAddress: n.macAddress ?? '' },
        ]),
      ),
    },
  };
}

function hostConfig(info: ContainerInfo): Record<string, unknown> {
  const spec = info.spec;
  const r = spec.resources ?? {};
  const mode = spec.networkMode;
  return {
    NetworkMode: mode === undefined ? 'default' : mode.kind === 'container' ? `container:${mode.container}` : mode.kind,
    RestartPolicy: { Name: spec.restartPolicy?.name ?? 'no', MaximumRetryCount: spec.restartPolicy?.maxRetries ?? 0 },
    Init: spec.init === true,
    Privileged: spec.privileged === true,
    ReadonlyRootfs: spec.readOnlyRootfs === true,
    CapAdd: spec.capAdd ?? null,
    CapDrop: spec.capDrop ?? null,
    SecurityOpt: spec.securityOpt ?? null,
    GroupAdd: spec.groupAdd ?? null,
    Dns: spec.dns ?? [],
    DnsSearch: spec.dnsSearch ?? [],
    DnsOptions: spec.dnsOptions ?? [],
    ExtraHosts: spec.extraHosts ?? null,
    OomScoreAdj: spec.oomScoreAdj ?? 0,
    ShmSize: spec.shmSize ?? 64 * 1024 * 1024,
    Memory: r.memory ?? 0,
    MemoryReservation: r.memoryReservation ?? 0,
    MemorySwap: r.memorySwap ?? 0,
    NanoCpus: r.nanoCpus ?? 0,
    CpuShares: r.cpuShares ?? 0,
    CpusetCpus: r.cpusetCpus ?? '',
    PidsLimit: r.pidsLimit ?? null,
    Ulimits: Object.entries(spec.ulimits ?? {}).map(([Name, u]) => ({ Name, Soft: u.soft, Hard: u.hard })),
    Sysctls: spec.sysctls ?? {},
    Devices: (spec.devices ?? []).map((d) => ({ PathOnHost: d.source, PathInContainer: d.target, CgroupPermissions: d.permissions ?? 'rwm' })),
    LogConfig: { Type: spec.logConfig?.driver ?? 'k8s-file', Config: spec.logConfig?.options ?? {} },
    PortBindings: Object.fromEntries(
      (spec.ports ?? []).map((p) => [`${p.target}/${p.protocol}`, [{ HostIp: p.hostIp ?? '', HostPort: p.published ?? '' }]]),
    ),
  };
}

function portMap(info: ContainerInfo): Record<string, Array<{ HostIp: string; HostPort: string }>> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of info.ports) (out[`${p.target}/${p.protocol}`] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
  return out;
}

function mountOf(m: MountSpec): Record<string, unknown> {
  if (m.type === 'bind') return { Type: 'bind', Source: m.source, Destination: m.target, Mode: '', RW: m.readOnly !== true, Propagation: m.propagation ?? 'rprivate' };
  if (m.type === 'volume') return { Type: 'volume', Name: m.source ?? '', Source: '', Destination: m.target, Driver: 'local', Mode: '', RW: m.readOnly !== true, Propagation: '' };
  return { Type: 'tmpfs', Source: '', Destination: m.target, Mode: '', RW: m.readOnly !== true, Propagation: '' };
}
