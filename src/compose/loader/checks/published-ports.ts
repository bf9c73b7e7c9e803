/**
 * Check: no host port is published twice across the project (same protocol,
 * overlapping host address) by services that can run at the same time.
 * Ports are in long form with ranges already expanded; a published range
 * ("8000-8010", any free port in it) cannot be checked and is skipped.
 */
import { diagnostic, type Diagnostic } from '../../errors';
import { isList, isMap, locate, type TreeMap } from '../tree';
import { eachService, type SemanticCheck } from './semantic-check';

interface Published {
  readonly service: string;
  readonly index: number;
  readonly port: string;
  readonly hostIp: string;
  readonly protocol: string;
  readonly target: string;
  readonly profiles: readonly string[];
}

/** Two host addresses overlap when equal or when one is a wildcard covering the other. */
export function hostIpsOverlap(a: string, b: string): boolean {
  if (a === b || a === '' || b === '') return true;
  const v6 = (ip: string): boolean => ip.includes(':');
  if (a === '0.0.0.0') return !v6(b);
  if (b === '0.0.0.0') return !v6(a);
  if (a === '::') return v6(b);
  if (b === '::') return v6(a);
  return false;
}

/** Services may run together unless their profile sets keep them apart. */
function mayRunTogether(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 && b.length === 0) return true;
  return a.some((p) => b.includes(p));
}

function profilesOf(svc: TreeMap): string[] {
  return isList(svc.profiles) ? svc.profiles.filter((p): p is string => typeof p === 'string') : [];
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

export const checkPublishedPorts: SemanticCheck = (tree) => {
  const out: Diagnostic[] = [];
  /** Ports seen so far by `port/protocol` (only those can clash), in the order seen. */
  const seen = new Map<string, Published[]>();
  eachService(tree, (service, svc) => {
    if (!isList(svc.ports)) return;
    const profiles = profilesOf(svc);
    svc.ports.forEach((p, index) => {
      if (!isMap(p)) return;
      const port = text(p.published).trim();
      if (!/^\d+$/.test(port) || Number(port) === 0) return;
      const mine: Published = {
        service,
        index,
        port: String(Number(port)),
        hostIp: text(p.host_ip),
        protocol: text(p.protocol) || 'tcp',
        target: text(p.target),
        profiles,
      };
      const same = `${mine.port}/${mine.protocol}`;
      const clash = seen.get(same)?.find(
        (o) =>
          o.port === mine.port &&
          o.protocol === mine.protocol &&
          hostIpsOverlap(o.hostIp, mine.hostIp) &&
          mayRunTogether(o.profiles, mine.profiles) &&
          !(o.service === service && o.target === mine.target && o.hostIp === mine.hostIp),
      );
      if (clash) {
        // Placed only when reported: a model publishes many ports, nearly all once.
        const path = ['services', service, 'ports', index];
        const pos = locate(tree, path);
        const clashPos = locate(tree, ['services', clash.service, 'ports', clash.index]);
        const where = clashPos ? ` (${clashPos.file === pos?.file ? `line ${clashPos.line}` : `${clashPos.file}:${clashPos.line}`})` : '';
        const owner = clash.service === service ? 'this service' : `service "${clash.service}"`;
        out.push(
          diagnostic(
            pos,
            path,
            `host port ${mine.port}/${mine.protocol}${mine.hostIp ? ` on ${mine.hostIp}` : ''} is already published by ${owner} at services.${clash.service}.ports[${clash.index}]${where}: publish a different host port`,
          ),
        );
        return;
      }
      const list = seen.get(same);
      if (list) list.push(mine);
      else seen.set(same, [mine]);
    });
  });
  return out;
};
