/**
 * The canonical `config` output: the normalized model laid out as Docker
 * Compose prints it. Compose marshals Go structs, so every struct-like level
 * has a fixed key order and drops empty fields, while real maps (services,
 * environment, labels …) come out sorted. The `structs` table below holds
 * those key orders, keyed by path pattern (DESIGN habit 4); any object not in
 * it is a map. `renderConfig` writes the result as YAML (yaml.v3 style) or as
 * JSON (encoding/json style, with its few differences: the top level sorted,
 * extensions only at the top level, `ipam: {}`, `resources: {}`, `command:
 * null`).
 */
import { emitYaml, goYamlKeyLess, indentOf, inline, isBlockCollection, keyText, scalarText, writeMap, writeSeq, type YamlValue } from './go-yaml';
import { isList, isMap, type Node, type TreeList, type TreeMap } from './loader/tree';
import { pathPatterns, type PathState } from './path-patterns';

export type CanonicalValue = YamlValue;
type CanonicalMap = { [k: string]: CanonicalValue };

interface Struct {
  /** Output order of the known keys; others follow, sorted. */
  readonly keys: readonly string[];
  /** Printed even when empty, zero or false (Go pointers, fields without omitempty). */
  readonly keep?: readonly string[];
  /** Booleans that default to true: printed only when false. */
  readonly optOut?: readonly string[];
  /** Byte sizes (numbers), printed as text. */
  readonly bytes?: readonly string[];
  /** File modes (numbers), printed as octal text (`"0440"`). */
  readonly modes?: readonly string[];
  /** Durations left out when zero. */
  readonly zeroDurations?: readonly string[];
  /** Keys never printed. */
  readonly drop?: readonly string[];
  /** Values printed when the key is absent. */
  readonly always?: Readonly<Record<string, CanonicalValue>>;
  /** Values the JSON form prints when the key is absent. */
  readonly jsonAlways?: Readonly<Record<string, CanonicalValue>>;
}

const SERVICE_KEYS = [
  'profiles', 'annotations', 'attach', 'build', 'develop', 'blkio_config', 'cap_add', 'cap_drop', 'cgroup_parent', 'cgroup',
  'cpu_count', 'cpu_percent', 'cpu_period', 'cpu_quota', 'cpu_rt_period', 'cpu_rt_runtime', 'cpus', 'cpuset', 'cpu_shares',
  'command', 'configs', 'container_name', 'credential_spec', 'depends_on', 'deploy', 'device_cgroup_rules', 'devices', 'dns',
  'dns_opt', 'dns_search', 'dockerfile', 'domainname', 'entrypoint', 'provider', 'environment', 'env_file', 'expose', 'extends',
  'external_links', 'extra_hosts', 'group_add', 'gpus', 'hostname', 'healthcheck', 'image', 'init', 'ipc', 'isolation', 'labels',
  'label_file', 'links', 'logging', 'log_driver', 'log_opt', 'mem_limit', 'mem_reservation', 'memswap_limit', 'mem_swappiness',
  'mac_address', 'models', 'net', 'network_mode', 'networks', 'oom_kill_disable', 'oom_score_adj', 'pid', 'pids_limit', 'platform',
  'ports', 'privileged', 'pull_policy', 'read_only', 'restart', 'runtime', 'scale', 'secrets', 'security_opt', 'shm_size',
  'stdin_open', 'stop_grace_period', 'stop_signal', 'storage_opt', 'sysctls', 'tmpfs', 'tty', 'ulimits', 'use_api_socket', 'user',
  'userns_mode', 'uts', 'volume_driver', 'volumes', 'volumes_from', 'working_dir', 'post_start', 'pre_stop',
];

