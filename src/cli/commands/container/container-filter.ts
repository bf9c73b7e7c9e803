/**
 * `--filter` of `container ls`, as `docker ps` takes it: `label=k[=v]` (the engine filters),
 * `name=<regexp>`, `id=<prefix>`, `status=<state>` (filtered here; a status filter also lists
 * stopped containers, as Docker does).
 */
import type { ContainerFilter, ContainerInfo, ContainerStatus } from '../../../engine/containers';
import { InvalidArgumentError } from '../../../engine/errors';

const STATUSES: readonly ContainerStatus[] = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

export interface ParsedFilters {
  /** What the engine is asked for. */
  readonly engine: ContainerFilter;
  /** What is then kept of its answer. */
  readonly keep: (c: ContainerInfo) => boolean;
}

export function parseFilters(filters: readonly string[], all: boolean): ParsedFilters {
  const labels: string[] = [];
  const names: RegExp[] = [];
  const ids: string[] = [];
  const statuses: string[] = [];
  for (const f of filters) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`bad format of filter (expected name=value): ${f}`);
    const key = f.slice(0, eq).toLowerCase();
    const value = f.slice(eq + 1);
    if (key === 'label') labels.push(value);
    else if (key === 'name') names.push(regexp(value));
    else if (key === 'id') ids.push(value);
    else if (key === 'status') {
      if (!STATUSES.includes(value as ContainerStatus)) throw new InvalidArgumentError(`invalid filter 'status=${value}': expected one of ${STATUSES.join(', ')}`);
      statuses.push(value);
    } else throw new InvalidArgumentError(`invalid filter '${key}' (supported: label, name, id, status)`);
  }
  const any = <T>(list: readonly T[], test: (x: T) => boolean): boolean => list.length === 0 || list.some(test);
  return {
    engine: { all: all || statuses.length > 0, ...(labels.length > 0 ? { labels } : {}) },
    keep: (c) => any(names, (r) => r.test(c.name)) && any(ids, (p) => c.id.startsWith(p)) && any(statuses, (s) => c.state.status === s),
  };
}

function regexp(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (e) {
    throw new InvalidArgumentError(`invalid filter 'name=${source}': ${(e as Error).message}`);
  }
}
