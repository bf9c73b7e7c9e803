import type { ContainerState } from '../../../../../src/engine/containers';
import { statusText } from '../../../../../src/cli/commands/container/status-text';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const ago = (ms: number): string => new Date(NOW - ms).toISOString();
const state = (over: Partial<ContainerState>): ContainerState => ({
  status: 'running',
  running: true,
  paused: false,
  restarting: false,
  oomKilled: false,
  pid: 42,
  exitCode: 0,
  ...over,
});

describe('container status text (docker ps STATUS)', () => {
  it('running: Up and the time since the start', () => {
    expect(statusText(state({ startedAt: ago(3_400) }), NOW)).toBe('Up 3 seconds');
    expect(statusText(state({ startedAt: ago(1_000) }), NOW)).toBe('Up 1 second');
    expect(statusText(state({ startedAt: ago(200) }), NOW)).toBe('Up Less than a second');
    expect(statusText(state({ startedAt: ago(90 * 60_000) }), NOW)).toBe('Up 2 hours');
  });

  it('health in brackets: (healthy), (unhealthy), (health: starting)', () => {
    const health = (status: 'starting' | 'healthy' | 'unhealthy') => ({ status, failingStreak: 0, log: [] });
    expect(statusText(state({ startedAt: ago(5_000), health: health('healthy') }), NOW)).toBe('Up 5 seconds (healthy)');
    expect(statusText(state({ startedAt: ago(5_000), health: health('unhealthy') }), NOW)).toBe('Up 5 seconds (unhealthy)');
    expect(statusText(state({ startedAt: ago(2_000), health: health('starting') }), NOW)).toBe('Up 2 seconds (health: starting)');
  });

  it('paused, restarting, exited, created, dead', () => {
    expect(statusText(state({ status: 'paused', paused: true, startedAt: ago(61_000) }), NOW)).toBe('Up About a minute (Paused)');
    expect(statusText(state({ status: 'restarting', running: false, restarting: true, exitCode: 1, startedAt: ago(9_000), finishedAt: ago(2_000) }), NOW)).toBe(
      'Restarting (1) 2 seconds ago',
    );
    expect(statusText(state({ status: 'exited', running: false, exitCode: 0, startedAt: ago(300_000), finishedAt: ago(120_000) }), NOW)).toBe(
      'Exited (0) 2 minutes ago',
    );
    expect(statusText(state({ status: 'exited', running: false, exitCode: 137, startedAt: ago(3_000), finishedAt: ago(0) }), NOW)).toBe(
      'Exited (137) Less than a second ago',
    );
    expect(statusText(state({ status: 'created', running: false, pid: 0 }), NOW)).toBe('Created');
    // a container that failed to start has an exit code but never started
    expect(statusText(state({ status: 'exited', running: false, exitCode: 127, finishedAt: ago(1_000) }), NOW)).toBe('Created');
    expect(statusText(state({ status: 'dead', running: false }), NOW)).toBe('Dead');
    expect(statusText(state({ status: 'removing', running: false }), NOW)).toBe('Removal In Progress');
  });
});
