/**
 * The container part of the Engine interface: what a Compose service can ask of a
 * container (ContainerSpec), what an engine reports about one (ContainerInfo), and the
 * operations (ContainerStore). Engine-neutral: the bundled engine, the docker adapter and
 * the in-memory fake all speak these types; nothing of an adapter leaks through.
 *
 * Units: bytes for sizes, nanoseconds for healthcheck durations (as Docker's API), seconds
 * for stop grace periods, nano-CPUs for `cpus` (1 CPU = 1e9).
 */

/** A Docker-style restart policy. `maxRetries` only for `on-failure` (0 = unlimited). */
export interface RestartPolicy {
  readonly name: 'no' | 'always' | 'on-failure' | 'unless-stopped';
  readonly maxRetries?: number;
}

export interface HealthcheckSpec {
  /** `['CMD', …]`, `['CMD-SHELL', 'cmd']` or `['NONE']` (turns the image's check off). */
  readonly test?: readonly string[];
  readonly intervalNs?: number;
  readonly timeoutNs?: number;
  readonly startPeriodNs?: number;
  readonly startIntervalNs?: number;
  readonly retries?: number;
}

export type MountSpec =
  | {
      readonly type: 'bind';
      /** Absolute host path. */
      readonly source: string;
      readonly target: string;
      readonly readOnly?: boolean;
      /** Create a missing source directory (the short syntax's behaviour); default false. */
      readonly createHostPath?: boolean;
      readonly propagation?: 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave';
      readonly selinux?: 'z' | 'Z';
    }
  | {
      readonly type: 'volume';
      /** The engine volume's name; absent for an anonymous volume (the engine makes one). */
      readonly source?: string;
      readonly target: string;
      readonly readOnly?: boolean;
      /** Don't copy the image's content at `target` into an empty volume. */
      readonly noCopy?: boolean;
      readonly subpath?: string;
    }
  | {
      readonly type: 'tmpfs';
      readonly target: string;
      readonly readOnly?: boolean;
      /** Bytes; 0 or absent = the kernel's default. */
      readonly size?: number;
      /** File mode of the mount's root, e.g. 0o1777. */
      readonly mode?: number;
    };

/** One network the container joins, in `priority` order (eth0 first). */
export interface NetworkAttachment {
  /** The engine network's name (`myproject_default`). */
  readonly network: string;
  readonly aliases?: readonly string[];
  readonly ipv4Address?: string;
  readonly ipv6Address?: string;
  readonly macAddress?: string;
  readonly priority?: number;
  readonly driverOpts?: Readonly<Record<string, string>>;
}

/** `host`, `none`, `bridge` (= the attachments), or another container's namespace. */
export type NetworkMode = { readonly kind: 'bridge' } | { readonly kind: 'host' } | { readonly kind: 'none' } | { readonly kind: 'container'; readonly container: string };

export interface PortSpec {
  /** Container port, or the first of a range. */
  readonly target: number;
  /** Host port or range (`8080`, `8080-8081`); absent = a random free port. */
  readonly published?: string;
  /** Host address to bind; absent = all addresses. */
  readonly hostIp?: string;
  readonly protocol: 'tcp' | 'udp' | 'sctp';
}

export interface Ulimit {
  readonly soft: number;
  readonly hard: number;
}

export interface DeviceMapping {
  readonly source: string;
  readonly target: string;
  /** `rwm` by default. */
  readonly permissions?: string;
}

export interface Resources {
  /** Hard memory limit in bytes. */
  readonly memory?: number;
  /** Soft limit (memory.low / soft_limit_in_bytes). */
  readonly memoryReservation?: number;
  /** Memory + swap in bytes; -1 = unlimited swap. */
  readonly memorySwap?: number;
  readonly memorySwappiness?: number;
  /** CPU quota in nano-CPUs (1.5 CPUs = 1_500_000_000). */
  readonly nanoCpus?: number;
  /** Relative weight (Docker's cpu_shares, 2–262144, default 1024). */
  readonly cpuShares?: number;
  readonly cpuPeriod?: number;
  readonly cpuQuota?: number;
  readonly cpusetCpus?: string;
  readonly cpusetMems?: string;
  /** Max processes; -1 or absent = unlimited. */
  readonly pidsLimit?: number;
  readonly blkioWeight?: number;
  readonly oomKillDisable?: boolean;
}

