/**
 * The typed, readonly Compose model: a typed view of the normalized tree
 * (normalize.ts), with the spec's own key names. Values are in their long
 * form: ports are maps with a numeric `target` and a string `published`,
 * byte sizes are numbers of bytes, durations are Go-style text (`1m30s`,
 * see loader/durations.ts to read them), `environment` values are strings or
 * `null` (unset).
 *
 * A Project is never mutated (DESIGN habit 8): `withProfiles()` and
 * `withServices()` return new projects; everything is frozen. Source
 * positions stay on the loader's tree (LoadResult.tree); the model is plain.
 */
import { NotFoundError } from './errors';
import { isMap, stripOrigins, type TreeMap } from './loader/tree';

/** Go-style duration text: `10s`, `1m30s`, `500ms`. */
export type Duration = string;
export type Mapping = Readonly<Record<string, string>>;
export type Extensions = Readonly<Record<`x-${string}`, unknown>>;

export interface DependsOnConfig {
  readonly condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  readonly required: boolean;
  readonly restart?: boolean;
}

export interface PortConfig {
  readonly name?: string;
  readonly mode: 'ingress' | 'host' | string;
  readonly host_ip?: string;
  readonly target: number;
  /** A port or a range (`8000-8010`); absent means "any free port". */
  readonly published?: string;
  readonly protocol: 'tcp' | 'udp' | 'sctp' | string;
  readonly app_protocol?: string;
}

export interface ServiceVolumeConfig {
  readonly type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster' | 'image';
  /** Host path (bind, absolute after path resolution) or volume name; absent for anonymous volumes and tmpfs. */
  readonly source?: string;
  readonly target: string;
  readonly read_only?: boolean;
  readonly consistency?: string;
  readonly bind?: {
    readonly selinux?: 'z' | 'Z';
    readonly propagation?: string;
    /** True for the short syntax; Docker Compose also reads an absent value as true. */
    readonly create_host_path?: boolean;
    readonly recursive?: string;
  };
  readonly volume?: { readonly nocopy?: boolean; readonly subpath?: string };
  /** `size` in bytes, `mode` as permission bits. */
  readonly tmpfs?: { readonly size?: number; readonly mode?: number };
  readonly image?: { readonly subpath?: string };
}

export interface ServiceFileMount {
  readonly source: string;
  readonly target?: string;
  readonly uid?: string;
  readonly gid?: string;
  /** Permission bits (`0o440`). */
  readonly mode?: number;
}

export interface EnvFileConfig {
  /** Absolute after path resolution. */
  readonly path: string;
  readonly required: boolean;
  readonly format?: string;
}

export interface ServiceNetworkConfig {
  readonly aliases?: readonly string[];
  readonly ipv4_address?: string;
  readonly ipv6_address?: string;
  readonly link_local_ips?: readonly string[];
  readonly mac_address?: string;
  readonly driver_opts?: Mapping;
  readonly priority?: number;
  readonly gw_priority?: number;
  readonly interface_name?: string;
}

export interface BuildConfig {
  /** An absolute directory after path resolution, or a URL. */
  readonly context: string;
  readonly dockerfile?: string;
  readonly dockerfile_inline?: string;
  readonly args?: Readonly<Record<string, string | null>>;
  readonly ssh?: readonly string[];
  readonly labels?: Mapping;
  readonly cache_from?: readonly string[];
  readonly cache_to?: readonly string[];
  readonly no_cache?: boolean;
  readonly additional_contexts?: Mapping;
  readonly pull?: boolean;
  readonly extra_hosts?: readonly string[];
  readonly isolation?: string;
  readonly network?: string;
  readonly target?: string;
  readonly secrets?: readonly ServiceFileMount[];
  readonly shm_size?: number;
  readonly tags?: readonly string[];
  readonly ulimits?: Readonly<Record<string, number | UlimitConfig>>;
  readonly platforms?: readonly string[];
  readonly privileged?: boolean;
  readonly entitlements?: readonly string[];
  readonly provenance?: string | boolean;
  readonly sbom?: string | boolean;
}

