/**
 * `ulimits` as OCI `process.rlimits`: Docker's names (`nofile`, `nproc`, `core` …) become
 * `RLIMIT_*`; -1 means unlimited (RLIM_INFINITY).
 */
import type { Ulimit } from '../../../containers';
import { InvalidArgumentError } from '../../../errors';
import type { OciRlimit } from './oci-spec-types';

const RLIMIT_NAMES: Readonly<Record<string, string>> = {
  as: 'RLIMIT_AS',
  core: 'RLIMIT_CORE',
  cpu: 'RLIMIT_CPU',
  data: 'RLIMIT_DATA',
  fsize: 'RLIMIT_FSIZE',
  locks: 'RLIMIT_LOCKS',
  memlock: 'RLIMIT_MEMLOCK',
  msgqueue: 'RLIMIT_MSGQUEUE',
  nice: 'RLIMIT_NICE',
  nofile: 'RLIMIT_NOFILE',
  nproc: 'RLIMIT_NPROC',
  rss: 'RLIMIT_RSS',
  rtprio: 'RLIMIT_RTPRIO',
  rttime: 'RLIMIT_RTTIME',
  sigpending: 'RLIMIT_SIGPENDING',
  stack: 'RLIMIT_STACK',
};

/** RLIM_INFINITY as the runtime reads it from JSON (2^64 - 1 does not fit a double exactly; runc and crun take this). */
export const RLIM_INFINITY = 18446744073709551615;

function limit(value: number, name: string, which: string): number {
  if (value === -1) return RLIM_INFINITY;
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError(`ulimit ${name}: ${which} limit must be a non-negative integer or -1, not ${value}`);
  return value;
}

export function rlimitsFromUlimits(ulimits: Readonly<Record<string, Ulimit>> | undefined): OciRlimit[] {
  const out: OciRlimit[] = [];
  for (const [name, u] of Object.entries(ulimits ?? {})) {
    const type = RLIMIT_NAMES[name.toLowerCase()];
    if (type === undefined) throw new InvalidArgumentError(`invalid ulimit name "${name}": known are ${Object.keys(RLIMIT_NAMES).join(', ')}`);
    const soft = limit(u.soft, name, 'soft');
    const hard = limit(u.hard, name, 'hard');
    if (soft > hard) throw new InvalidArgumentError(`ulimit ${name}: soft limit ${u.soft} is greater than hard limit ${u.hard}`);
    out.push({ type, hard, soft });
  }
  return out;
}
