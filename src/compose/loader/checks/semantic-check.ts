/** What every semantic check looks like, and the accessors they share. */
import type { Diagnostic } from '../../errors';
import { isMap, type Node, type TreeMap } from '../tree';

/** One check over the normalized tree: every problem it finds, none thrown. */
export type SemanticCheck = (tree: TreeMap) => Diagnostic[];

/**
 * Calls `f` with each service's name and definition (skipping anything that is not a
 * map), in order.
 */
export function eachService(tree: TreeMap, f: (name: string, svc: TreeMap) => void): void {
  const services = tree.services;
  if (!isMap(services)) return;
  const names = Object.keys(services);
  for (let i = 0; i < names.length; i++) {
    const svc = services[names[i]];
    if (isMap(svc)) f(names[i], svc);
  }
}

/** The names declared under a top-level section (`networks`, `volumes`, …). */
export function declared(tree: TreeMap, section: string): Set<string> {
  const s = tree[section];
  return new Set(isMap(s) ? Object.keys(s) : []);
}

/** A count written as a number or (after interpolation) a numeric string. */
export function asCount(v: Node | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v);
  return undefined;
}
