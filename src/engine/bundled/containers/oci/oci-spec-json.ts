/**
 * config.json text for an OciSpec. Use this instead of JSON.stringify: an rlimit of
 * RLIM_INFINITY (2^64 - 1) is not a JavaScript number, JSON.stringify would write 2^64, which
 * the runtime rejects as out of range; here it is written as 18446744073709551615.
 */
import type { OciSpec } from './oci-spec-types';
import { RLIM_INFINITY } from './rlimits';

const ROUNDED = JSON.stringify(RLIM_INFINITY); // "18446744073709552000"

export function ociSpecJson(spec: OciSpec): string {
  // strings are matched whole (and kept) so that only a bare number token is replaced
  const tokens = new RegExp(`"(?:[^"\\\\]|\\\\.)*"|(?<![\\d.eE+-])${ROUNDED}(?![\\d.eE])`, 'g');
  return `${JSON.stringify(spec, null, 2).replace(tokens, (t) => (t.startsWith('"') ? t : '18446744073709551615'))}\n`;
}
