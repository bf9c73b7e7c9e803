/**
 * Stage: profiles and service selection, on the merged model (before
 * normalization, so `depends_on` may still be a list).
 *
 * Services without `profiles` are always enabled; others only when one of
 * their profiles is active (`--profile`, `COMPOSE_PROFILES`, `*` for all). A
 * service named on the command line adds its own profiles to the active set
 * (the spec's rule), and then only the named services and what they depend on
 * are kept, as `docker compose config web` does. A required dependency on a
 * disabled service is an error; an optional one (`required: false`) is dropped.
 */
import { diagnostic, NotFoundError, ValidationError, type Diagnostic } from '../errors';
import { implicitDependencies } from '../graph';
import { isList, isMap, keyPos, itemPos, originOf, sameOrigin, type Node, type Pos, type TreeMap } from './tree';

export interface ProfileSelection {
  readonly profiles: readonly string[];
  /** Services named on the command line. */
  readonly services?: readonly string[];
}

export interface ProfileResult {
  readonly tree: TreeMap;
  readonly active: readonly string[];
  /** Services left out because none of their profiles is active. */
  readonly disabled: readonly string[];
}

export function profilesOf(service: unknown): string[] {
  if (!isMap(service) || !isList(service.profiles)) return [];
  return service.profiles.filter((p): p is string => typeof p === 'string');
}

/** Every profile any service declares, sorted. */
export function allProfiles(tree: TreeMap): string[] {
  const services = isMap(tree.services) ? tree.services : {};
  return [...new Set(Object.values(services).flatMap(profilesOf))].sort();
}

interface Dependency {
  readonly name: string;
  readonly required: boolean;
  readonly pos?: Pos;
  readonly path: readonly (string | number)[];
}

/** What a service depends on, in either form of `depends_on`, plus links, volumes_from and `service:` modes. */
function dependenciesOf(service: Node, name: string): Dependency[] {
  if (!isMap(service)) return [];
  const out: Dependency[] = [];
  const deps = service.depends_on;
  if (isList(deps)) {
    deps.forEach((d, i) => {
      if (typeof d === 'string') out.push({ name: d, required: true, pos: itemPos(deps, i), path: ['services', name, 'depends_on', i] });
    });
  } else if (isMap(deps)) {
    for (const d of Object.keys(deps)) {
      const spec = deps[d];
      out.push({ name: d, required: !(isMap(spec) && spec.required === false), pos: keyPos(deps, d, 'key'), path: ['services', name, 'depends_on', d] });
    }
  }
  for (const ref of implicitDependencies(service)) {
    out.push({ name: ref.service, required: true, pos: originOf(service)?.pos, path: ['services', name, ...ref.path] });
  }
  return out;
}

export function applyProfiles(tree: TreeMap, sel: ProfileSelection): ProfileResult {
  const services = isMap(tree.services) ? tree.services : {};
  const unknown = (sel.services ?? []).filter((s) => !(s in services));
  if (unknown.length > 0) throw new NotFoundError(`no such service: ${unknown.join(', ')}`);

  const active = new Set(sel.profiles.filter((p) => p !== ''));
  for (const s of sel.services ?? []) for (const p of profilesOf(services[s])) active.add(p);
  const all = active.has('*');
  const enabled = (name: string): boolean => {
    const ps = profilesOf(services[name]);
    return ps.length === 0 || all || ps.some((p) => active.has(p));
  };

  const problems: Diagnostic[] = [];
  const usable = (dep: Dependency, from: string): boolean => {
    if (!(dep.name in services)) return true; // the semantic checks report unknown services
    if (enabled(dep.name)) return true;
    if (dep.required) {
      const needs = profilesOf(services[dep.name]);
      problems.push(
        diagnostic(
          dep.pos,
          dep.path,
          `service "${from}" depends on "${dep.name}", which is disabled: enable it with --profile ${needs.join(' or --profile ')}, or mark the dependency required: false`,
        ),
      );
    }
    return false;
  };

  // With services named, keep those and what they (transitively) depend on.
  const wanted = new Set<string>();
  if (sel.services && sel.services.length > 0) {
    const queue = [...sel.services];
    while (queue.length > 0) {
      const name = queue.shift() as string;
      if (wanted.has(name) || !(name in services)) continue;
      wanted.add(name);
      for (const dep of dependenciesOf(services[name], name)) if (enabled(dep.name)) queue.push(dep.name);
    }
  }

  const kept: TreeMap = sameOrigin({}, services);
  const names = Object.keys(services);
  const disabled = names.filter((name) => !enabled(name));
  for (const name of names) {
    if (disabled.length > 0 && !enabled(name)) continue;
    if (wanted.size > 0 && !wanted.has(name)) continue;
    // With every service enabled, every dependency is usable: nothing to look at.
    if (disabled.length === 0) {
      kept[name] = services[name];
      continue;
    }
    const dropped = new Set(dependenciesOf(services[name], name).filter((d) => !usable(d, name)).map((d) => d.name));
    kept[name] = dropped.size > 0 ? withoutDependsOn(services[name], dropped) : services[name];
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return { tree: { ...tree, services: kept }, active: [...active].sort(), disabled };
}

/** The service without the optional `depends_on` entries on disabled services. */
function withoutDependsOn(service: Node, names: ReadonlySet<string>): Node {
  if (!isMap(service) || !isMap(service.depends_on)) return service;
  const deps = service.depends_on;
  const out: TreeMap = sameOrigin({}, deps);
  for (const d of Object.keys(deps)) if (!names.has(d)) out[d] = deps[d];
  return { ...service, depends_on: out };
}
