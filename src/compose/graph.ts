/**
 * The depends_on graph: which service waits for which, under what condition.
 * Built from a normalized tree or from a plain list of services; cycles and
 * self-dependencies are errors that name the cycle (`a -> b -> c -> a`).
 * One graph serves up (dependencyOrder, levels), down (reverseOrder), start,
 * stop and restart (dependentsOf).
 */
import { diagnostic, ValidationError, type Diagnostic } from './errors';
import { isList, isMap, locate, originOf, type Pos, type TreeMap } from './loader/tree';

export const DEPENDENCY_CONDITIONS = ['service_started', 'service_healthy', 'service_completed_successfully'] as const;
export type DependencyCondition = (typeof DEPENDENCY_CONDITIONS)[number];

/** One resolved `depends_on` entry. */
export interface Dependency {
  readonly condition: DependencyCondition;
  /** When false, a missing dependency is skipped instead of being an error. */
  readonly required: boolean;
  /** Restart the dependent when this dependency is restarted by Compose. */
  readonly restart: boolean;
}

/** The graph's own input: a service name and its depends_on, as written or normalized. */
export interface GraphService {
  readonly name: string;
  readonly dependsOn: Readonly<Record<string, Partial<Dependency>>>;
  /** Where each depends_on entry is written, for error messages. */
  readonly positions?: Readonly<Record<string, Pos | undefined>>;
}

const DEFAULT_DEPENDENCY: Dependency = { condition: 'service_started', required: true, restart: false };

export function isDependencyCondition(v: unknown): v is DependencyCondition {
  return typeof v === 'string' && (DEPENDENCY_CONDITIONS as readonly string[]).includes(v);
}

export class DependencyGraph {
  /** Service names in input order. */
  readonly services: readonly string[];
  private readonly deps = new Map<string, Map<string, Dependency>>();
  private readonly rdeps = new Map<string, Set<string>>();
  private readonly order: readonly string[];

  private constructor(services: readonly GraphService[]) {
    this.services = services.map((s) => s.name);
    const known = new Set(this.services);
    const problems: Diagnostic[] = [];
    for (const s of services) this.rdeps.set(s.name, new Set());
    for (const s of services) {
      const edges = new Map<string, Dependency>();
      const deps = Object.keys(s.dependsOn);
      for (let i = 0; i < deps.length; i++) {
        const dep = deps[i];
        const d = withDefaults(s.dependsOn[dep]);
        const at = s.positions?.[dep];
        if (!isDependencyCondition(d.condition)) {
          problems.push(
            diagnostic(at, dependencyPath(s.name, dep), `unknown condition ${JSON.stringify(d.condition)}: use one of ${DEPENDENCY_CONDITIONS.join(', ')}`),
          );
          continue;
        }
        if (dep === s.name) {
          problems.push(diagnostic(at, dependencyPath(s.name, dep), `service "${s.name}" depends on itself: remove "${dep}" from its depends_on`));
          continue;
        }
        if (!known.has(dep)) {
          if (!d.required) continue; // optional and absent (e.g. disabled by a profile): skipped
          problems.push(diagnostic(at, dependencyPath(s.name, dep), `service "${s.name}" depends on undefined service "${dep}"`));
          continue;
        }
        edges.set(dep, d);
        this.rdeps.get(dep)?.add(s.name);
      }
      this.deps.set(s.name, edges);
    }
    if (problems.length > 0) throw new ValidationError(problems);
    this.order = this.topologicalOrder(services);
  }

  static fromServices(services: readonly GraphService[]): DependencyGraph {
    return new DependencyGraph(services);
  }

  /**
   * From a normalized tree (`services.*.depends_on` as a map). Implicit
   * dependencies (links, `service:` network_mode/pid/ipc, volumes_from) are
   * added as `service_started` when depends_on does not already name them.
   */
  static fromTree(tree: TreeMap): DependencyGraph {
    return new DependencyGraph(graphServicesOf(tree));
  }

  /** The dependency edge `from` → `to`, if any. */
  dependency(from: string, to: string): Dependency | undefined {
    return this.deps.get(from)?.get(to);
  }

  has(name: string): boolean {
    return this.deps.has(name);
  }

  /** Every service, each after all of its dependencies; ties keep input order. */
  dependencyOrder(): string[] {
    return [...this.order];
  }

