/**
 * Check: every network, named volume, secret, config and model a service uses
 * is declared at the top level (the `default` network is always implicit).
 */
import { diagnostic, type Diagnostic } from '../../errors';
import { isList, isMap, locate, type Node, type TreeMap, type TreePath } from '../tree';
import { declared, servicesOf, type SemanticCheck } from './semantic-check';
import { didYouMean } from './did-you-mean';

type Section = 'networks' | 'volumes' | 'secrets' | 'configs' | 'models';

const NOUN: Record<Section, string> = {
  networks: 'network',
  volumes: 'volume',
  secrets: 'secret',
  configs: 'config',
  models: 'model',
};

/** A name a service uses, and where (path inside the tree). */
interface Use {
  readonly name: string;
  readonly path: TreePath;
}

/** Where each section's names are used inside one service (a table: one row per use site). */
const usesOf: Record<Section, (svc: TreeMap, base: TreePath) => Use[]> = {
  networks: (svc, base) => namesIn(svc.networks, [...base, 'networks']).filter((u) => u.name !== 'default'),
  volumes: (svc, base) => {
    if (!isList(svc.volumes)) return [];
    const out: Use[] = [];
    svc.volumes.forEach((v, i) => {
      if (isMap(v) && v.type === 'volume' && typeof v.source === 'string' && v.source !== '') {
        out.push({ name: v.source, path: [...base, 'volumes', i] });
      }
    });
    return out;
  },
  secrets: (svc, base) => [
    ...sourcesIn(svc.secrets, [...base, 'secrets']),
    ...(isMap(svc.build) ? sourcesIn(svc.build.secrets, [...base, 'build', 'secrets']) : []),
  ],
  configs: (svc, base) => sourcesIn(svc.configs, [...base, 'configs']),
  models: (svc, base) => namesIn(svc.models, [...base, 'models']),
};

/** Keys of a map, or string items of a list. */
function namesIn(n: Node | undefined, path: TreePath): Use[] {
  if (isMap(n)) return Object.keys(n).map((name) => ({ name, path: [...path, name] }));
  if (isList(n)) {
    return n.flatMap((v, i) => (typeof v === 'string' ? [{ name: v, path: [...path, i] }] : []));
  }
  return [];
}

/** `source` of long-form items (or short-form strings) of a secrets/configs list. */
function sourcesIn(n: Node | undefined, path: TreePath): Use[] {
  if (!isList(n)) return [];
  const out: Use[] = [];
  n.forEach((v, i) => {
    const name = typeof v === 'string' ? v : isMap(v) && typeof v.source === 'string' ? v.source : undefined;
    if (name !== undefined && name !== '') out.push({ name, path: [...path, i] });
  });
  return out;
}

export const checkUndefinedResources: SemanticCheck = (tree) => {
  const out: Diagnostic[] = [];
  for (const section of Object.keys(usesOf) as Section[]) {
    const names = declared(tree, section);
    for (const [service, svc] of servicesOf(tree)) {
      for (const use of usesOf[section](svc, ['services', service])) {
        if (names.has(use.name)) continue;
        const noun = NOUN[section];
        const hint = didYouMean(use.name, names);
        const reason =
          hint !== ''
            ? `service "${service}" uses undefined ${noun} "${use.name}"${hint}`
            : `service "${service}" uses undefined ${noun} "${use.name}": declare it under the top-level "${section}:"`;
        out.push(diagnostic(locate(tree, use.path, 'key'), use.path, reason));
      }
    }
  }
  return out;
};
