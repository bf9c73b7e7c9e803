/**
 * The Compose merge rules, one row per attribute that does not follow the
 * default ("maps merged key by key, scalars replaced, lists appended").
 * Keyed by path patterns (`*` matches one key); the merge stage (merge.ts)
 * interprets the rows. Derived from the specification (13-merge.md,
 * 05-services.md#extends) and compose-go's merge golden cases.
 */
import { parsePortSpec } from './ports';
import { isList, isMap, stripOrigins, type Node } from './tree';
import { parseVolumeSpec } from './volumes-syntax';

/** Gives the identity of a list item: items with the same identity replace one another. */
export type ItemKey = (item: Node) => string;

export type MergeRule =
  /** The override replaces the base (shell commands, ulimits, …). */
  | { readonly kind: 'replace' }
  /**
   * `list_or_dict` attributes (`environment`, `labels`, `build.args` …): a
   * `KEY=VALUE` list is read as a map, then maps are merged key by key; the
   * result is a map.
   */
  | { readonly kind: 'keyValue' }
  /**
   * Sequences whose items are unique by `key`: the override's item replaces
   * the base item with the same key (in place), new ones are appended. A
   * single string counts as a one-item list; with `fromMap`, a map
   * `{k: v}` / `{k: [v1, v2]}` counts as the list `k=v` / `k=v1`, `k=v2`.
   */
  | { readonly kind: 'unique'; readonly key: ItemKey; readonly fromMap?: boolean }
  /**
   * Attributes written as a list of names or a map keyed by name
   * (`networks`, `depends_on`, `models`): a list becomes a map whose values
   * are `item()`, then maps are merged key by key (deeper rules still apply).
   */
  | { readonly kind: 'namedMap'; readonly item: () => Node }
  /** `logging`: merged when both sides name the same driver (or either names none), else replaced. */
  | { readonly kind: 'logging' }
  /** `build`: a string is `{context: string}`, then maps are merged. */
  | { readonly kind: 'build' }
  /** `ipam.config`: entries with the same subnet are merged, others appended. */
  | { readonly kind: 'ipamConfig' };

const replace: MergeRule = { kind: 'replace' };
const keyValue: MergeRule = { kind: 'keyValue' };

function text(item: Node): string {
  if (item === null) return '';
  if (typeof item === 'object') return JSON.stringify(stripOrigins(item));
  return String(item);
}

/** The whole item (deep equality). */
export const byValue: ItemKey = (item) => (isMap(item) || isList(item) ? `json:${text(item)}` : text(item));

/** `KEY=VALUE` → `KEY`; anything else is its own key (compose-go's key-value indexer). */
export const byKeyBeforeEquals: ItemKey = (item) => {
  if (typeof item !== 'string') return byValue(item);
  const eq = item.indexOf('=');
  return eq < 0 ? item : item.slice(0, eq);
};

/** A mount target: long syntax `target`, short syntax parsed. */
export const byVolumeTarget: ItemKey = (item) => {
  if (isMap(item)) return typeof item.target === 'string' ? item.target : byValue(item);
  if (typeof item !== 'string') return byValue(item);
  try {
    return parseVolumeSpec(item).target;
  } catch {
    return item;
  }
};

/** `HOST:CONTAINER[:PERMS]` → CONTAINER; a lone path is both. */
export const byDeviceTarget: ItemKey = (item) => {
  if (isMap(item)) return typeof item.target === 'string' ? item.target : byValue(item);
  if (typeof item !== 'string') return byValue(item);
  const parts = item.split(':');
  return parts.length === 1 ? parts[0] : parts[1];
};

/** `tmpfs` entries `PATH[:OPTIONS]` are unique by path. */
export const byTmpfsPath: ItemKey = (item) => (typeof item === 'string' ? item.split(':')[0] : byValue(item));

/** The port mapping's (host_ip, published, target, protocol). */
export const byPortIdentity: ItemKey = (item) => {
  const key = (ip: string, published: string, target: string, protocol: string): string => `${ip}|${published}|${target}/${protocol}`;
  if (typeof item === 'number') return key('', '', String(item), 'tcp');
  if (typeof item === 'string') {
    try {
      return parsePortSpec(item)
        .map((m) => key(m.hostIp, m.published, String(m.target), m.protocol))
        .join(',');
    } catch {
      return item;
    }
  }
  if (isMap(item)) {
    const str = (v: Node | undefined, d: string): string => (v === undefined || v === null ? d : String(v));
    return key(str(item.host_ip, ''), str(item.published, ''), str(item.target, ''), str(item.protocol, 'tcp').toLowerCase());
  }
  return byValue(item);
};

/** Secrets and configs are unique by their target inside the container. */
export function byMountTarget(defaultDir: string): ItemKey {
  const under = (name: string): string => (name.startsWith('/') ? name : `${defaultDir}/${name}`);
  return (item) => {
    if (typeof item === 'string') return under(item);
    if (isMap(item)) {
      if (typeof item.target === 'string') return under(item.target);
      if (typeof item.source === 'string') return under(item.source);
    }
    return byValue(item);
  };
}

