import type { ContainerInfo } from '../../../../../src/engine/containers';
import { dockerContainerInspect } from '../../../../../src/cli/commands/container/docker-inspect';

const ID = 'ab'.repeat(32);
const IMAGE_ID = `sha256:${'5'.repeat(64)}`;

const info = (over: Partial<ContainerInfo> = {}): ContainerInfo => ({
  id: ID,
  name: 'web',
  image: 'busybox',
  imageId: IMAGE_ID,
  created: '2026-11-23T11:00:00.000Z',
  labels: { app: 'web' },
  state: { status: 'running', running: true, paused: false, restarting: false, oomKilled: false, pid: 4242, exitCode: 0, startedAt: '2026-11-23T11:00:01.000Z' },
  restartCount: 2,
  spec: { name: 'web', image: 'busybox', command: ['sleep', '60'], env: ['A=1', 'PATH=/usr/bin'], labels: { app: 'web' }, restartPolicy: { name: 'on-failure', maxRetries: 3 }, init: true, resources: { memory: 32 << 20 } },
  networks: {},
  ports: [],
  ...over,
});

describe('container inspect (Docker’s shape)', () => {
  it('has Docker’s top-level keys, the name with its slash, and the state with zero times for what did not happen', () => {
    const out = dockerContainerInspect(info(), { cmd: ['sh'], env: ['PATH=/bin', 'HOME=/root'], labels: { maintainer: 'x' } });
    expect(Object.keys(out)).toEqual(['Id', 'Created', 'Path', 'Args', 'State', 'Image', 'Name', 'RestartCount', 'Platform', 'HostConfig', 'Mounts', 'Config', 'NetworkSettings']);
    expect(out).toMatchObject({ Id: ID, Name: '/web', Image: IMAGE_ID, RestartCount: 2, Path: 'sleep', Args: ['60'] });
    expect(out.State).toEqual({
      Status: 'running',
      Running: true,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 4242,
      ExitCode: 0,
      Error: '',
      StartedAt: '2026-11-23T11:00:01.000Z',
      FinishedAt: '0001-01-01T00:00:00Z',
    });
    expect(out.HostConfig).toMatchObject({ RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 }, Init: true, Memory: 32 << 20 });
  });

  it('Config merges the image’s: env by key, the container’s command, labels of both', () => {
    const out = dockerContainerInspect(info(), { cmd: ['sh'], env: ['PATH=/bin', 'HOME=/root'], labels: { maintainer: 'x' }, workingDir: '/srv', user: 'nobody' });
    expect(out.Config).toMatchObject({
      Hostname: ID.slice(0, 12),
      Image: 'busybox',
      Env: ['PATH=/usr/bin', 'HOME=/root', 'A=1'],
      Cmd: ['sleep', '60'],
      Entrypoint: null,
      WorkingDir: '/srv',
      User: 'nobody',
      Labels: { maintainer: 'x', app: 'web' },
    });
  });

  it('an entrypoint given drops the image’s Cmd; "" clears the image’s entrypoint', () => {
    const image = { entrypoint: ['/entry.sh'], cmd: ['serve'] };
    const withEntrypoint = dockerContainerInspect(info({ spec: { name: 'web', image: 'busybox', entrypoint: ['echo'] } }), image);
    expect(withEntrypoint).toMatchObject({ Path: 'echo', Args: [], Config: { Entrypoint: ['echo'], Cmd: null } });
    const cleared = dockerContainerInspect(info({ spec: { name: 'web', image: 'busybox', entrypoint: [''], command: ['ls'] } }), image);
    expect(cleared).toMatchObject({ Path: 'ls', Args: [], Config: { Entrypoint: null, Cmd: ['ls'] } });
    const fromImage = dockerContainerInspect(info({ spec: { name: 'web', image: 'busybox' } }), image);
    expect(fromImage).toMatchObject({ Path: '/entry.sh', Args: ['serve'], Config: { Entrypoint: ['/entry.sh'], Cmd: ['serve'] } });
  });

  it('health, exit and OOM as Docker shows them', () => {
    const out = dockerContainerInspect(
      info({
        state: {
          status: 'exited',
          running: false,
          paused: false,
          restarting: false,
          oomKilled: true,
          pid: 0,
          exitCode: 137,
          error: 'oom',
          startedAt: '2026-11-23T11:00:01.000Z',
          finishedAt: '2026-11-23T11:00:09.000Z',
          health: { status: 'unhealthy', failingStreak: 3, log: [{ start: 's', end: 'e', exitCode: 1, output: 'bad\n' }] },
        },
      }),
    );
    expect(out.State).toMatchObject({
      Status: 'exited',
      OOMKilled: true,
      ExitCode: 137,
      Error: 'oom',
      FinishedAt: '2026-11-23T11:00:09.000Z',
      Health: { Status: 'unhealthy', FailingStreak: 3, Log: [{ Start: 's', End: 'e', ExitCode: 1, Output: 'bad\n' }] },
    });
  });

  it('published ports appear under NetworkSettings.Ports by container port', () => {
    const out = dockerContainerInspect(info({ ports: [{ target: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 }] }));
    expect(out.NetworkSettings).toMatchObject({ Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] } });
  });
});
