/**
 * Every short syntax of the Compose file and its long form, one row per
 * attribute (DESIGN habit 4), as Docker Compose's loader writes them (the
 * form `docker compose config` prints): `services.*.ports` expands
 * `"8080-8081:80-81"` to one map per port, `services.*.environment` turns a
 * list into a map, durations are printed as Go prints them, byte sizes become
 * numbers of bytes … Adding a spec attribute with a short syntax means adding
 * a row here and a test in test/unit/compose/loader/canonical-forms.test.ts.
 *
 * Rules only reshape what is written; defaults that depend on the rest of
 * the project (the `default` network, resource names, implicit
 * dependencies) are added afterwards by normalize.ts.
 */
import type { FormAt, FormRule, FormTable } from './apply-forms';
import { parseBytes } from './bytes';
import { normalizeDuration } from './durations';
import { toMapping } from './mappings';
import { parsePortSpec } from './ports';
import { splitShellWords } from './shell-words';
import { isList, isMap, itemPos, originOf, withOrigin, type Node, type Pos, type TreeList, type TreeMap } from './tree';
import { parseVolumeSpec } from './volumes-syntax';

// ---------------------------------------------------------------- helpers

/** A new map, placed where `pos` says (every key points there too). */
function placed(map: TreeMap, pos: Pos | undefined): TreeMap {
  return withOrigin(map, pos ? { pos } : undefined);
}

/** A new list whose items sit at `positions`, the list itself where `like` was. */
function listAt(items: TreeList, positions: readonly (Pos | undefined)[], like: Node, fallback: Pos | undefined): TreeList {
  const pos = originOf(like)?.pos ?? fallback;
  if (!pos) return items;
  return withOrigin(items, { pos, items: positions.map((p) => p ?? pos) });
}

/** Rewrites each item of a list, keeping item positions; a list no item of which changes is kept as it is. */
function eachItem(f: (item: Node, pos: Pos | undefined, at: FormAt) => Node): FormRule {
  return (v, at) => {
    if (!isList(v)) return v;
    let items: TreeList | undefined;
    for (let i = 0; i < v.length; i++) {
      const w = f(v[i], itemPos(v, i) ?? at.pos, at);
      if (items === undefined && w !== v[i]) items = v.slice(0, i);
      if (items !== undefined) items.push(w);
    }
    if (items === undefined && placedAsCopy(v, at.pos)) return v;
    return listAt(
      items ?? v.slice(),
      v.map((_, i) => itemPos(v, i)),
      v,
      at.pos,
    );
  };
}

/**
 * Whether `listAt` would give a copy of `v` the very origin `v` has (then `v`
 * itself does): a position for the list and one for each of its items.
 */
function placedAsCopy(v: TreeList, fallback: Pos | undefined): boolean {
  const origin = originOf(v);
  if (origin === undefined) return fallback === undefined;
  if (origin.pos === undefined || origin.keys !== undefined || origin.tags !== undefined || origin.tag !== undefined) return false;
  const items = origin.items;
  if (items === undefined || items.length !== v.length) return false;
  for (let i = 0; i < items.length; i++) if (items[i] === undefined) return false;
  return true;
}

const text = (v: Node): Node => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v);

const nullToMap: FormRule = (v, at) => (v === null ? placed({}, at.pos) : v);

const stringOrList: FormRule = (v, at) => (typeof v === 'string' ? listAt([v], [at.pos], null, at.pos) : v);

const stringItems: FormRule = eachItem((item) => text(item));

/**
 * Variables (`environment`, `build.args`: compose-go's MappingWithEquals) as a
 * map. A list entry whose name ends in a blank (`- DEBUG = true`) is refused,
 * as Docker Compose refuses it: the blank would become part of the name.
 */
