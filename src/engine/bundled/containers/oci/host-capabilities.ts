/**
 * The capabilities this engine can hand to a container: its own bounding set (CapBnd in
 * /proc/self/status). A container asking for one outside it would fail to start, so
 * `privileged` and `cap_add: [ALL]` mean these (SpecInput.availableCapabilities).
 */
import * as fs from 'node:fs';
import { capabilitiesOfMask } from './capabilities';

export function parseCapBnd(status: string): bigint {
  const m = /^CapBnd:\s*([0-9a-fA-F]+)\s*$/m.exec(status);
  if (m === null || m[1] === undefined) throw new Error('no CapBnd line in /proc/self/status');
  return BigInt(`0x${m[1]}`);
}

export function hostCapabilities(statusPath = '/proc/self/status'): string[] {
  return capabilitiesOfMask(parseCapBnd(fs.readFileSync(statusPath, 'utf8')));
}