  /** Every service, each before all of its dependencies (for stop and down). */
  reverseOrder(): string[] {
    return [...this.order].reverse();
  }

  /** Direct (or, with `transitive`, all) dependencies of `name`, in dependency order. */
  dependenciesOf(name: string, transitive = false): string[] {
    this.mustHave(name);
    return this.walk(name, transitive, (n) => [...(this.deps.get(n)?.keys() ?? [])]);
  }

  /** Direct (or, with `transitive`, all) services that depend on `name`, in dependency order. */
  dependentsOf(name: string, transitive = false): string[] {
    this.mustHave(name);
    return this.walk(name, transitive, (n) => [...(this.rdeps.get(n) ?? [])]);
  }

  /**
   * Services grouped for parallel start: level 0 has no dependencies, each
   * later level depends only on earlier ones (longest path from a root).
   */
  levels(): string[][] {
    const depth = new Map<string, number>();
    for (const name of this.order) {
      let d = 0;
      for (const dep of this.deps.get(name)?.keys() ?? []) d = Math.max(d, (depth.get(dep) ?? 0) + 1);
      depth.set(name, d);
    }
    const out: string[][] = [];
    for (const name of this.order) {
      const d = depth.get(name) ?? 0;
      (out[d] ??= []).push(name);
    }
    return out;
  }

  /** The sub-graph order restricted to `names` and everything they (transitively) need. */
  closureOf(names: readonly string[]): string[] {
    const want = new Set<string>();
    for (const n of names) {
      want.add(n);
      for (const d of this.dependenciesOf(n, true)) want.add(d);
    }
    return this.order.filter((n) => want.has(n));
  }

  private mustHave(name: string): void {
    if (!this.deps.has(name)) throw new RangeError(`no such service in the dependency graph: ${name}`);
  }

  private walk(start: string, transitive: boolean, next: (n: string) => string[]): string[] {
    const seen = new Set<string>();
    const stack = next(start);
    while (stack.length > 0) {
      const n = stack.pop() as string;
      if (seen.has(n)) continue;
      seen.add(n);
      if (transitive) stack.push(...next(n));
    }
    seen.delete(start);
    return this.order.filter((n) => seen.has(n));
  }

  /**
   * Depth-first topological sort (iterative, so long chains cannot overflow
   * the stack); an edge back into the current path is a cycle, reported with its path.
   */
  private topologicalOrder(services: readonly GraphService[]): string[] {
    const state = new Map<string, 'visiting' | 'done'>();
    const out: string[] = [];
    const problems: Diagnostic[] = [];
    const reported = new Set<string>();
    const byName = new Map(services.map((s) => [s.name, s]));
    for (const root of services) {
      if (state.has(root.name)) continue;
      const path: string[] = [root.name];
      const pending: Iterator<string>[] = [this.deps.get(root.name)?.keys() ?? [][Symbol.iterator]()];
      state.set(root.name, 'visiting');
      while (pending.length > 0) {
        const step = pending[pending.length - 1].next();
        const current = path[path.length - 1];
        if (step.done) {
          pending.pop();
          path.pop();
          state.set(current, 'done');
          out.push(current);
          continue;
        }
        const dep = step.value;
        const st = state.get(dep);
        if (st === 'done') continue;
        if (st === 'visiting') {
          const cycle = [...path.slice(path.indexOf(dep)), dep];
          const key = canonicalCycle(cycle);
          if (!reported.has(key)) {
            reported.add(key);
            problems.push(
              diagnostic(
                byName.get(current)?.positions?.[dep],
                ['services', current, 'depends_on', dep],
                `dependency cycle detected: ${cycle.join(' -> ')}; remove one of these depends_on entries`,
              ),
            );
          }
          continue;
        }
        state.set(dep, 'visiting');
        path.push(dep);
        pending.push(this.deps.get(dep)?.keys() ?? [][Symbol.iterator]());
      }
    }
    if (problems.length > 0) throw new ValidationError(problems);
    return out;
  }
}

/** A cycle's identity regardless of where it was entered. */
function canonicalCycle(cycle: readonly string[]): string {
  const ring = cycle.slice(0, -1);
  let best = 0;
  for (let i = 1; i < ring.length; i++) if (ring[i] < ring[best]) best = i;
  return [...ring.slice(best), ...ring.slice(0, best)].join('\0');
}