const variables =
  (noun: string): FormRule =>
  (v, at) => {
    if (isList(v)) {
      v.forEach((item, i) => {
        if (typeof item !== 'string') return;
        const eq = item.indexOf('=');
        const name = eq < 0 ? item : item.slice(0, eq);
        if (name.trim() === '' || !/\s$/u.test(name)) return;
        at.error(
          `${noun} ${name.trim()} is declared with a trailing space: remove the blank after the name${eq < 0 ? '' : ' (write NAME=value)'}`,
          itemPos(v, i) ?? at.pos,
          [...at.path, i],
        );
      });
    }
    return toMapping(v, 'null');
  };
const envMapping = variables('environment variable');
const mapping: FormRule = (v) => toMapping(v, 'empty');

const bytes: FormRule = (v, at) => {
  if (typeof v !== 'string' && typeof v !== 'number') return v;
  const n = parseBytes(v);
  if (n === undefined) {
    at.error(`invalid size ${JSON.stringify(v)}: use a number of bytes or a number with a unit (b, k, m, g), e.g. 512m`);
    return v;
  }
  return n;
};

const duration: FormRule = (v, at) => {
  if (typeof v !== 'string' && typeof v !== 'number') return v;
  const d = normalizeDuration(v);
  if (d === undefined) {
    at.error(`invalid duration ${JSON.stringify(v)}: use a number with a unit (ns, us, ms, s, m, h), e.g. 1m30s`);
    return v;
  }
  return d;
};

const integer: FormRule = (v, at) => {
  if (typeof v !== 'string') return v;
  if (!/^[-+]?\d+$/.test(v.trim())) {
    at.error(`invalid number ${JSON.stringify(v)}: an integer is expected here`);
    return v;
  }
  return Number(v);
};

const float: FormRule = (v, at) => {
  if (typeof v !== 'string') return v;
  const n = Number(v.trim());
  if (v.trim() === '' || !Number.isFinite(n)) {
    at.error(`invalid number ${JSON.stringify(v)}: a number is expected here`);
    return v;
  }
  return n;
};

/** `"bundle exec thin -p 3000"` → `[bundle, exec, thin, -p, "3000"]`. */
const shellCommand: FormRule = (v, at) => {
  if (isList(v)) return stringItems(v, at);
  if (typeof v !== 'string') return v;
  try {
    const { words, rest } = splitShellWords(v);
    if (rest !== undefined) {
      at.warn(`the text from ${JSON.stringify(rest)} on is ignored, as Docker Compose does: shell operators need a shell, e.g. ["sh", "-c", "…"]`);
    }
    return listAt(words, words.map(() => at.pos), null, at.pos);
  } catch (e) {
    at.error(`invalid command ${JSON.stringify(v)}: ${(e as Error).message}`);
    return v;
  }
};

/** A file mode: `"0440"` (octal text) or a number (the permission bits). */
const fileMode: FormRule = (v, at) => {
  if (typeof v !== 'string') return v;
  if (!/^[0-7]+$/.test(v.trim())) {
    at.error(`invalid mode ${JSON.stringify(v)}: use octal digits, e.g. "0440"`);
    return v;
  }
  return parseInt(v.trim(), 8);
};

/** Service `secrets` / `configs` (and build secrets): `name` → `{source: name}`. */
const fileMount: FormRule = (v, at) => {
  if (typeof v === 'string') return placed({ source: v }, at.pos);
  if (!isMap(v)) return v;
  const out: TreeMap = { ...v };
  if (typeof v.uid === 'number') out.uid = String(v.uid);
  if (typeof v.gid === 'number') out.gid = String(v.gid);
  if (v.mode !== undefined) out.mode = fileMode(v.mode, at);
  return out;
};

const ulimit: FormRule = (v, at) => {
  if (typeof v === 'string') return integer(v, at);
  if (!isMap(v)) return v;
  const out: TreeMap = { ...v };
  for (const k of ['soft', 'hard']) if (typeof v[k] === 'string') out[k] = integer(v[k], at);
  return out;
};

