/**
 * What a Compose model means without saying it (Docker Compose's
 * normalization, skipped by `config --no-normalize`):
 *
 * - a service with no `networks` and no `network_mode` is on the `default`
 *   network, which exists (top level) as soon as a service uses it;
 * - networks, volumes, configs and secrets are named `<project>_<key>`, unless
 *   they have a `name:`; external ones are named by their key;
 * - `build` without `dockerfile` (or `dockerfile_inline`) uses `Dockerfile`;
 *   build args without a value take it from the project environment, or are
 *   dropped;
 * - `links`, `volumes_from` and `service:` namespaces (`network_mode`, `ipc`,
 *   `pid`, `uts`, `cgroup`) imply a `depends_on` entry;
 * - `pull_policy: if_not_present` is spelled `missing`.
 */
import { copyMap, isList, isMap, keyPos, originOf, withOrigin, type Node, type Pos, type TreeMap } from './tree';

export interface ImplicitContext {
  readonly projectName: string;
  lookupEnv(name: string): string | undefined;
}

type ServiceRule = (service: TreeMap, ctx: ImplicitContext) => TreeMap;

const NAMESPACES = ['network_mode', 'ipc', 'pid', 'uts', 'cgroup'];

/** Implied dependencies: where they come from, and whether a restart of the dependency restarts this service. */
const impliedDependencies: ReadonlyArray<(s: TreeMap) => Array<{ name: string; restart: boolean }>> = [
  (s) => strings(s.links).map((l) => ({ name: l.split(':')[0], restart: true })),
  (s) =>
    NAMESPACES.flatMap((k) => {
      const v = s[k];
      return typeof v === 'string' && v.startsWith('service:') ? [{ name: v.slice('service:'.length), restart: true }] : [];
    }),
  (s) =>
    strings(s.volumes_from)
      .filter((v) => !v.startsWith('container:'))
      .map((v) => ({ name: v.split(':')[0], restart: false })),
];

/** Per-attribute implicit defaults of a service, in the order they apply. */
export const implicitServiceRules: Readonly<Record<string, ServiceRule>> = {
  networks: (s) => {
    if ('network_mode' in s || 'provider' in s) return s;
    if (isMap(s.networks) && Object.keys(s.networks).length > 0) return s;
    return { ...s, networks: withOrigin({ default: null }, originOf(s.networks) ?? originOf(s)) };
  },
  pull_policy: (s) => (s.pull_policy === 'if_not_present' ? { ...s, pull_policy: 'missing' } : s),
  build: (s, ctx) => {
    if (!isMap(s.build)) return s;
    const b: TreeMap = { ...s.build };
    if (b.dockerfile === undefined && b.dockerfile_inline === undefined) b.dockerfile = 'Dockerfile';
    if (isMap(b.args)) {
      const args: TreeMap = withOrigin({}, originOf(b.args));
      for (const [k, v] of Object.entries(b.args)) {
        const value = v === null ? ctx.lookupEnv(k) : v;
        if (value !== undefined) args[k] = value;
      }
      b.args = args;
    }
    return { ...s, build: b };
  },
  depends_on: (s) => {
    // Only these attributes imply dependencies: most services have none of them.
    if (s.links === undefined && s.volumes_from === undefined && !NAMESPACES.some((k) => typeof s[k] === 'string')) return s;
    const implied = impliedDependencies.flatMap((f) => f(s));
    if (implied.length === 0) return s;
    const deps: TreeMap = isMap(s.depends_on) ? { ...s.depends_on } : withOrigin({}, originOf(s));
    for (const { name, restart } of implied) {
      if (name in deps) continue;
      deps[name] = withOrigin({ condition: 'service_started', restart, required: true }, at(s, 'depends_on'));
    }
    return { ...s, depends_on: deps };
  },
};

const RESOURCES = ['networks', 'volumes', 'configs', 'secrets'] as const;

const serviceRules = Object.values(implicitServiceRules);

export function addImplicitDefaults(tree: TreeMap, ctx: ImplicitContext): TreeMap {
  const out: TreeMap = { ...tree };
  let usesDefault = false;
  if (isMap(tree.services)) {
    const services: TreeMap = copyMap(tree.services);
    const names = Object.keys(tree.services);
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      const svc = tree.services[name];
      if (!isMap(svc)) continue;
      let s = svc;
      for (let r = 0; r < serviceRules.length; r++) s = serviceRules[r](s, ctx);
      if (isMap(s.networks) && 'default' in s.networks) usesDefault = true;
      services[name] = s;
    }
    out.services = services;
  }
  if (usesDefault && !(isMap(tree.networks) && 'default' in tree.networks)) {
    out.networks = withOrigin({ ...(isMap(tree.networks) ? tree.networks : {}), default: null }, originOf(tree.networks) ?? originOf(tree));
  }
  for (const section of RESOURCES) {
    const resources = out[section];
    if (!isMap(resources)) continue;
    const named: TreeMap = copyMap(resources);
    for (const [key, res] of Object.entries(resources)) named[key] = withName(res, key, ctx.projectName, keyPos(resources, key));
    out[section] = named;
  }
  return out;
}

function withName(res: Node, key: string, project: string, pos: Pos | undefined): Node {
  const r: TreeMap = isMap(res) ? res : withOrigin({}, pos ? { pos } : undefined);
  if (r.name !== undefined && r.name !== null) return r;
  return { ...r, name: r.external === true ? key : `${project}_${key}` };
}

function strings(v: Node | undefined): string[] {
  return isList(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function at(s: TreeMap, key: string): { pos: Pos } | undefined {
  const pos = keyPos(s, key);
  return pos ? { pos } : undefined;
}
