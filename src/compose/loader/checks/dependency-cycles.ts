/**
 * Check: depends_on (with the implicit dependencies of links, volumes_from and
 * `service:` namespaces) has no cycle and no service depends on itself.
 * References to unknown services are left to the service-references check.
 */
import { DependencyGraph, graphServicesOf } from '../../graph';
import { ValidationError } from '../../errors';
import type { SemanticCheck } from './semantic-check';

export const checkDependencyCycles: SemanticCheck = (tree) => {
  const services = graphServicesOf(tree);
  const known = new Set(services.map((s) => s.name));
  // Unknown dependencies left out (a service naming only known ones is kept as it is).
  const onlyKnown = services.map((s) => {
    const deps = Object.keys(s.dependsOn);
    if (deps.every((d) => known.has(d))) return s;
    return { ...s, dependsOn: Object.fromEntries(Object.entries(s.dependsOn).filter(([d]) => known.has(d))) };
  });
  try {
    DependencyGraph.fromServices(onlyKnown);
    return [];
  } catch (e) {
    if (e instanceof ValidationError) return [...e.diagnostics];
    throw e;
  }
};