/** `extra_hosts` as a map or `host:ip` / `host=ip` list → sorted `host=ip` list, IPv6 brackets removed. */
const hosts: FormRule = (v, at) => {
  const entries: Array<[string, string, Pos | undefined]> = [];
  const add = (host: string, ips: string, pos: Pos | undefined): void => {
    for (const ip of ips.split(',')) entries.push([host, ip.replace(/^\[(.*)\]$/, '$1'), pos]);
  };
  if (isMap(v)) {
    for (const [host, ip] of Object.entries(v)) {
      if (isList(ip)) for (const one of ip) add(host, String(one ?? ''), at.pos);
      else add(host, String(ip ?? ''), at.pos);
    }
  } else if (isList(v)) {
    v.forEach((item, i) => {
      const s = String(item ?? '');
      const sep = s.includes('=') ? '=' : ':';
      const cut = s.indexOf(sep);
      if (cut < 0) {
        at.error(`invalid extra host ${JSON.stringify(s)}: use "host=ip" or "host:ip"`, itemPos(v, i));
        return;
      }
      add(s.slice(0, cut), s.slice(cut + 1), itemPos(v, i));
    });
  } else {
    return v;
  }
  const sorted = entries.map(([h, ip, pos]) => ({ s: `${h}=${ip}`, pos })).sort((a, b) => (a.s < b.s ? -1 : a.s > b.s ? 1 : 0));
  return listAt(
    sorted.map((e) => e.s),
    sorted.map((e) => e.pos),
    v,
    at.pos,
  );
};

// ---------------------------------------------------------------- services

const build: FormRule = (v, at) => {
  const b = typeof v === 'string' ? placed({ context: v }, at.pos) : v;
  if (isMap(b) && b.context === undefined) return { ...b, context: '.' };
  return b;
};

/** `ssh: default` / `[default, key=path]` / `{key: path}` → list of `id` or `id=path`. */
const ssh: FormRule = (v, at) => {
  if (typeof v === 'string') return listAt([v], [at.pos], null, at.pos);
  if (isMap(v)) {
    const items = Object.keys(v)
      .sort()
      .map((k) => (v[k] === null || v[k] === '' ? k : `${k}=${String(v[k])}`));
    return listAt(items, items.map(() => at.pos), v, at.pos);
  }
  return v;
};

const healthcheck: FormRule = (v, at) => {
  if (!isMap(v) || typeof v.test !== 'string') return v;
  return { ...v, test: listAt(['CMD-SHELL', v.test], [at.pos, at.pos], null, at.pos) };
};

const dependencyDefaults = (spec: Node, pos: Pos | undefined): TreeMap => {
  if (isMap(spec) && spec.condition !== undefined && spec.required !== undefined) return spec;
  const m = isMap(spec) ? { ...spec } : placed({}, pos);
  if (m.condition === undefined) m.condition = 'service_started';
  if (m.required === undefined) m.required = true;
  return m;
};

/** `depends_on: [db]` → `{db: {condition: service_started, required: true}}`. */
const dependsOn: FormRule = (v, at) => {
  if (isList(v)) {
    const out: TreeMap = {};
    const keys: Record<string, { key: Pos; value: Pos }> = {};
    v.forEach((item, i) => {
      if (typeof item !== 'string') return;
      const pos = itemPos(v, i) ?? at.pos;
      out[item] = dependencyDefaults(null, pos);
      if (pos) keys[item] = { key: pos, value: pos };
    });
    const base = originOf(v)?.pos ?? at.pos;
    return withOrigin(out, base ? { pos: base, keys } : undefined);
  }
  if (isMap(v)) {
    let out: TreeMap | undefined;
    for (const k of Object.keys(v)) {
      const d = dependencyDefaults(v[k], at.pos);
      if (d !== v[k]) (out ??= { ...v })[k] = d;
    }
    return out ?? v;
  }
  return v;
};