const FILE_MOUNT: Struct = { keys: ['source', 'target', 'uid', 'gid', 'mode'], keep: ['mode'], modes: ['mode'] };
const UPDATE_CONFIG: Struct = {
  keys: ['parallelism', 'delay', 'failure_action', 'monitor', 'max_failure_ratio', 'order'],
  keep: ['parallelism'],
  zeroDurations: ['delay', 'monitor'],
};
const RESOURCE: Struct = { keys: ['cpus', 'memory', 'pids', 'devices', 'generic_resources'], bytes: ['memory'] };
const DEVICE_REQUEST: Struct = { keys: ['capabilities', 'driver', 'count', 'device_ids', 'options'] };
const THROTTLE: Struct = { keys: ['path', 'rate'], keep: ['path', 'rate'], bytes: ['rate'] };
const ULIMIT: Struct = { keys: ['soft', 'hard'], keep: ['soft', 'hard'] };
const HOOK: Struct = { keys: ['command', 'user', 'privileged', 'working_dir', 'environment'] };
const FILE_OBJECT: Struct = {
  keys: ['name', 'file', 'environment', 'content', 'external', 'labels', 'driver', 'driver_opts', 'template_driver'],
};

export const structs: Readonly<Record<string, Struct>> = {
  '': {
    keys: ['name', 'services', 'networks', 'volumes', 'secrets', 'configs', 'models'],
    drop: ['version', 'include'],
    always: { services: {} },
  },
  'services.*': {
    keys: SERVICE_KEYS,
    keep: ['attach', 'init', 'scale', 'build', 'develop', 'blkio_config', 'credential_spec', 'deploy', 'extends', 'healthcheck', 'logging', 'provider'],
    bytes: ['mem_limit', 'mem_reservation', 'memswap_limit', 'mem_swappiness', 'shm_size'],
    jsonAlways: { command: null, entrypoint: null },
  },
  'services.*.build': {
    keys: [
      'context', 'dockerfile', 'dockerfile_inline', 'entitlements', 'args', 'provenance', 'sbom', 'ssh', 'labels', 'cache_from',
      'cache_to', 'no_cache', 'no_cache_filter', 'additional_contexts', 'pull', 'extra_hosts', 'isolation', 'network', 'target',
      'secrets', 'shm_size', 'tags', 'ulimits', 'platforms', 'privileged',
    ],
    bytes: ['shm_size'],
  },
  'services.*.build.secrets.*': FILE_MOUNT,
  'services.*.build.ulimits.*': ULIMIT,
  'services.*.blkio_config': {
    keys: ['weight', 'weight_device', 'device_read_bps', 'device_read_iops', 'device_write_bps', 'device_write_iops'],
  },
  'services.*.blkio_config.weight_device.*': { keys: ['path', 'weight'], keep: ['path', 'weight'] },
  'services.*.blkio_config.device_read_bps.*': THROTTLE,
  'services.*.blkio_config.device_read_iops.*': THROTTLE,
  'services.*.blkio_config.device_write_bps.*': THROTTLE,
  'services.*.blkio_config.device_write_iops.*': THROTTLE,
  'services.*.configs.*': FILE_MOUNT,
  'services.*.credential_spec': { keys: ['config', 'file', 'registry'] },
  'services.*.depends_on.*': { keys: ['condition', 'restart', 'required'], keep: ['required'] },
  'services.*.deploy': {
    keys: ['mode', 'replicas', 'labels', 'update_config', 'rollback_config', 'resources', 'restart_policy', 'placement', 'endpoint_mode'],
    keep: ['replicas', 'update_config', 'rollback_config', 'restart_policy', 'placement'],
    jsonAlways: { resources: {} },
  },
  'services.*.deploy.update_config': UPDATE_CONFIG,
  'services.*.deploy.rollback_config': UPDATE_CONFIG,
  'services.*.deploy.resources': { keys: ['limits', 'reservations'], keep: ['limits', 'reservations'] },
  'services.*.deploy.resources.limits': RESOURCE,
  'services.*.deploy.resources.reservations': RESOURCE,
  'services.*.deploy.resources.limits.devices.*': DEVICE_REQUEST,
  'services.*.deploy.resources.reservations.devices.*': DEVICE_REQUEST,
  'services.*.deploy.resources.limits.generic_resources.*': { keys: ['discrete_resource_spec'] },
  'services.*.deploy.resources.reservations.generic_resources.*': { keys: ['discrete_resource_spec'] },
  'services.*.deploy.resources.limits.generic_resources.*.discrete_resource_spec': { keys: ['kind', 'value'], keep: ['kind', 'value'] },
  'services.*.deploy.resources.reservations.generic_resources.*.discrete_resource_spec': { keys: ['kind', 'value'], keep: ['kind', 'value'] },
  'services.*.deploy.restart_policy': { keys: ['condition', 'delay', 'max_attempts', 'window'], keep: ['max_attempts'] },
  'services.*.deploy.placement': { keys: ['constraints', 'preferences', 'max_replicas_per_node'] },
  'services.*.deploy.placement.preferences.*': { keys: ['spread'] },
  'services.*.develop': { keys: ['watch'] },
  'services.*.develop.watch.*': { keys: ['path', 'action', 'target', 'exec', 'include', 'ignore', 'initial_sync'], keep: ['path', 'action'] },
  'services.*.develop.watch.*.exec': HOOK,
  'services.*.devices.*': { keys: ['source', 'target', 'permissions'] },
  'services.*.env_file.*': { keys: ['path', 'required', 'format'], optOut: ['required'] },
  'services.*.extends': { keys: ['file', 'service'] },
  'services.*.gpus.*': DEVICE_REQUEST,
  'services.*.healthcheck': {
    keys: ['test', 'timeout', 'interval', 'retries', 'start_period', 'start_interval', 'disable'],
    keep: ['timeout', 'interval', 'retries', 'start_period', 'start_interval'],
  },
  'services.*.logging': { keys: ['driver', 'options'] },
  'services.*.models.*': { keys: ['endpoint_var', 'model_var'] },
  'services.*.networks.*': {
    keys: ['priority', 'gw_priority', 'aliases', 'interface_name', 'ipv4_address', 'ipv6_address', 'link_local_ips', 'mac_address', 'driver_opts'],
  },
  'services.*.ports.*': { keys: ['name', 'mode', 'host_ip', 'target', 'published', 'protocol', 'app_protocol'] },
  'services.*.post_start.*': HOOK,
  'services.*.pre_stop.*': HOOK,
  'services.*.provider': { keys: ['type', 'options'] },
  'services.*.secrets.*': FILE_MOUNT,
  'services.*.ulimits.*': ULIMIT,
  'services.*.volumes.*': {
    keys: ['type', 'source', 'target', 'read_only', 'consistency', 'bind', 'volume', 'tmpfs', 'image'],
    keep: ['bind', 'volume', 'tmpfs', 'image'],
  },
  'services.*.volumes.*.bind': { keys: ['selinux', 'propagation', 'create_host_path', 'recursive'], optOut: ['create_host_path'] },
  'services.*.volumes.*.volume': { keys: ['nocopy', 'subpath'] },
  'services.*.volumes.*.tmpfs': { keys: ['size', 'mode'], bytes: ['size'] },
  'services.*.volumes.*.image': { keys: ['subpath'] },
  'networks.*': {
    keys: ['name', 'driver', 'driver_opts', 'ipam', 'external', 'internal', 'attachable', 'labels', 'enable_ipv4', 'enable_ipv6'],
    keep: ['enable_ipv4', 'enable_ipv6'],
    jsonAlways: { ipam: {} },
  },
  'networks.*.ipam': { keys: ['driver', 'config', 'options'] },
  'networks.*.ipam.config.*': { keys: ['subnet', 'gateway', 'ip_range', 'aux_addresses'] },
  'volumes.*': { keys: ['name', 'driver', 'driver_opts', 'external', 'labels'] },
  'secrets.*': FILE_OBJECT,
  'configs.*': FILE_OBJECT,
  'models.*': { keys: ['name', 'model', 'context_size', 'runtime_flags'] },
};