function dependencyPath(service: string, dep: string): string[] {
  return ['services', service, 'depends_on', dep];
}

/** `{ ...DEFAULT_DEPENDENCY, ...p }`, where a field `p` leaves undefined keeps the default. */
function withDefaults(p: Partial<Dependency>): Dependency {
  return {
    condition: p.condition !== undefined ? p.condition : DEFAULT_DEPENDENCY.condition,
    required: p.required !== undefined ? p.required : DEFAULT_DEPENDENCY.required,
    restart: p.restart !== undefined ? p.restart : DEFAULT_DEPENDENCY.restart,
  };
}

/** The graph input read from a (normalized) tree, with source positions. */
export function graphServicesOf(tree: TreeMap): GraphService[] {
  const services = isMap(tree.services) ? tree.services : {};
  return Object.keys(services).map((name) => {
    const svc = services[name];
    const dependsOn: Record<string, Partial<Dependency>> = {};
    const positions: Record<string, Pos | undefined> = {};
    const base = ['services', name];
    if (isMap(svc)) {
      const implicit = implicitDependencies(svc);
      const implicitPos = new Map<string, Pos | undefined>();
      for (const r of implicit) if (!implicitPos.has(r.service)) implicitPos.set(r.service, locate(tree, [...base, ...r.path]));
      const dep = svc.depends_on;
      if (isMap(dep)) {
        const written = originOf(dep)?.keys ?? {};
        const names = Object.keys(dep);
        for (let i = 0; i < names.length; i++) {
          const d = names[i];
          const spec = dep[d];
          dependsOn[d] = isMap(spec) ? dependencyFrom(spec) : {};
          // An entry normalization added for a link (etc.) is placed where the link is written.
          positions[d] = written[d]?.key ?? implicitPos.get(d) ?? locate(tree, [...base, 'depends_on', d], 'key');
        }
      } else if (isList(dep)) {
        dep.forEach((d, i) => {
          if (typeof d !== 'string') return;
          dependsOn[d] = {};
          positions[d] = locate(tree, [...base, 'depends_on', i]);
        });
      }
      for (const r of implicit) {
        if (r.service in dependsOn) continue;
        dependsOn[r.service] = {};
        positions[r.service] = implicitPos.get(r.service);
      }
    }
    return { name, dependsOn, positions };
  });
}

function dependencyFrom(spec: TreeMap): Partial<Dependency> {
  const out: { condition?: DependencyCondition; required?: boolean; restart?: boolean } = {};
  if (typeof spec.condition === 'string') out.condition = spec.condition as DependencyCondition;
  if (typeof spec.required === 'boolean') out.required = spec.required;
  if (typeof spec.restart === 'boolean') out.restart = spec.restart;
  return out;
}

/** A service another attribute refers to, and where that reference is written. */
export interface ServiceReference {
  readonly service: string;
  /** Path inside the service definition. */
  readonly path: readonly (string | number)[];
  readonly attribute: 'links' | 'network_mode' | 'pid' | 'ipc' | 'uts' | 'cgroup' | 'volumes_from';
}

const NAMESPACE_ATTRIBUTES = ['network_mode', 'pid', 'ipc', 'uts', 'cgroup'] as const;

/** Services started implicitly before this one: links, `service:` namespaces, volumes_from. */
export function implicitDependencies(svc: TreeMap): ServiceReference[] {
  const out: ServiceReference[] = [];
  if (isList(svc.links)) {
    svc.links.forEach((l, i) => {
      if (typeof l === 'string' && l !== '') out.push({ service: l.split(':')[0], path: ['links', i], attribute: 'links' });
    });
  }
  for (let i = 0; i < NAMESPACE_ATTRIBUTES.length; i++) {
    const attribute = NAMESPACE_ATTRIBUTES[i];
    const v = svc[attribute];
    if (typeof v === 'string' && v.startsWith('service:')) out.push({ service: v.slice('service:'.length), path: [attribute], attribute });
  }
  if (isList(svc.volumes_from)) {
    svc.volumes_from.forEach((v, i) => {
      if (typeof v === 'string' && !v.startsWith('container:')) {
        out.push({ service: v.split(':')[0], path: ['volumes_from', i], attribute: 'volumes_from' });
      }
    });
  }
  return out;
}
