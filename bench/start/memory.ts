/**
 * Memory per running container, for the engine (its daemon plus one conmon monitor per
 * container) and for Docker (dockerd + containerd + one containerd shim per container): N
 * busybox `sleep 3600` containers started, the resident memory (VmRSS) summed, divided by N.
 * Each container's monitor is found as the parent of its process and checked by name.
 */
import type { EngineClient } from '../../src/engine/bundled/daemon/client';
import type { Dockerd } from '../../test/support/dockerd';
import { monitorsOf, rssBytes, sumRss } from './process-memory';

export interface MemoryFigures {
  readonly containers: number;
  /** What the daemons hold, each by name. */
  readonly daemons: Readonly<Record<string, number>>;
  readonly monitors: number;
  readonly monitorCount: number;
  readonly perContainer: number;
}

export async function engineMemory(client: EngineClient, daemonPid: number, count: number): Promise<MemoryFigures & { readonly idleDaemon: number }> {
  const idleDaemon = await rssBytes(daemonPid);
  const ids: string[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const info = await client.createContainer({ name: `bench-mem-${i}`, image: 'busybox', command: ['sleep', '3600'] });
      ids.push(info.id);
      await client.startContainer(info.id);
    }
    const pids = await Promise.all(ids.map(async (id) => (await client.inspectContainer(id)).state.pid));
    const monitors = await monitorsOf(pids, 'conmon');
    const daemon = await rssBytes(daemonPid);
    const monitorRss = await sumRss(monitors);
    return { containers: count, idleDaemon, daemons: { 'tscompose daemon': daemon }, monitors: monitorRss, monitorCount: monitors.length, perContainer: (daemon + monitorRss) / count };
  } finally {
    for (const id of ids) await client.removeContainer(id, { force: true }).catch(() => undefined);
  }
}

export async function dockerMemory(dockerd: Dockerd, count: number): Promise<MemoryFigures> {
  const ids: string[] = [];
  try {
    for (let i = 0; i < count; i++) ids.push((await dockerd.dockerOk(['run', '-d', 'busybox', 'sleep', '3600'])).trim());
    const pids = (await dockerd.dockerOk(['inspect', '--format', '{{.State.Pid}}', ...ids])).trim().split('\n').map(Number);
    const monitors = await monitorsOf(pids, 'containerd-shim');
    const daemons = { dockerd: await rssBytes(dockerd.pid), containerd: await rssBytes(dockerd.containerdPid) };
    const monitorRss = await sumRss(monitors);
    const total = daemons.dockerd + daemons.containerd + monitorRss;
    return { containers: count, daemons, monitors: monitorRss, monitorCount: monitors.length, perContainer: total / count };
  } finally {
    if (ids.length > 0) await dockerd.docker(['rm', '--force', ...ids]);
  }
}
