/**
 * Stage: profiles. Services without `profiles` are always enabled; others only
 * when one of their profiles is active (`--profile`, `COMPOSE_PROFILES`, `*`
 * for all). A service named on the command line adds its own profiles to the
 * active set (the spec's rule). A required dependency on a disabled service is
 * an error; an optional one (`required: false`) is dropped.
 */
import { diagnostic, NotFoundError, ValidationError, type Diagnostic } from '../errors';
import { isList, isMap, keyPos, originOf, sameOrigin, type TreeMap } from './tree';

export interface ProfileSelection {
  readonly profiles: readonly string[];
  /** Services named on the command line. */
  readonly services?: readonly string[];
}

export interface ProfileResult {
  readonly tree: TreeMap;
  readonly active: readonly string[];
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

  const kept: TreeMap = sameOrigin({}, services);
  const disabled: string[] = [];
  const problems: Diagnostic[] = [];
  for (const name of Object.keys(services)) {
    if (!enabled(name)) {
      disabled.push(name);
      continue;
    }
    kept[name] = dropOptionalDisabled(services[name], name, enabled, services, problems);
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return { tree: { ...tree, services: kept }, active: [...active].sort(), disabled };
}

function dropOptionalDisabled(
  service: TreeMap[string],
  name: string,
  enabled: (n: string) => boolean,
  services: TreeMap,
  problems: Diagnostic[],
): TreeMap[string] {
  if (!isMap(service) || !isMap(service.depends_on)) return service;
  const deps = service.depends_on;
  const out: TreeMap = sameOrigin({}, deps);
  for (const dep of Object.keys(deps)) {
    if (!(dep in services) || enabled(dep)) {
      out[dep] = deps[dep];
      continue;
    }
    const spec = deps[dep];
    if (isMap(spec) && spec.required === false) continue;
    const needs = profilesOf(services[dep]);
    problems.push(
      diagnostic(
        keyPos(deps, dep, 'key') ?? originOf(deps)?.pos,
        ['services', name, 'depends_on', dep],
        `service "${name}" depends on "${dep}", which is disabled: enable it with --profile ${needs.join(' or --profile ')}, or mark the dependency required: false`,
      ),
    );
  }
  return { ...service, depends_on: out };
}
