/**
 * The one place the service config hash is computed (the
 * `com.docker.compose.config-hash` label and `config --hash`).
 *
 * Like Docker Compose, fields that do not change the container are left out:
 * build, pull_policy, scale and deploy.replicas, depends_on and profiles. The
 * hash is sha256 over the service's canonical JSON with keys sorted, so it does
 * not depend on how the file was written.
 */
import { isList, isMap, type Node, type TreeMap } from './loader/tree';

const IGNORED = ['build', 'pull_policy', 'scale', 'depends_on', 'profiles'] as const;

export function configHash(service: TreeMap): string {
  const copy: TreeMap = { ...service };
  for (const k of IGNORED) delete copy[k];
  if (isMap(copy.deploy)) {
    const { replicas: _ignored, ...rest } = copy.deploy;
    copy.deploy = rest;
  }
  // node:crypto is loaded on first use: `config` without --hash never needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(stableJson(copy)).digest('hex');
}

function stableJson(n: Node): string {
  if (isList(n)) return `[${n.map(stableJson).join(',')}]`;
  if (isMap(n)) {
    return `{${Object.keys(n)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(n[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(n);
}
