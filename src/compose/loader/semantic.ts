/**
 * Stage: semantic checks on the normalized tree — what a schema cannot say:
 * references to undefined networks, volumes, secrets, configs, models and
 * services; dependency cycles; container names with replicas; host ports
 * published twice; services without image or build; mounts without a target;
 * network_mode with networks; external resources with creation attributes;
 * configs and secrets without exactly one source; a platform that
 * build.platforms leaves out. One check per module under
 * checks/; every check runs and every problem is returned, none thrown.
 */
import type { Diagnostic } from '../errors';
import { checkBuildPlatforms } from './checks/build-platforms';
import { checkContainerNames } from './checks/container-names';
import { checkDependencyCycles } from './checks/dependency-cycles';
import { checkExternalResources } from './checks/external-resources';
import { checkImageOrBuild } from './checks/image-or-build';
import { checkMountTargets } from './checks/mount-targets';
import { checkNetworkMode } from './checks/network-mode';
import { checkPublishedPorts } from './checks/published-ports';
import { checkResourceSources } from './checks/resource-sources';
import type { SemanticCheck } from './checks/semantic-check';
import { checkServiceReferences } from './checks/service-references';
import { checkUndefinedResources } from './checks/undefined-resources';
import type { TreeMap } from './tree';

/** The checks, in the order their findings are reported. */
export const semanticChecks: readonly SemanticCheck[] = [
  checkImageOrBuild,
  checkServiceReferences,
  checkDependencyCycles,
  checkUndefinedResources,
  checkMountTargets,
  checkNetworkMode,
  checkContainerNames,
  checkPublishedPorts,
  checkExternalResources,
  checkResourceSources,
  checkBuildPlatforms,
];

export function checkSemantics(tree: TreeMap): Diagnostic[] {
  const found = semanticChecks.flatMap((check) => check(tree));
  const files = new Map<string, number>();
  for (const d of found) if (d.pos && !files.has(d.pos.file)) files.set(d.pos.file, files.size);
  // File (in order of first appearance), then line and column; unpositioned last. Stable.
  const rank = (d: Diagnostic): [number, number, number] =>
    d.pos ? [files.get(d.pos.file) ?? 0, d.pos.line, d.pos.col] : [Infinity, 0, 0];
  return found
    .map((d, i) => ({ d, i, r: rank(d) }))
    .sort((a, b) => a.r[0] - b.r[0] || a.r[1] - b.r[1] || a.r[2] - b.r[2] || a.i - b.i)
    .map((x) => x.d);
}
