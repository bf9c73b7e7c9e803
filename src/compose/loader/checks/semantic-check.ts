/** What every semantic check looks like, and the accessors they share. */
import type { Diagnostic } from '../../errors';
import { isMap, type Node, type TreeMap } from '../tree';

/** One check over the normalized tree: every problem it finds, none thrown. */
export type SemanticCheck = (tree: TreeMap) => Diagnostic[];

/** `services` as [name, definition] pairs, skipping anything that is not a map. */
export function servicesOf(tree: TreeMap): [string, TreeMap][] {
  const services = tree.services;
  if (!isMap(services)) return [];
  return Object.entries(services).filter((e): e is [string, TreeMap] => isMap(e[1]));
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