/** `env_file: .env` → `[{path: .env, required: true}]`. */
const envFile: FormRule = (v, at) => {
  const one = (item: Node, pos: Pos | undefined): Node => {
    if (typeof item === 'string') return placed({ path: item, required: true }, pos);
    if (isMap(item) && item.required === undefined) return { ...item, required: true };
    return item;
  };
  if (isList(v)) return eachItem((item, pos) => one(item, pos))(v, at);
  if (typeof v === 'string') return listAt([one(v, at.pos)], [at.pos], null, at.pos);
  return v;
};

const extendsForm: FormRule = (v, at) => (typeof v === 'string' ? placed({ service: v }, at.pos) : v);

/** Docker's `count: -1` is "all devices". */
const deviceCount: FormRule = (v, at) => (v === 'all' ? -1 : integer(v, at));

const gpus: FormRule = (v, at) => (typeof v === 'string' ? listAt([placed({ count: -1 }, at.pos)], [at.pos], null, at.pos) : v);

/** A list of names → a map of names to `null`. */
const namesToMap: FormRule = (v, at) => {
  if (!isList(v)) return v;
  const out: TreeMap = {};
  const keys: Record<string, { key: Pos; value: Pos }> = {};
  v.forEach((item, i) => {
    if (typeof item !== 'string') return;
    out[item] = null;
    const pos = itemPos(v, i) ?? at.pos;
    if (pos) keys[item] = { key: pos, value: pos };
  });
  const base = originOf(v)?.pos ?? at.pos;
  return withOrigin(out, base ? { pos: base, keys } : undefined);
};

/** A short-syntax volume → its long form; a long one is kept. */
const volumeMount: FormRule = (v, at) => {
  if (typeof v !== 'string') return v;
  let spec;
  try {
    spec = parseVolumeSpec(v);
  } catch (e) {
    at.error(`invalid volume ${JSON.stringify(v)}: ${(e as Error).message}`);
    return v;
  }
  const out: TreeMap = { type: spec.type };
  if (spec.source !== undefined) out.source = spec.source;
  out.target = spec.target;
  if (spec.readOnly) out.read_only = true;
  if (spec.type === 'bind') out.bind = placed({ ...spec.bind, create_host_path: true }, at.pos);
  else if (v.length > 2) out.volume = placed(spec.nocopy ? { nocopy: true } : {}, at.pos);
  return placed(out, at.pos);
};

/** `ports: ["8080-8081:80-81"]` → one map per port. */
const ports: FormRule = (v, at) => {
  if (!isList(v)) return v;
  const items: TreeList = [];
  const positions: (Pos | undefined)[] = [];
  let unparsed = false;
  v.forEach((entry, i) => {
    const pos = itemPos(v, i) ?? at.pos;
    if (typeof entry === 'number') {
      items.push(placed({ target: entry }, pos));
      positions.push(pos);
    } else if (typeof entry === 'string') {
      let parsed;
      try {
        parsed = parsePortSpec(entry);
      } catch (e) {
        unparsed = true;
        at.error(`invalid port ${JSON.stringify(entry)}: ${(e as Error).message}`, pos, [...at.path, i]);
        return;
      }
      for (const p of parsed) {
        const m: TreeMap = { mode: 'ingress' };
        if (p.hostIp !== '') m.host_ip = p.hostIp;
        m.target = p.target;
        if (p.published !== '') m.published = p.published;
        m.protocol = p.protocol;
        items.push(placed(m, pos));
        positions.push(pos);
      }
    } else {
      items.push(entry);
      positions.push(pos);
    }
  });
  // Uninterpolated (`config --no-interpolate`): Docker Compose then keeps the list as written.
  if (unparsed && at.lenient) return v;
  return listAt(items, positions, v, at.pos);
};

