/**
 * OCI chain IDs: the identity of a layer together with everything below it.
 * chainID(L0) = diffID(L0); chainID(Ln) = sha256(chainID(Ln-1) + " " + diffID(Ln)).
 */
import { createHash } from 'node:crypto';
import { parseDigest } from './digest';

export function chainId(parent: string | undefined, diffId: string): string {
  parseDigest(diffId);
  if (parent === undefined) return diffId;
  return `sha256:${createHash('sha256').update(`${parent} ${diffId}`).digest('hex')}`;
}

/** The chain ID of every layer, bottom first. */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) out.push(chainId(out[out.length - 1], diffId));
  return out;
}