/** `env_file` / `label_file` entries are unique by path. */
export const byFilePath: ItemKey = (item) => (isMap(item) && typeof item.path === 'string' ? item.path : byValue(item));

/** `blkio_config` device entries are unique by device path. */
export const byBlkioPath: ItemKey = (item) => (isMap(item) && typeof item.path === 'string' ? item.path : byValue(item));

const unique = (key: ItemKey, fromMap = false): MergeRule => ({ kind: 'unique', key, ...(fromMap ? { fromMap } : {}) });
const namedMap = (item: () => Node): MergeRule => ({ kind: 'namedMap', item });

/** The merge rules, keyed by path pattern. */
export const mergeRules: Readonly<Record<string, MergeRule>> = {
  // Shell commands are replaced, never appended.
  'services.*.command': replace,
  'services.*.entrypoint': replace,
  'services.*.healthcheck.test': replace,
  // A ulimit is one value: the override's replaces the base's.
  'services.*.ulimits.*': replace,
  'services.*.build.ulimits.*': replace,
  'models.*.runtime_flags': replace,

  // list_or_dict attributes, merged as maps.
  'services.*.environment': keyValue,
  'services.*.labels': keyValue,
  'services.*.annotations': keyValue,
  'services.*.sysctls': keyValue,
  'services.*.build.args': keyValue,
  'services.*.build.labels': keyValue,
  'services.*.build.additional_contexts': keyValue,
  'services.*.build.ssh': keyValue,
  'services.*.deploy.labels': keyValue,
  'networks.*.labels': keyValue,
  'volumes.*.labels': keyValue,
  'configs.*.labels': keyValue,
  'secrets.*.labels': keyValue,

  // Host entries: appended, exact duplicates dropped (one host may have several addresses).
  'services.*.extra_hosts': unique(byValue, true),
  'services.*.build.extra_hosts': unique(byValue, true),

  // Sequences with unique items.
  'services.*.ports': unique(byPortIdentity),
  'services.*.volumes': unique(byVolumeTarget),
  'services.*.devices': unique(byDeviceTarget),
  'services.*.secrets': unique(byMountTarget('/run/secrets')),
  'services.*.configs': unique(byMountTarget('')),
  'services.*.env_file': unique(byFilePath),
  'services.*.label_file': unique(byFilePath),
  'services.*.tmpfs': unique(byTmpfsPath),
  'services.*.expose': unique(byValue),
  'services.*.dns': unique(byKeyBeforeEquals),
  'services.*.dns_opt': unique(byKeyBeforeEquals),
  'services.*.dns_search': unique(byKeyBeforeEquals),
  'services.*.cap_add': unique(byKeyBeforeEquals),
  'services.*.cap_drop': unique(byKeyBeforeEquals),
  'services.*.profiles': unique(byKeyBeforeEquals),
  'services.*.links': unique(byKeyBeforeEquals),
  'services.*.external_links': unique(byValue),
  'services.*.security_opt': unique(byValue),
  'services.*.device_cgroup_rules': unique(byValue),
  'services.*.group_add': unique(byValue),
  'services.*.networks.*.aliases': unique(byKeyBeforeEquals),
  'services.*.networks.*.link_local_ips': unique(byKeyBeforeEquals),
  'services.*.build.tags': unique(byKeyBeforeEquals),
  'services.*.build.platforms': unique(byKeyBeforeEquals),
  'services.*.build.platform': unique(byKeyBeforeEquals),
  'services.*.build.cache_from': unique(byValue),
  'services.*.build.cache_to': unique(byValue),
  'services.*.deploy.placement.constraints': unique(byValue),
  'services.*.deploy.placement.preferences': unique(byValue),
  'services.*.deploy.resources.reservations.generic_resources': unique(byValue),
  'services.*.blkio_config.device_read_bps': unique(byBlkioPath),
  'services.*.blkio_config.device_read_iops': unique(byBlkioPath),
  'services.*.blkio_config.device_write_bps': unique(byBlkioPath),
  'services.*.blkio_config.device_write_iops': unique(byBlkioPath),
  'services.*.blkio_config.weight_device': unique(byBlkioPath),

  // Lists of names or maps keyed by name.
  'services.*.networks': namedMap(() => null),
  'services.*.models': namedMap(() => null),
  'services.*.depends_on': namedMap(() => ({ condition: 'service_started', required: true })),

  'services.*.logging': { kind: 'logging' },
  'services.*.build': { kind: 'build' },
  'networks.*.ipam.config': { kind: 'ipamConfig' },
};

interface CompiledRule {
  readonly segments: readonly string[];
  readonly rule: MergeRule;
}

const compiled: readonly CompiledRule[] = Object.entries(mergeRules).map(([pattern, rule]) => ({ segments: pattern.split('.'), rule }));

/** The rule for the value at `path` (map keys only), if any. */
export function mergeRuleFor(path: readonly string[]): MergeRule | undefined {
  for (const { segments, rule } of compiled) {
    if (segments.length !== path.length) continue;
    if (segments.every((s, i) => s === '*' || s === path[i])) return rule;
  }
  return undefined;
}