export interface UlimitConfig {
  readonly soft: number;
  readonly hard: number;
}

export interface HealthCheckConfig {
  /** `[CMD, …]`, `[CMD-SHELL, command]` or `[NONE]`. */
  readonly test?: readonly string[];
  readonly interval?: Duration;
  readonly timeout?: Duration;
  readonly retries?: number;
  readonly start_period?: Duration;
  readonly start_interval?: Duration;
  readonly disable?: boolean;
}

export interface DeviceRequest {
  readonly capabilities?: readonly string[];
  readonly driver?: string;
  /** -1 means all. */
  readonly count?: number;
  readonly device_ids?: readonly string[];
  readonly options?: Mapping;
}

export interface ResourceConfig {
  readonly cpus?: number;
  readonly memory?: number;
  readonly pids?: number;
  readonly devices?: readonly DeviceRequest[];
  readonly generic_resources?: readonly { readonly discrete_resource_spec?: { readonly kind: string; readonly value: number } }[];
}

export interface UpdateConfig {
  readonly parallelism?: number;
  readonly delay?: Duration;
  readonly failure_action?: string;
  readonly monitor?: Duration;
  readonly max_failure_ratio?: number;
  readonly order?: string;
}

export interface DeployConfig {
  readonly mode?: string;
  readonly replicas?: number;
  readonly labels?: Mapping;
  readonly update_config?: UpdateConfig;
  readonly rollback_config?: UpdateConfig;
  readonly resources?: { readonly limits?: ResourceConfig; readonly reservations?: ResourceConfig };
  readonly restart_policy?: { readonly condition?: string; readonly delay?: Duration; readonly max_attempts?: number; readonly window?: Duration };
  readonly placement?: {
    readonly constraints?: readonly string[];
    readonly preferences?: readonly { readonly spread?: string }[];
    readonly max_replicas_per_node?: number;
  };
  readonly endpoint_mode?: string;
}

export interface LoggingConfig {
  readonly driver?: string;
  readonly options?: Mapping;
}

export interface ServiceHook {
  readonly command: readonly string[];
  readonly user?: string;
  readonly privileged?: boolean;
  readonly working_dir?: string;
  readonly environment?: Readonly<Record<string, string | null>>;
}

export interface WatchRule {
  readonly path: string;
  readonly action: 'sync' | 'rebuild' | 'restart' | 'sync+restart' | 'sync+exec' | string;
  readonly target?: string;
  readonly ignore?: readonly string[];
  readonly include?: readonly string[];
  readonly exec?: ServiceHook;
  readonly initial_sync?: boolean;
}

