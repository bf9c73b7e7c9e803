/** The ContainerSpec `container run` asks for, from its flags (Docker's `docker run` meanings). */
import type { ContainerSpec, HealthcheckSpec, RestartPolicy } from '../../../engine/containers';
import { InvalidArgumentError } from '../../../engine/errors';
import { envEntry } from './parse-flags';

export interface RunFlags {
  name?: string;
  rm?: boolean;
  detach?: boolean;
  env?: string[];
  label?: string[];
  user?: string;
  workdir?: string;
  entrypoint?: string;
  hostname?: string;
  init?: boolean;
  tty?: boolean;
  interactive?: boolean;
  privileged?: boolean;
  restart?: RestartPolicy;
  memory?: number;
  stopSignal?: string;
  stopTimeout?: number;
  healthCmd?: string;
  /** Milliseconds. */
  healthInterval?: number;
  healthTimeout?: number;
  healthStartPeriod?: number;
  healthRetries?: number;
  /** `--no-healthcheck` (commander stores it as `healthcheck: false`). */
  healthcheck?: boolean;
  pull?: 'missing' | 'always' | 'never';
  quiet?: boolean;
}

export function runSpec(name: string, image: string, command: readonly string[], flags: RunFlags, env: Readonly<Record<string, string | undefined>>): ContainerSpec {
  if (flags.rm && flags.restart !== undefined && flags.restart.name !== 'no') throw new InvalidArgumentError('Conflicting options: --restart and --rm');
  const labels = Object.fromEntries((flags.label ?? []).map((l) => (l.includes('=') ? [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] : [l, ''])));
  const healthcheck = healthOf(flags);
  return {
    name,
    image,
    ...(command.length > 0 ? { command } : {}),
    // `--entrypoint ""` clears the image's entrypoint
    ...(flags.entrypoint !== undefined ? { entrypoint: flags.entrypoint === '' ? [] : [flags.entrypoint] } : {}),
    ...(flags.env !== undefined ? { env: flags.env.map((e) => envEntry(e, env)) } : {}),
    ...(flags.label !== undefined ? { labels } : {}),
    ...(flags.user !== undefined ? { user: flags.user } : {}),
    ...(flags.workdir !== undefined ? { workingDir: flags.workdir } : {}),
    ...(flags.hostname !== undefined ? { hostname: flags.hostname } : {}),
    ...(flags.init ? { init: true } : {}),
    ...(flags.tty ? { tty: true } : {}),
    ...(flags.privileged ? { privileged: true } : {}),
    ...(flags.restart !== undefined ? { restartPolicy: flags.restart } : {}),
    ...(flags.memory !== undefined ? { resources: { memory: flags.memory } } : {}),
    ...(flags.stopSignal !== undefined ? { stopSignal: flags.stopSignal } : {}),
    ...(flags.stopTimeout !== undefined ? { stopGracePeriod: flags.stopTimeout } : {}),
    ...(healthcheck ? { healthcheck } : {}),
  };
}

function healthOf(flags: RunFlags): HealthcheckSpec | undefined {
  const ns = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : Math.round(ms * 1e6));
  const tuned = flags.healthInterval !== undefined || flags.healthTimeout !== undefined || flags.healthStartPeriod !== undefined || flags.healthRetries !== undefined;
  if (flags.healthcheck === false) {
    if (flags.healthCmd !== undefined || tuned) throw new InvalidArgumentError('--no-healthcheck conflicts with --health-* options');
    return { test: ['NONE'] };
  }
  if (flags.healthCmd === undefined && !tuned) return undefined;
  const entries: Array<[keyof HealthcheckSpec, unknown]> = [
    ['test', flags.healthCmd !== undefined ? ['CMD-SHELL', flags.healthCmd] : undefined],
    ['intervalNs', ns(flags.healthInterval)],
    ['timeoutNs', ns(flags.healthTimeout)],
    ['startPeriodNs', ns(flags.healthStartPeriod)],
    ['retries', flags.healthRetries],
  ];
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as HealthcheckSpec;
}
