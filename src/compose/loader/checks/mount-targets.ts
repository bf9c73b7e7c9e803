/** Check: every mount in `services.*.volumes` says where it goes in the container (`target`). */
import { diagnostic, type Diagnostic } from '../../errors';
import { isList, isMap, locate } from '../tree';
import { eachService, type SemanticCheck } from './semantic-check';

export const checkMountTargets: SemanticCheck = (tree) => {
  const out: Diagnostic[] = [];
  eachService(tree, (service, svc) => {
    if (!isList(svc.volumes)) return;
    svc.volumes.forEach((m, i) => {
      if (!isMap(m)) return;
      if (typeof m.target === 'string' && m.target.trim() !== '') return;
      const path = ['services', service, 'volumes', i];
      const kind = typeof m.type === 'string' ? `${m.type} mount` : 'mount';
      out.push(
        diagnostic(locate(tree, path), path, `this ${kind} has no target: add "target: /path/in/container" to say where it is mounted`),
      );
    });
  });
  return out;
};
