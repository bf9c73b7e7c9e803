/**
 * Check: a service that sets both `platform` and `build.platforms` builds for
 * the platform it runs on — `build.platforms` must list `platform`, written
 * the same way (Docker Compose: "service.build.platforms MUST include
 * service.platform").
 */
import { diagnostic, type Diagnostic } from '../../errors';
import { isList, isMap, locate } from '../tree';
import { eachService, type SemanticCheck } from './semantic-check';

export const checkBuildPlatforms: SemanticCheck = (tree) => {
  const out: Diagnostic[] = [];
  eachService(tree, (service, svc) => {
    const platform = svc.platform;
    if (typeof platform !== 'string' || platform === '' || !isMap(svc.build)) return;
    const platforms = svc.build.platforms;
    if (!isList(platforms) || platforms.length === 0 || platforms.includes(platform)) return;
    const path = ['services', service, 'platform'];
    out.push(
      diagnostic(
        locate(tree, path),
        path,
        `service "${service}" runs on platform "${platform}" but its build.platforms (${platforms.map(String).join(', ')}) does not include it: build.platforms must list the service's platform`,
      ),
    );
  });
  return out;
};