// ------------------------------------------------------------ pattern lookup

/** A Struct with sets, built once. */
interface Compiled {
  readonly keys: readonly string[];
  /** Position of each known key in `keys`. */
  readonly order: ReadonlyMap<string, number>;
  readonly known: ReadonlySet<string>;
  readonly keep: ReadonlySet<string>;
  readonly optOut: ReadonlySet<string>;
  readonly bytes: ReadonlySet<string>;
  readonly modes: ReadonlySet<string>;
  readonly zeroDurations: ReadonlySet<string>;
  readonly drop: ReadonlySet<string>;
  readonly always: Readonly<Record<string, CanonicalValue>>;
  /** The keys of `always` that are known keys. */
  readonly alwaysKnown: readonly string[];
  readonly jsonAlways: Readonly<Record<string, CanonicalValue>>;
}

function compileStruct(s: Struct): Compiled {
  return {
    keys: s.keys,
    order: new Map(s.keys.map((k, i) => [k, i])),
    known: new Set(s.keys),
    keep: new Set(s.keep),
    optOut: new Set(s.optOut),
    bytes: new Set(s.bytes),
    modes: new Set(s.modes),
    zeroDurations: new Set(s.zeroDurations),
    drop: new Set(s.drop),
    always: s.always ?? {},
    alwaysKnown: Object.keys(s.always ?? {}).filter((k) => s.keys.includes(k)),
    jsonAlways: s.jsonAlways ?? {},
  };
}