const portDefaults: FormRule = (v) => {
  if (!isMap(v)) return v;
  if (v.mode !== undefined && v.protocol !== undefined && typeof v.published !== 'number') return v;
  const out: TreeMap = { ...v };
  if (out.mode === undefined) out.mode = 'ingress';
  if (out.protocol === undefined) out.protocol = 'tcp';
  if (typeof out.published === 'number') out.published = String(out.published);
  return out;
};

/** `/dev/a:/dev/b:rwm` → `{source, target, permissions}`. */
const deviceMapping: FormRule = (v, at) => {
  if (typeof v !== 'string') return v;
  const parts = v.split(':');
  if (parts.length > 3) {
    at.error(`invalid device ${JSON.stringify(v)}: use SOURCE[:TARGET[:PERMISSIONS]]`);
    return v;
  }
  const [source, target = source, permissions = 'rwm'] = parts;
  return placed({ source, target: target === '' ? source : target, permissions }, at.pos);
};

/** A watch rule with a list of paths is one rule per path. */
const watch: FormRule = (v, at) => {
  if (!isList(v)) return v;
  const items: TreeList = [];
  const positions: (Pos | undefined)[] = [];
  v.forEach((rule, i) => {
    const pos = itemPos(v, i) ?? at.pos;
    if (isMap(rule) && isList(rule.path)) {
      for (const p of rule.path) {
        items.push({ ...rule, path: p });
        positions.push(pos);
      }
    } else {
      items.push(rule);
      positions.push(pos);
    }
  });
  return listAt(items, positions, v, at.pos);
};

// ---------------------------------------------------------------- top level

/** `external: {name: x}` (deprecated) → `name: x` + `external: true`. */
const maybeExternal: FormRule = (v, at) => {
  if (v === null) return placed({}, at.pos);
  if (!isMap(v) || !isMap(v.external)) return v;
  const out: TreeMap = { ...v, external: true };
  const extName = v.external.name;
  if (extName !== undefined && extName !== null) {
    at.warn('external.name is deprecated: set name and external: true', at.pos, [...at.path, 'external', 'name']);
    if (v.name !== undefined && v.name !== extName) {
      at.error(`name ${JSON.stringify(v.name)} and external.name ${JSON.stringify(extName)} conflict: only use name`);
    } else {
      out.name = extName;
    }
  }
  return out;
};

// ---------------------------------------------------------------- the table

const BYTES = ['mem_limit', 'mem_reservation', 'memswap_limit', 'mem_swappiness', 'shm_size'];
const INTEGERS = ['cpu_count', 'cpu_period', 'cpu_quota', 'cpu_rt_period', 'cpu_rt_runtime', 'cpu_shares', 'oom_score_adj', 'pids_limit', 'scale'];
const FLOATS = ['cpus', 'cpu_percent'];
const HEALTH_DURATIONS = ['interval', 'timeout', 'start_period', 'start_interval'];
const STRING_OR_LIST = ['dns', 'dns_search', 'tmpfs', 'label_file'];
const BUILD_STRING_OR_LIST = ['cache_from', 'cache_to', 'tags', 'platforms', 'no_cache_filter'];
const BLKIO_RATES = ['device_read_bps', 'device_write_bps', 'device_read_iops', 'device_write_iops'];
const RESOURCES = ['networks', 'volumes', 'secrets', 'configs'];

function rows(prefix: string, keys: readonly string[], rule: FormRule): Record<string, FormRule> {
  return Object.fromEntries(keys.map((k) => [`${prefix}${k}`, rule]));
}