export interface ServiceConfig {
  /** The service's key in `services`. */
  readonly name: string;
  readonly profiles?: readonly string[];
  readonly annotations?: Mapping;
  readonly attach?: boolean;
  readonly build?: BuildConfig;
  readonly develop?: { readonly watch?: readonly WatchRule[] };
  readonly blkio_config?: {
    readonly weight?: number;
    readonly weight_device?: readonly { readonly path: string; readonly weight: number }[];
    readonly device_read_bps?: readonly { readonly path: string; readonly rate: number }[];
    readonly device_read_iops?: readonly { readonly path: string; readonly rate: number }[];
    readonly device_write_bps?: readonly { readonly path: string; readonly rate: number }[];
    readonly device_write_iops?: readonly { readonly path: string; readonly rate: number }[];
  };
  readonly cap_add?: readonly string[];
  readonly cap_drop?: readonly string[];
  readonly cgroup_parent?: string;
  readonly cgroup?: string;
  readonly cpu_count?: number;
  readonly cpu_percent?: number;
  readonly cpu_period?: number;
  readonly cpu_quota?: number;
  readonly cpu_rt_period?: number | string;
  readonly cpu_rt_runtime?: number | string;
  readonly cpus?: number;
  readonly cpuset?: string;
  readonly cpu_shares?: number;
  /** `[]` clears the image's command; absent keeps it. */
  readonly command?: readonly string[] | null;
  readonly configs?: readonly ServiceFileMount[];
  readonly container_name?: string;
  readonly credential_spec?: { readonly config?: string; readonly file?: string; readonly registry?: string };
  readonly depends_on?: Readonly<Record<string, DependsOnConfig>>;
  readonly deploy?: DeployConfig;
  readonly device_cgroup_rules?: readonly string[];
  readonly devices?: readonly { readonly source: string; readonly target: string; readonly permissions: string }[];
  readonly dns?: readonly string[];
  readonly dns_opt?: readonly string[];
  readonly dns_search?: readonly string[];
  readonly domainname?: string;
  readonly entrypoint?: readonly string[] | null;
  /** `null`: declared without a value and unset in the project environment. */
  readonly environment?: Readonly<Record<string, string | null>>;
  readonly env_file?: readonly EnvFileConfig[];
  readonly expose?: readonly string[];
  readonly extends?: { readonly file?: string; readonly service: string };
  readonly external_links?: readonly string[];
  /** `host=ip`, sorted. */
  readonly extra_hosts?: readonly string[];
  readonly group_add?: readonly (string | number)[];
  readonly gpus?: readonly DeviceRequest[];
  readonly hostname?: string;
  readonly healthcheck?: HealthCheckConfig;
  readonly image?: string;
  readonly init?: boolean;
  readonly ipc?: string;
  readonly isolation?: string;
  readonly labels?: Mapping;
  readonly label_file?: readonly string[];
  readonly links?: readonly string[];
  readonly logging?: LoggingConfig;
  readonly mem_limit?: number;
  readonly mem_reservation?: number;
  readonly memswap_limit?: number;
  readonly mem_swappiness?: number;
  readonly mac_address?: string;
  readonly models?: Readonly<Record<string, { readonly endpoint_var?: string; readonly model_var?: string } | null>>;
  readonly network_mode?: string;
  /** `null` values: attached with no options. */
  readonly networks?: Readonly<Record<string, ServiceNetworkConfig | null>>;
  readonly oom_kill_disable?: boolean;
  readonly oom_score_adj?: number;
  readonly pid?: string;
  readonly pids_limit?: number;
  readonly platform?: string;
  readonly ports?: readonly PortConfig[];
  readonly post_start?: readonly ServiceHook[];
  readonly pre_stop?: readonly ServiceHook[];
  readonly privileged?: boolean;
  readonly provider?: { readonly type: string; readonly options?: Readonly<Record<string, unknown>> };
  readonly pull_policy?: string;
  readonly read_only?: boolean;
  readonly restart?: string;
  readonly runtime?: string;
  readonly scale?: number;
  readonly secrets?: readonly ServiceFileMount[];
  readonly security_opt?: readonly string[];
  readonly shm_size?: number;
  readonly stdin_open?: boolean;
  readonly stop_grace_period?: Duration;
  readonly stop_signal?: string;
  readonly storage_opt?: Mapping;
  readonly sysctls?: Mapping;
  readonly tmpfs?: readonly string[];
  readonly tty?: boolean;
  readonly ulimits?: Readonly<Record<string, number | UlimitConfig>>;
  readonly use_api_socket?: boolean;
  readonly user?: string;
  readonly userns_mode?: string;
  readonly uts?: string;
  readonly volume_driver?: string;
  readonly volumes?: readonly ServiceVolumeConfig[];
  readonly volumes_from?: readonly string[];
  readonly working_dir?: string;
  readonly [extension: `x-${string}`]: unknown;
}

