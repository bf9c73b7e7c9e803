/**
 * Check: a `container_name` names exactly one container — so the service
 * cannot have more than one replica, and no two services may share it.
 */
import { diagnostic, type Diagnostic } from '../../errors';
import { isMap, locate } from '../tree';
import { asCount, servicesOf, type SemanticCheck } from './semantic-check';

export const checkContainerNames: SemanticCheck = (tree) => {
  const out: Diagnostic[] = [];
  const owners = new Map<string, string>();
  for (const [service, svc] of servicesOf(tree)) {
    const name = svc.container_name;
    if (typeof name !== 'string' || name === '') continue;
    const path = ['services', service, 'container_name'];
    const replicas = [
      { count: asCount(svc.scale), where: 'scale' },
      { count: isMap(svc.deploy) ? asCount(svc.deploy.replicas) : undefined, where: 'deploy.replicas' },
    ].find((r) => r.count !== undefined && r.count > 1);
    if (replicas) {
      out.push(
        diagnostic(
          locate(tree, path),
          path,
          `service "${service}" sets container_name "${name}" but asks for ${replicas.count} replicas (${replicas.where}): a container name is unique, so remove container_name or run a single replica`,
        ),
      );
    }
    const owner = owners.get(name);
    if (owner !== undefined) {
      out.push(
        diagnostic(
          locate(tree, path),
          path,
          `container name "${name}" is already used by service "${owner}": each service needs its own container_name`,
        ),
      );
    } else {
      owners.set(name, service);
    }
  }
  return out;
};