/** The compiled struct of each pattern, walked alongside the tree (path-patterns.ts). */
type State = PathState<Compiled>;

const start: State = pathPatterns(Object.fromEntries(Object.entries(structs).map(([p, s]) => [p, compileStruct(s)])));

/** The struct laid over the path `state` stands for, if any. */
function structAt(state: State): Compiled | undefined {
  return state.values.length > 0 ? state.values[0] : undefined;
}

// ------------------------------------------------------------ canonical object

const OMIT = Symbol('omit');

/** The normalized tree as a plain object in Docker Compose's order, ready to render (origins are left out). */
export function canonicalConfig(tree: TreeMap): CanonicalMap {
  return shape(tree, start) as CanonicalMap;
}

function shape(v: Node, state: State): CanonicalValue {
  if (isList(v)) {
    const next = state.next(undefined);
    const out: CanonicalValue[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = shape(v[i], next);
    return out;
  }
  if (!isMap(v)) return v;
  const struct = structAt(state);
  const out: CanonicalMap = {};
  if (!struct) {
    for (const k of Object.keys(v).sort(yamlOrder)) out[k] = shape(v[k], state.next(k));
    return out;
  }
  for (const k of struct.keys) {
    if (!(k in v)) {
      if (k in struct.always) out[k] = struct.always[k];
      continue;
    }
    const value = field(k, shape(v[k], state.next(k)), struct);
    if (value !== OMIT) out[k] = value;
  }
  let rest: string[] | undefined;
  for (const k of Object.keys(v)) if (!struct.known.has(k) && !struct.drop.has(k)) (rest ??= []).push(k);
  if (rest) {
    for (const k of rest.sort(yamlOrder)) {
      const value = field(k, shape(v[k], state.next(k)), struct);
      if (value !== OMIT) out[k] = value;
    }
  }
  return out;
}

function field(key: string, value: CanonicalValue, s: Compiled): CanonicalValue | typeof OMIT {
  if (typeof value === 'string') {
    // Most values: text, kept unless empty (or a zero duration where that is left out).
    if (value === '0s' && s.zeroDurations.has(key)) return OMIT;
    if (value !== '') return value;
    return s.keep.has(key) || s.optOut.has(key) || key.startsWith('x-') ? value : OMIT;
  }
  if (value === true && s.optOut.has(key)) return OMIT;
  if (typeof value === 'number' && s.bytes.has(key)) return String(value);
  if (typeof value === 'number' && s.modes.has(key)) return `0${value.toString(8)}`;
  if (s.keep.has(key) || s.optOut.has(key) || key.startsWith('x-')) return value;
  return isEmpty(value) ? OMIT : value;
}

function isEmpty(v: CanonicalValue): boolean {
  if (v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') {
    for (const _ in v) return false;
    return true;
  }
  return false;
}

function byNumber(a: number, b: number): number {
  return a - b;
}

function yamlOrder(a: string, b: string): number {
  if (a === b) return 0;
  return goYamlKeyLess(a, b) ? -1 : goYamlKeyLess(b, a) ? 1 : 0;
}

// ------------------------------------------------------------ YAML straight from the tree

/**
 * `emitYaml(canonicalConfig(tree))`, written straight from the tree: the same
 * text, without building the canonical object first (the output of `config`
 * for a large model). Each step mirrors one of `shape`, `field` and go-yaml's
 * writers; a map that comes out empty is noticed by the lines it did not write.
 */
export function canonicalYaml(tree: TreeMap): string {
  const lines: string[] = [];
  yamlMap(tree, start, 0, lines, undefined);
  if (lines.length === 0) return '{}\n';
  // An empty last line: the text ends with a line break, made in one piece.
  lines.push('');
  return lines.join('\n');
}

/** The entries of the shaped map `v` (go-yaml's writeMap); the first line may take the caller's prefix (`- `). */
function yamlMap(v: TreeMap, state: State, indent: number, lines: string[], firstPrefix: string | undefined): void {
  const struct = structAt(state);
  // The first line written takes the prefix, the others the indentation.
  let lead = firstPrefix ?? indentOf(indent);
  const rest = indentOf(indent);
  const keys = Object.keys(v);
  if (!struct) {
    sorted(keys, yamlOrder);
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j];
      if (yamlEntry(k, v[k], state.next(k), undefined, true, lead, indent, lines)) lead = rest;
    }
    return;
  }
  // The known keys present (and the `always` ones absent) in the struct's order, then the others sorted.
  const known: number[] = [];
  let others: string[] | undefined;
  for (let j = 0; j < keys.length; j++) {
    const k = keys[j];
    const i = struct.order.get(k);
    if (i !== undefined) known.push(i);
    else if (!struct.drop.has(k)) (others ??= []).push(k);
  }
  for (let j = 0; j < struct.alwaysKnown.length; j++) {
    const k = struct.alwaysKnown[j];
    if (!(k in v)) known.push(struct.order.get(k) as number);
  }
  sorted(known, byNumber);
  for (let j = 0; j < known.length; j++) {
    const k = struct.keys[known[j]];
    if (k in v) {
      if (yamlEntry(k, v[k], state.next(k), struct, false, lead, indent, lines)) lead = rest;
    } else {
      writeCanonical(k, struct.always[k], lead, indent, lines);
      lead = rest;
    }
  }
  if (others) {
    sorted(others, yamlOrder);
    for (let j = 0; j < others.length; j++) {
      const k = others[j];
      if (yamlEntry(k, v[k], state.next(k), struct, false, lead, indent, lines)) lead = rest;
    }
  }
}