export interface IpamPool {
  readonly subnet?: string;
  readonly gateway?: string;
  readonly ip_range?: string;
  readonly aux_addresses?: Mapping;
}

export interface NetworkConfig {
  /** `<project>_<key>` unless given, or the key for external networks. */
  readonly name?: string;
  readonly driver?: string;
  readonly driver_opts?: Mapping;
  readonly ipam?: { readonly driver?: string; readonly config?: readonly IpamPool[]; readonly options?: Mapping };
  readonly external?: boolean;
  readonly internal?: boolean;
  readonly attachable?: boolean;
  readonly labels?: Mapping;
  readonly enable_ipv4?: boolean;
  readonly enable_ipv6?: boolean;
  readonly [extension: `x-${string}`]: unknown;
}

export interface VolumeConfig {
  readonly name?: string;
  readonly driver?: string;
  readonly driver_opts?: Mapping;
  readonly external?: boolean;
  readonly labels?: Mapping;
  readonly [extension: `x-${string}`]: unknown;
}

/** A top-level secret or config. */
export interface FileObjectConfig {
  readonly name?: string;
  readonly file?: string;
  readonly environment?: string;
  readonly content?: string;
  readonly external?: boolean;
  readonly labels?: Mapping;
  readonly driver?: string;
  readonly driver_opts?: Mapping;
  readonly template_driver?: string;
  readonly [extension: `x-${string}`]: unknown;
}
export type SecretConfig = FileObjectConfig;
export type ConfigObjConfig = FileObjectConfig;

export interface ModelConfig {
  readonly name?: string;
  readonly model: string;
  readonly context_size?: number;
  readonly runtime_flags?: readonly string[];
}

export interface ProjectMeta {
  readonly name: string;
  readonly workingDir: string;
  readonly configFiles: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  /** Services the profiles stage left out (normalized trees), so `withProfiles()` can bring them back. */
  readonly disabledServices?: TreeMap;
}

export interface Project {
  readonly name: string;
  readonly workingDir: string;
  readonly configFiles: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  readonly services: Readonly<Record<string, ServiceConfig>>;
  /** Services left out by profiles or by `withServices()`. */
  readonly disabledServices: Readonly<Record<string, ServiceConfig>>;
  readonly networks: Readonly<Record<string, NetworkConfig>>;
  readonly volumes: Readonly<Record<string, VolumeConfig>>;
  readonly secrets: Readonly<Record<string, SecretConfig>>;
  readonly configs: Readonly<Record<string, ConfigObjConfig>>;
  readonly models: Readonly<Record<string, ModelConfig>>;
  /** Top-level `x-*` keys. */
  readonly extensions: Readonly<Record<string, unknown>>;
  /** Service names, sorted. */
  serviceNames(): string[];
  /** Throws NotFoundError for an unknown (or disabled) service. */
  getService(name: string): ServiceConfig;
  /** A new project whose enabled services are those of `profiles` (`*`: all) plus those without profiles. */
  withProfiles(profiles: readonly string[]): Project;
  /**
   * A new project with only `names` enabled, plus (unless `dependencies` is
   * false) everything they depend on, transitively. Unknown names throw NotFoundError.
   */
  withServices(names: readonly string[], options?: { readonly dependencies?: boolean }): Project;
}

interface Parts {
  readonly meta: Omit<ProjectMeta, 'disabledServices'>;
  readonly services: Readonly<Record<string, ServiceConfig>>;
  readonly disabled: Readonly<Record<string, ServiceConfig>>;
  readonly networks: Readonly<Record<string, NetworkConfig>>;
  readonly volumes: Readonly<Record<string, VolumeConfig>>;
  readonly secrets: Readonly<Record<string, SecretConfig>>;
  readonly configs: Readonly<Record<string, ConfigObjConfig>>;
  readonly models: Readonly<Record<string, ModelConfig>>;
  readonly extensions: Readonly<Record<string, unknown>>;
}

