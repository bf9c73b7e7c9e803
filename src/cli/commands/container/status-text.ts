/**
 * A container's state in the words of `docker ps`' STATUS column (moby's State.String):
 * `Up 3 seconds`, `Up 5 seconds (healthy)`, `Up 2 seconds (health: starting)`,
 * `Up 1 second (Paused)`, `Restarting (1) 2 seconds ago`, `Exited (0) 2 minutes ago`, `Created`.
 */
import type { ContainerState } from '../../../engine/containers';
import { humanDuration } from '../../format/human';

export function statusText(state: ContainerState, now: number = Date.now()): string {
  const since = (iso: string | undefined): string => humanDuration(iso === undefined ? 0 : Math.max(0, now - Date.parse(iso)));
  switch (state.status) {
    case 'running':
    case 'paused': {
      const up = `Up ${since(state.startedAt)}`;
      if (state.status === 'paused') return `${up} (Paused)`;
      const health = state.health?.status;
      if (health === undefined) return up;
      return `${up} (${health === 'starting' ? 'health: starting' : health})`;
    }
    case 'restarting':
      return `Restarting (${state.exitCode}) ${since(state.finishedAt)} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    case 'created':
      return 'Created';
    case 'exited':
      if (state.startedAt === undefined) return 'Created';
      if (state.finishedAt === undefined) return '';
      return `Exited (${state.exitCode}) ${since(state.finishedAt)} ago`;
  }
}