/**
 * Sorts `a` in place, stably: small arrays (a map's keys) by insertion, which
 * allocates nothing, unlike Array.prototype.sort; the order is the same.
 */
function sorted<T>(a: T[], compare: (x: T, y: T) => number): void {
  if (a.length > 16) {
    a.sort(compare);
    return;
  }
  for (let i = 1; i < a.length; i++) {
    const x = a[i];
    let j = i - 1;
    while (j >= 0 && compare(a[j], x) > 0) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = x;
  }
}

/**
 * One entry of a shaped map: `k: value`, or `k:` and the lines of a collection.
 * `always`: a map that is not a struct keeps every key; otherwise `field` decides.
 * Returns whether anything was written.
 */
function yamlEntry(k: string, raw: Node, state: State, struct: Compiled | undefined, always: boolean, lead: string, indent: number, lines: string[]): boolean {
  const key = keyText(k);
  if (raw !== null && typeof raw === 'object') {
    const list = Array.isArray(raw);
    const mark = lines.length;
    if (!list || raw.length > 0) {
      lines.push(`${lead}${key}:`);
      if (list) {
        yamlSeq(raw, state.next(undefined), indent + 2, lines);
        return true;
      }
      yamlMap(raw, state, indent + 2, lines, undefined);
      if (lines.length > mark + 1) return true;
      lines.length = mark;
    }
    // An empty collection: kept where `field` keeps empty values.
    if (!always && !(struct !== undefined && (struct.keep.has(k) || struct.optOut.has(k) || k.startsWith('x-')))) return false;
    lines.push(`${lead}${key}: ${list ? '[]' : '{}'}`);
    return true;
  }
  const value = always || struct === undefined ? raw : field(k, raw, struct);
  if (value === OMIT) return false;
  lines.push(`${lead}${key}: ${inline(value, indent)}`);
  return true;
}

