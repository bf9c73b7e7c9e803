/**
 * Content digests (`sha256:<64 hex>`): validation and the parts a path is built from.
 * A digest is checked before it becomes a file name, so that a hostile manifest can
 * never name a path outside the store.
 */
import { InvalidArgumentError } from '../../../errors';

const hexLength: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };

export interface DigestParts {
  readonly algorithm: string;
  readonly hex: string;
}

export function parseDigest(digest: string): DigestParts {
  const colon = digest.indexOf(':');
  const algorithm = colon > 0 ? digest.slice(0, colon) : '';
  const hex = digest.slice(colon + 1);
  const length = hexLength[algorithm];
  if (length === undefined || hex.length !== length || !/^[0-9a-f]+$/.test(hex)) {
    throw new InvalidArgumentError(`invalid digest "${digest}": expected sha256:<64 hex digits>`);
  }
  return { algorithm, hex };
}

export function isDigest(value: string): boolean {
  try {
    parseDigest(value);
    return true;
  } catch {
    return false;
  }
}
