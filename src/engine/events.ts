/** The engine's event stream: what happened to containers (and later networks, volumes, images). */

export type ContainerAction =
  | 'create'
  | 'start'
  | 'die'
  | 'oom'
  | 'kill'
  | 'stop'
  | 'restart'
  | 'pause'
  | 'unpause'
  | 'rename'
  | 'destroy'
  | 'health_status'
  | 'exec_create'
  | 'exec_start'
  | 'exec_die';

export interface EngineEvent {
  readonly type: 'container';
  readonly action: ContainerAction;
  readonly id: string;
  /** The container's name and labels, plus the action's own: `exitCode` (die), `signal` (kill), `healthStatus`. */
  readonly attributes: Readonly<Record<string, string>>;
  /** RFC 3339 with nanoseconds. */
  readonly time: string;
}

export interface EventFilter {
  /** Past events from this time on (RFC 3339 or Unix seconds), then live ones. */
  readonly since?: string;
  /** Stop at this time. */
  readonly until?: string;
  /** Every label filter must hold (`key` or `key=value`). */
  readonly labels?: readonly string[];
  readonly signal?: AbortSignal;
}

export interface EventSource {
  events(filter?: EventFilter): AsyncIterable<EngineEvent>;
}
