/**
 * Check: every reference from one service to another names a service that
 * exists — depends_on, leftover extends, links, volumes_from, `service:`
 * network_mode / pid / ipc, and `service:` build contexts.
 */
import { diagnostic, type Diagnostic } from '../../errors';
import { implicitDependencies } from '../../graph';
import { isList, isMap, locate, originOf, type TreeMap, type TreePath } from '../tree';
import { eachService, type SemanticCheck } from './semantic-check';
import { didYouMean } from './did-you-mean';

interface Reference {
  readonly target: string;
  readonly path: TreePath;
  /** `service "web" <verb> undefined service "x"`. */
  readonly verb: string;
  /** What to do when no similar name exists. */
  readonly advice: string;
  /** Point at the key (map entries) rather than the value. */
  readonly atKey?: boolean;
}

/**
 * The references of one attribute that name no service (`known` tells which
 * names are services): a model's references are nearly all fine, so only the
 * others are made into References.
 */
type ReferenceFinder = (svc: TreeMap, base: TreePath, known: (target: string) => boolean) => Reference[];

const SERVICE = 'service:';

/** One row per attribute that can name another service. */
const referenceFinders: Record<string, ReferenceFinder> = {
  depends_on: (svc, base, known) => {
    const d = svc.depends_on;
    const verb = 'depends on';
    const advice = 'define that service or remove it from depends_on';
    if (isMap(d)) {
      let unknown: string[] | undefined;
      for (const target of Object.keys(d)) if (!known(target)) (unknown ??= []).push(target);
      if (unknown === undefined) return [];
      // Entries normalization added for links, volumes_from or `service:` namespaces are
      // reported where they are written (below), not here where they were implied.
      const implied = new Set(implicitDependencies(svc).map((r) => r.service));
      const written = originOf(d)?.keys ?? {};
      return unknown
        .filter((target) => !(implied.has(target) && written[target] === undefined))
        .map((target) => ({ target, path: [...base, 'depends_on', target], verb, advice, atKey: true }));
    }
    if (isList(d)) {
      return d.flatMap((t, i) => (typeof t === 'string' && !known(t) ? [{ target: t, path: [...base, 'depends_on', i], verb, advice }] : []));
    }
    return [];
  },
  extends: (svc, base, known) => {
    const e = svc.extends;
    const verb = 'extends';
    const advice = 'name a service defined in this file, or add "file:" for one in another file';
    if (typeof e === 'string') return known(e) ? [] : [{ target: e, path: [...base, 'extends'], verb, advice }];
    if (isMap(e) && typeof e.service === 'string' && e.file === undefined && !known(e.service)) {
      return [{ target: e.service, path: [...base, 'extends', 'service'], verb, advice }];
    }
    return [];
  },
  links: (svc, base, known) =>
    isList(svc.links)
      ? svc.links.flatMap((l, i) => {
          if (typeof l !== 'string' || l === '') return [];
          const target = l.split(':')[0];
          return known(target)
            ? []
            : [{ target, path: [...base, 'links', i], verb: 'links to', advice: 'links name services of this project; use external_links for other containers' }];
        })
      : [],
  volumes_from: (svc, base, known) =>
    isList(svc.volumes_from)
      ? svc.volumes_from.flatMap((v, i) => {
          if (typeof v !== 'string' || v.startsWith('container:')) return [];
          const target = v.split(':')[0];
          if (known(target)) return [];
          return [
            {
              target,
              path: [...base, 'volumes_from', i],
              verb: 'mounts volumes from',
              advice: `for a container not managed by Compose write "container:${target}"`,
            },
          ];
        })
      : [],
  network_mode: namespaceFinder('network_mode', 'uses the network stack of'),
  pid: namespaceFinder('pid', 'shares the PID namespace of'),
  ipc: namespaceFinder('ipc', 'shares the IPC namespace of'),
  uts: namespaceFinder('uts', 'shares the UTS namespace of'),
  cgroup: namespaceFinder('cgroup', 'shares the cgroup namespace of'),
  'build.additional_contexts': (svc, base, known) => {
    const ctx = isMap(svc.build) ? svc.build.additional_contexts : undefined;
    if (!isMap(ctx)) return [];
    return Object.entries(ctx).flatMap(([name, v]) =>
      typeof v === 'string' && v.startsWith(SERVICE) && !known(v.slice(SERVICE.length))
        ? [
            {
              target: v.slice(SERVICE.length),
              path: [...base, 'build', 'additional_contexts', name],
              verb: `uses as build context "${name}" the image of`,
              advice: 'name a service of this project that builds an image',
            },
          ]
        : [],
    );
  },
};

function namespaceFinder(attribute: 'network_mode' | 'pid' | 'ipc' | 'uts' | 'cgroup', verb: string): ReferenceFinder {
  return (svc, base, known) => {
    const v = svc[attribute];
    if (typeof v !== 'string' || !v.startsWith(SERVICE)) return [];
    const target = v.slice(SERVICE.length);
    if (known(target)) return [];
    return [{ target, path: [...base, attribute], verb, advice: `for a container not managed by Compose write "container:${target}"` }];
  };
}

const finders = Object.values(referenceFinders);

export const checkServiceReferences: SemanticCheck = (tree) => {
  const names = new Set<string>();
  eachService(tree, (name) => names.add(name));
  const known = (target: string): boolean => names.has(target);
  const out: Diagnostic[] = [];
  eachService(tree, (service, svc) => {
    const base = ['services', service];
    for (let i = 0; i < finders.length; i++) {
      const refs = finders[i](svc, base, known);
      for (let j = 0; j < refs.length; j++) {
        const ref = refs[j];
        const hint = didYouMean(ref.target, names);
        const reason = `service "${service}" ${ref.verb} undefined service "${ref.target}"${hint !== '' ? hint : `: ${ref.advice}`}`;
        out.push(diagnostic(locate(tree, ref.path, ref.atKey ? 'key' : 'value'), ref.path, reason));
      }
    }
  });
  return out;
};