export interface LogConfig {
  /** `json-file`/`local`/`k8s-file` are all kept by the engine's own log; `none` keeps nothing. */
  readonly driver?: string;
  /** `max-size` (e.g. `10m`) and `max-file` are honoured by the bundled engine. */
  readonly options?: Readonly<Record<string, string>>;
}

export interface ContainerSpec {
  /** `<project>-<service>-<n>` unless `container_name`; unique per engine. */
  readonly name: string;
  /** An image reference or ID the engine has (pull first). */
  readonly image: string;
  /** Replaces the image's Entrypoint (an empty list clears it); absent = the image's. */
  readonly entrypoint?: readonly string[];
  /** Replaces the image's Cmd; absent = the image's (cleared when entrypoint is given, as Docker). */
  readonly command?: readonly string[];
  /** `KEY=value` entries, added over the image's Env. */
  readonly env?: readonly string[];
  readonly workingDir?: string;
  /** `user`, `user:group`, `uid`, `uid:gid`; resolved in the container's /etc/passwd and /etc/group. */
  readonly user?: string;
  readonly groupAdd?: readonly string[];
  readonly hostname?: string;
  readonly domainname?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly mounts?: readonly MountSpec[];
  readonly networkMode?: NetworkMode;
  readonly networks?: readonly NetworkAttachment[];
  readonly ports?: readonly PortSpec[];
  readonly restartPolicy?: RestartPolicy;
  readonly healthcheck?: HealthcheckSpec;
  /** `SIGTERM` by default (or the image's StopSignal). */
  readonly stopSignal?: string;
  /** Seconds between the stop signal and SIGKILL; default 10. */
  readonly stopGracePeriod?: number;
  /** Run an init as PID 1 that reaps zombies and forwards signals. */
  readonly init?: boolean;
  readonly tty?: boolean;
  readonly openStdin?: boolean;
  readonly privileged?: boolean;
  readonly capAdd?: readonly string[];
  readonly capDrop?: readonly string[];
  /** `no-new-privileges[:true]`, `seccomp=unconfined|<profile.json>`, `apparmor=…`, `label=…`. */
  readonly securityOpt?: readonly string[];
  readonly readOnlyRootfs?: boolean;
  /** /dev/shm size in bytes; default 64 MiB. */
  readonly shmSize?: number;
  readonly ulimits?: Readonly<Record<string, Ulimit>>;
  readonly sysctls?: Readonly<Record<string, string>>;
  readonly devices?: readonly DeviceMapping[];
  /** `host:ip` entries added to /etc/hosts. */
  readonly extraHosts?: readonly string[];
  readonly dns?: readonly string[];
  readonly dnsSearch?: readonly string[];
  readonly dnsOptions?: readonly string[];
  readonly resources?: Resources;
  readonly oomScoreAdj?: number;
  readonly logConfig?: LogConfig;
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface HealthResult {
  readonly start: string;
  readonly end: string;
  /** -1 when the check timed out or could not run. */
  readonly exitCode: number;
  /** At most 4096 bytes. */
  readonly output: string;
}

export interface HealthState {
  readonly status: 'starting' | 'healthy' | 'unhealthy';
  readonly failingStreak: number;
  /** The last 5 results, oldest first. */
  readonly log: readonly HealthResult[];
}

/** Docker's `State`. Times are RFC 3339; `0001-01-01T00:00:00Z` never appears, absent instead. */
export interface ContainerState {
  readonly status: ContainerStatus;
  readonly running: boolean;
  readonly paused: boolean;
  readonly restarting: boolean;
  readonly oomKilled: boolean;
  /** The main process's PID on the host; 0 when not running. */
  readonly pid: number;
  readonly exitCode: number;
  readonly error?: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly health?: HealthState;
}

export interface PublishedPort {
  readonly target: number;
  readonly protocol: 'tcp' | 'udp' | 'sctp';
  readonly hostIp: string;
  readonly hostPort: number;
}

export interface ContainerInfo {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  /** The image ID (`sha256:…`) the container was created from. */
  readonly imageId: string;
  readonly created: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly state: ContainerState;
  readonly restartCount: number;
  readonly spec: ContainerSpec;
  /** Per network: its address inside (set while running). */
  readonly networks: Readonly<Record<string, { readonly ipv4Address?: string; readonly ipv6Address?: string; readonly macAddress?: string; readonly aliases: readonly string[] }>>;
  readonly ports: readonly PublishedPort[];
}

/** Which containers a list returns: every label filter must hold (`key` or `key=value`). */
export interface ContainerFilter {
  readonly labels?: readonly string[];
  readonly name?: string;
  /** Include stopped ones (default false: running and paused only, as `docker ps`). */
  readonly all?: boolean;
}

export interface LogOptions {
  readonly follow?: boolean;
  /** RFC 3339 time or Unix seconds. */
  readonly since?: string;
  readonly until?: string;
  /** Only the last N lines (before following). */
  readonly tail?: number;
  readonly stdout?: boolean;
  readonly stderr?: boolean;
  readonly signal?: AbortSignal;
}

export interface LogLine {
  readonly stream: 'stdout' | 'stderr';
  /** RFC 3339 with nanoseconds. */
  readonly time: string;
  /** The line without its newline; `partial` when the process wrote no newline yet. */
  readonly text: string;
  readonly partial?: boolean;
}

export interface ExecOptions {
  readonly cmd: readonly string[];
  readonly env?: readonly string[];
  readonly user?: string;
  readonly workingDir?: string;
  readonly tty?: boolean;
  readonly privileged?: boolean;
  /** Start and return at once (exitCode then absent). */
  readonly detach?: boolean;
  /** Fed to the process's stdin, which is closed at its end. */
  readonly stdin?: NodeJS.ReadableStream;
  readonly stdout?: NodeJS.WritableStream;
  /** With `tty` everything arrives on stdout. */
  readonly stderr?: NodeJS.WritableStream;
  readonly signal?: AbortSignal;
}

export interface ExecResult {
  readonly exitCode?: number;
}

export interface ContainerStats {
  readonly read: string;
  /** Percent of one CPU × CPUs since the previous sample (Docker's CPU %). */
  readonly cpuPercent: number;
  readonly memoryUsage: number;
  readonly memoryLimit: number;
  readonly networkRx: number;
  readonly networkTx: number;
  readonly blockRead: number;
  readonly blockWrite: number;
  readonly pids: number;
}

export interface ProcessList {
  readonly titles: readonly string[];
  readonly processes: readonly (readonly string[])[];
}

export interface ContainerStore {
  /** Creates (does not start). Fails with ObjectConflictError when the name is taken. */
  createContainer(spec: ContainerSpec): Promise<ContainerInfo>;
  startContainer(idOrName: string): Promise<void>;
  /** Stop signal, then SIGKILL after `timeoutSeconds` (default: the spec's grace period). */
  stopContainer(idOrName: string, options?: { readonly timeoutSeconds?: number }): Promise<void>;
  killContainer(idOrName: string, signal?: string): Promise<void>;
  restartContainer(idOrName: string, options?: { readonly timeoutSeconds?: number }): Promise<void>;
  pauseContainer(idOrName: string): Promise<void>;
  unpauseContainer(idOrName: string): Promise<void>;
  /** `force` kills a running container first; `volumes` removes its anonymous volumes. */
  removeContainer(idOrName: string, options?: { readonly force?: boolean; readonly volumes?: boolean }): Promise<void>;
  renameContainer(idOrName: string, newName: string): Promise<void>;
  inspectContainer(idOrName: string): Promise<ContainerInfo>;
  listContainers(filter?: ContainerFilter): Promise<ContainerInfo[]>;
  /** Resolves at the container's next exit (`next-exit`) or, when not running, its last exit code; `removed` waits for removal. */
  waitContainer(idOrName: string, options?: { readonly condition?: 'not-running' | 'next-exit' | 'removed'; readonly signal?: AbortSignal }): Promise<{ readonly exitCode: number }>;
  containerLogs(idOrName: string, options?: LogOptions): AsyncIterable<LogLine>;
  exec(idOrName: string, options: ExecOptions): Promise<ExecResult>;
  stats(idOrName: string): Promise<ContainerStats>;
  top(idOrName: string, psArgs?: readonly string[]): Promise<ProcessList>;
  /** A tar of `path` inside the container (Docker's archive GET). */
  copyFrom(idOrName: string, path: string): Promise<NodeJS.ReadableStream>;
  /** Extracts a tar into the directory `path` inside the container (Docker's archive PUT). */
  copyTo(idOrName: string, path: string, tar: NodeJS.ReadableStream): Promise<void>;
}
