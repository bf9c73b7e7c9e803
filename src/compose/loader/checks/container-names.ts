/**
 * Check: a `container_name` names exactly one container — so the service
 * cannot have more than one replica.
 *
 * Two services sharing one `container_name` is NOT a load error: Docker
 * Compose loads such a model and fails only when it creates both containers
 * (`up` of one of them alone succeeds; e2e TestUpContainerNameConflict), so
 * that check belongs to the services being created, not to the model.
 */
import { diagnostic, type Diagnostic } from '../../errors';
import { isMap, locate } from '../tree';
import { asCount, eachService, type SemanticCheck } from './semantic-check';

export const checkContainerNames: SemanticCheck = (tree) => {
  const out: Diagnostic[] = [];
  eachService(tree, (service, svc) => {
    const name = svc.container_name;
    if (typeof name !== 'string' || name === '') return;
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
  });
  return out;
};