export const canonicalForms: FormTable = {
  'services.*': nullToMap,
  'services.*.annotations': mapping,
  'services.*.build': build,
  'services.*.build.args': variables('build argument'),
  'services.*.build.labels': mapping,
  'services.*.build.additional_contexts': mapping,
  'services.*.build.ssh': ssh,
  'services.*.build.secrets.*': fileMount,
  ...rows('services.*.build.', BUILD_STRING_OR_LIST, stringOrList),
  'services.*.build.extra_hosts': hosts,
  'services.*.build.shm_size': bytes,
  'services.*.build.ulimits.*': ulimit,
  'services.*.blkio_config.weight': integer,
  'services.*.blkio_config.weight_device.*.weight': integer,
  ...rows('services.*.blkio_config.', BLKIO_RATES.map((k) => `${k}.*.rate`), bytes),
  ...rows('services.*.', BYTES, bytes),
  ...rows('services.*.', INTEGERS, integer),
  ...rows('services.*.', FLOATS, float),
  'services.*.command': shellCommand,
  'services.*.entrypoint': shellCommand,
  'services.*.configs.*': fileMount,
  'services.*.secrets.*': fileMount,
  'services.*.depends_on': dependsOn,
  'services.*.deploy.labels': mapping,
  'services.*.deploy.replicas': integer,
  'services.*.deploy.update_config.delay': duration,
  'services.*.deploy.update_config.monitor': duration,
  'services.*.deploy.update_config.max_failure_ratio': float,
  'services.*.deploy.rollback_config.delay': duration,
  'services.*.deploy.rollback_config.monitor': duration,
  'services.*.deploy.rollback_config.max_failure_ratio': float,
  'services.*.deploy.restart_policy.delay': duration,
  'services.*.deploy.restart_policy.window': duration,
  'services.*.deploy.restart_policy.max_attempts': integer,
  'services.*.deploy.resources.limits.cpus': float,
  'services.*.deploy.resources.limits.memory': bytes,
  'services.*.deploy.resources.limits.pids': integer,
  'services.*.deploy.resources.reservations.cpus': float,
  'services.*.deploy.resources.reservations.memory': bytes,
  'services.*.deploy.resources.reservations.devices.*.count': deviceCount,
  'services.*.develop.watch': watch,
  'services.*.devices.*': deviceMapping,
  ...rows('services.*.', STRING_OR_LIST, stringOrList),
  'services.*.env_file': envFile,
  'services.*.environment': envMapping,
  'services.*.expose': stringItems,
  'services.*.extends': extendsForm,
  'services.*.extra_hosts': hosts,
  'services.*.gpus': gpus,
  'services.*.gpus.*.count': deviceCount,
  'services.*.healthcheck': healthcheck,
  ...rows('services.*.healthcheck.', HEALTH_DURATIONS, duration),
  'services.*.healthcheck.retries': integer,
  'services.*.labels': mapping,
  'services.*.logging.options': mapping,
  'services.*.models': namesToMap,
  'services.*.networks': namesToMap,
  'services.*.networks.*.driver_opts': mapping,
  'services.*.networks.*.priority': integer,
  'services.*.networks.*.gw_priority': integer,
  'services.*.ports': ports,
  'services.*.ports.*': portDefaults,
  'services.*.ports.*.target': integer,
  'services.*.post_start.*.command': shellCommand,
  'services.*.post_start.*.environment': envMapping,
  'services.*.pre_stop.*.command': shellCommand,
  'services.*.pre_stop.*.environment': envMapping,
  'services.*.stop_grace_period': duration,
  'services.*.storage_opt': mapping,
  'services.*.sysctls': mapping,
  'services.*.ulimits.*': ulimit,
  'services.*.volumes.*': volumeMount,
  'services.*.volumes.*.tmpfs.size': bytes,
  'services.*.volumes.*.tmpfs.mode': fileMode,
  ...rows('', RESOURCES.map((r) => `${r}.*`), maybeExternal),
  ...rows('', RESOURCES.map((r) => `${r}.*.labels`), mapping),
  'networks.*.driver_opts': mapping,
  'networks.*.ipam.options': mapping,
  'networks.*.ipam.config.*.aux_addresses': mapping,
  'volumes.*.driver_opts': mapping,
  'secrets.*.driver_opts': mapping,
  'configs.*.driver_opts': mapping,
};
