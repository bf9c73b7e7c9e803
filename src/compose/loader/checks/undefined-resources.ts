/**
 * Check: every network, named volume, secret, config and model a service uses
 * is declared at the top level (the `default` network is always implicit).
 */
import { diagnostic, type Diagnostic } from '../../errors';
import { isList, isMap, locate, type Node, type TreeMap, type TreePath } from '../tree';
import { declared, eachService, type SemanticCheck } from './semantic-check';
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

/**
 * Where each section's names are used inside one service (a table: one row per use
 * site), keeping only the names `known` does not declare: nearly all are declared,
 * and only the others are made into Uses.
 */
const usesOf: Record<Section, (svc: TreeMap, base: TreePath, known: (name: string) => boolean) => Use[]> = {
  networks: (svc, base, known) => namesIn(svc.networks, base, 'networks', (name) => name === 'default' || known(name)),
  volumes: (svc, base, known) => {
    if (!isList(svc.volumes)) return [];
    const out: Use[] = [];
    svc.volumes.forEach((v, i) => {
      if (isMap(v) && v.type === 'volume' && typeof v.source === 'string' && v.source !== '' && !known(v.source)) {
        out.push({ name: v.source, path: [...base, 'volumes', i] });
      }
    });
    return out;
  },
  secrets: (svc, base, known) => [
    ...sourcesIn(svc.secrets, [...base, 'secrets'], known),
    ...(isMap(svc.build) ? sourcesIn(svc.build.secrets, [...base, 'build', 'secrets'], known) : []),
  ],
  configs: (svc, base, known) => sourcesIn(svc.configs, [...base, 'configs'], known),
  models: (svc, base, known) => namesIn(svc.models, base, 'models', known),
};

/** Keys of a map, or string items of a list, at `base.attribute`, that `known` does not know. */
function namesIn(n: Node | undefined, base: TreePath, attribute: string, known: (name: string) => boolean): Use[] {
  if (isMap(n)) {
    const out: Use[] = [];
    for (const name of Object.keys(n)) if (!known(name)) out.push({ name, path: [...base, attribute, name] });
    return out;
  }
  if (isList(n)) {
    return n.flatMap((v, i) => (typeof v === 'string' && !known(v) ? [{ name: v, path: [...base, attribute, i] }] : []));
  }
  return [];
}

/** `source` of long-form items (or short-form strings) of a secrets/configs list, that `known` does not know. */
function sourcesIn(n: Node | undefined, path: TreePath, known: (name: string) => boolean): Use[] {
  if (!isList(n)) return [];
  const out: Use[] = [];
  n.forEach((v, i) => {
    const name = typeof v === 'string' ? v : isMap(v) && typeof v.source === 'string' ? v.source : undefined;
    if (name !== undefined && name !== '' && !known(name)) out.push({ name, path: [...path, i] });
  });
  return out;
}

export const checkUndefinedResources: SemanticCheck = (tree) => {
  const out: Diagnostic[] = [];
  for (const section of Object.keys(usesOf) as Section[]) {
    const names = declared(tree, section);
    const known = (name: string): boolean => names.has(name);
    const uses = usesOf[section];
    eachService(tree, (service, svc) => {
      const found = uses(svc, ['services', service], known);
      for (let i = 0; i < found.length; i++) {
        const use = found[i];
        const noun = NOUN[section];
        const hint = didYouMean(use.name, names);
        const reason =
          hint !== ''
            ? `service "${service}" uses undefined ${noun} "${use.name}"${hint}`
            : `service "${service}" uses undefined ${noun} "${use.name}": declare it under the top-level "${section}:"`;
        out.push(diagnostic(locate(tree, use.path, 'key'), use.path, reason));
      }
    });
  }
  return out;
};