/** The items of the shaped list `v` (go-yaml's writeSeq). */
function yamlSeq(v: TreeList, state: State, indent: number, lines: string[]): void {
  const dash = `${indentOf(indent)}- `;
  for (let j = 0; j < v.length; j++) {
    const item = v[j];
    if (isMap(item)) {
      const mark = lines.length;
      yamlMap(item, state, indent + 2, lines, dash);
      if (lines.length === mark) lines.push(`${dash}{}`);
    } else if (isList(item) && item.length > 0) {
      const nested: string[] = [];
      yamlSeq(item, state.next(undefined), indent + 2, nested);
      nested[0] = dash + nested[0].slice(indent + 2);
      for (const line of nested) lines.push(line);
    } else {
      lines.push(`${dash}${inline(isList(item) ? [] : item, indent)}`);
    }
  }
}

/** A value of the canonical object itself (the `always` defaults), as go-yaml's writeMap writes it. */
function writeCanonical(k: string, value: CanonicalValue, lead: string, indent: number, lines: string[]): void {
  const key = scalarText(k, true, indent);
  if (!isBlockCollection(value)) {
    lines.push(`${lead}${key}: ${inline(value, indent)}`);
    return;
  }
  lines.push(`${lead}${key}:`);
  if (Array.isArray(value)) writeSeq(value, indent + 2, lines);
  else writeMap(value as CanonicalMap, indent + 2, lines);
}

// ------------------------------------------------------------ rendering

/** The `config` output of a normalized tree: YAML written straight from it, or JSON. */
export function renderCanonical(tree: TreeMap, format: 'yaml' | 'json', options: RenderOptions = {}): string {
  if (format === 'json') return renderConfig(canonicalConfig(tree), 'json', options);
  const text = canonicalYaml(tree);
  return options.escapeDollars && text.includes('$') ? text.replace(/\$/g, '$$$$') : text;
}

export interface RenderOptions {
  /**
   * Write every `$` as `$$`, as `docker compose config` does when it
   * interpolated the model, so that its output reads back the same.
   */
  readonly escapeDollars?: boolean;
}

export function renderConfig(obj: CanonicalMap, format: 'yaml' | 'json', options: RenderOptions = {}): string {
  const text = format === 'yaml' ? emitYaml(obj) : goJson(jsonShape(obj, start, true));
  return options.escapeDollars ? text.replace(/\$/g, '$$$$') : text;
}

/** The YAML-shaped object re-laid for encoding/json. */
function jsonShape(v: CanonicalValue, state: State, top = false): CanonicalValue {
  if (Array.isArray(v)) {
    const next = state.next(undefined);
    return v.map((item) => jsonShape(item, next));
  }
  if (v === null || typeof v !== 'object') return v;
  const map = v as CanonicalMap;
  const struct = top ? undefined : structAt(state);
  const out: CanonicalMap = {};
  if (!struct) {
    for (const k of Object.keys(map).sort(byteOrder)) out[k] = jsonShape(map[k], state.next(k));
    return out;
  }
  for (const k of struct.keys) {
    if (k in map) out[k] = jsonShape(map[k], state.next(k));
    else if (k in struct.jsonAlways) out[k] = struct.jsonAlways[k];
  }
  for (const k of Object.keys(map).filter((k) => !struct.known.has(k) && !k.startsWith('x-')).sort(byteOrder)) {
    out[k] = jsonShape(map[k], state.next(k));
  }
  return out;
}

/** Go's string order (UTF-8 bytes); UTF-16 order is the same unless surrogates are involved. */
function byteOrder(a: string, b: string): number {
  if (/[\ud800-\udfff]/.test(a + b)) return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `json.MarshalIndent(v, "", "  ")`: HTML-safe escapes included. */
function goJson(v: CanonicalValue): string {
  const text = JSON.stringify(v, null, 2)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return text + '\n';
}