export function projectFromTree(tree: TreeMap, meta: ProjectMeta): Project {
  const own = deepFreeze(stripOrigins(tree));
  /** `plain`: the services are already without origins (and frozen): no second copy. */
  const servicesOf = (m: unknown, plain = false): Record<string, ServiceConfig> => {
    const out: Record<string, ServiceConfig> = {};
    if (!isMap(m)) return out;
    for (const [name, svc] of Object.entries(m)) out[name] = deepFreeze({ ...(isMap(svc) ? (plain ? svc : stripOrigins(svc)) : {}), name } as ServiceConfig);
    return out;
  };
  const section = <T>(key: string): Readonly<Record<string, T>> => {
    const m = own[key];
    const out: Record<string, T> = {};
    if (isMap(m)) for (const [k, v] of Object.entries(m)) out[k] = (isMap(v) ? v : Object.freeze({})) as T;
    return Object.freeze(out);
  };
  const { disabledServices, ...rest } = meta;
  return makeProject({
    meta: Object.freeze({ ...rest, configFiles: Object.freeze([...rest.configFiles]), environment: Object.freeze({ ...rest.environment }) }),
    services: Object.freeze(servicesOf(own.services, true)),
    disabled: Object.freeze(servicesOf(disabledServices)),
    networks: section<NetworkConfig>('networks'),
    volumes: section<VolumeConfig>('volumes'),
    secrets: section<SecretConfig>('secrets'),
    configs: section<ConfigObjConfig>('configs'),
    models: section<ModelConfig>('models'),
    extensions: Object.freeze(Object.fromEntries(Object.entries(own).filter(([k]) => k.startsWith('x-')))),
  });
}

function makeProject(p: Parts): Project {
  const project: Project = {
    name: p.meta.name,
    workingDir: p.meta.workingDir,
    configFiles: p.meta.configFiles,
    environment: p.meta.environment,
    services: p.services,
    disabledServices: p.disabled,
    networks: p.networks,
    volumes: p.volumes,
    secrets: p.secrets,
    configs: p.configs,
    models: p.models,
    extensions: p.extensions,
    serviceNames: () => Object.keys(p.services).sort(),
    getService(name) {
      const s = p.services[name];
      if (!s) {
        const why = name in p.disabled ? ' (it is disabled: its profile is not active)' : '';
        throw new NotFoundError(`no such service: ${name}${why}`);
      }
      return s;
    },
    withProfiles(profiles) {
      const all = { ...p.disabled, ...p.services };
      const active = new Set(profiles);
      const enabled = (s: ServiceConfig): boolean =>
        !s.profiles || s.profiles.length === 0 || active.has('*') || s.profiles.some((x) => active.has(x));
      return split(p, all, (name) => enabled(all[name]));
    },
    withServices(names, options = {}) {
      const all = { ...p.disabled, ...p.services };
      const unknown = names.filter((n) => !(n in all));
      if (unknown.length > 0) throw new NotFoundError(`no such service: ${unknown.join(', ')}`);
      const keep = new Set<string>();
      const visit = (n: string): void => {
        if (keep.has(n) || !(n in all)) return;
        keep.add(n);
        if (options.dependencies === false) return;
        for (const dep of Object.keys(all[n].depends_on ?? {})) visit(dep);
      };
      names.forEach(visit);
      return split(p, all, (name) => keep.has(name));
    },
  };
  return Object.freeze(project);
}

function split(p: Parts, all: Readonly<Record<string, ServiceConfig>>, enabled: (name: string) => boolean): Project {
  const services: Record<string, ServiceConfig> = {};
  const disabled: Record<string, ServiceConfig> = {};
  for (const name of Object.keys(all)) (enabled(name) ? services : disabled)[name] = all[name];
  return makeProject({ ...p, services: Object.freeze(services), disabled: Object.freeze(disabled) });
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v as object)) deepFreeze(child);
  }
  return v;
}
