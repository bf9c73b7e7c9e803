/** Check: every service says where its image comes from — `image`, `build`, or a `provider`. */
import { diagnostic, type Diagnostic } from '../../errors';
import { locate } from '../tree';
import { eachService, type SemanticCheck } from './semantic-check';

export const checkImageOrBuild: SemanticCheck = (tree) => {
  const out: Diagnostic[] = [];
  eachService(tree, (service, svc) => {
    const has = (k: string): boolean => svc[k] !== undefined && svc[k] !== null && svc[k] !== '';
    if (has('image') || has('build') || has('provider')) return;
    const advice = 'add "image: <name>" to run an existing image, or "build: <directory>" to build one';
    if (svc.image === '') {
      // Usually `image: ${TAG}` with the variable unset.
      const path = ['services', service, 'image'];
      out.push(diagnostic(locate(tree, path), path, `service "${service}" has an empty image (is a variable in it unset?) and no build section: ${advice}`));
      return;
    }
    const path = ['services', service];
    out.push(diagnostic(locate(tree, path, 'key'), path, `service "${service}" has neither an image nor a build section: ${advice}`));
  });
  return out;
};
