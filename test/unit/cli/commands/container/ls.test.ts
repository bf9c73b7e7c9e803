import type { ContainerInfo, ContainerState } from '../../../../../src/engine/containers';
import type { ImageConfig } from '../../../../../src/engine/engine';
import { ellipsis, portsText, renderContainerList } from '../../../../../src/cli/commands/container/ls';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const ago = (ms: number): string => new Date(NOW - ms).toISOString();
const IMAGE_ID = `sha256:${'5'.repeat(64)}`;
const busybox: ImageConfig = { cmd: ['sh'], env: ['PATH=/bin'] };

const container = (name: string, over: Partial<ContainerInfo>, state: Partial<ContainerState>): ContainerInfo => ({
  id: `${name.charCodeAt(0).toString(16).repeat(32)}`.slice(0, 64),
  name,
  image: 'busybox',
  imageId: IMAGE_ID,
  created: ago(120_000),
  labels: {},
  state: { status: 'running', running: true, paused: false, restarting: false, oomKilled: false, pid: 7, exitCode: 0, startedAt: ago(3_000), ...state },
  restartCount: 0,
  spec: { name, image: 'busybox' },
  networks: {},
  ports: [],
  ...over,
});

const web = container('web', { spec: { name: 'web', image: 'busybox', command: ['sh', '-c', 'while true; do echo tick; sleep 1; done'] }, ports: [{ target: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 }] }, { health: { status: 'healthy', failingStreak: 0, log: [] }, startedAt: ago(5_000) });
const done = container('done', { created: ago(600_000) }, { status: 'exited', running: false, pid: 0, exitCode: 0, startedAt: ago(500_000), finishedAt: ago(120_000) });
const configs = new Map([[IMAGE_ID, busybox]]);

describe('container ls', () => {
  it('prints Docker’s table: columns at least 10 wide, 3 spaces apart, the command quoted and cut at 20', () => {
    expect(renderContainerList([web, done], configs, {}, NOW).split('\n')).toEqual([
      'CONTAINER ID   IMAGE     COMMAND                  CREATED          STATUS                     PORTS                  NAMES',
      `${web.id.slice(0, 12)}   busybox   "sh -c while true; d…"   2 minutes ago    Up 5 seconds (healthy)     0.0.0.0:8080->80/tcp   web`,
      `${done.id.slice(0, 12)}   busybox   "sh"                     10 minutes ago   Exited (0) 2 minutes ago                          done`,
      '',
    ]);
  });

  it('with no containers prints the header Docker prints', () => {
    expect(renderContainerList([], configs, {}, NOW)).toBe('CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n');
  });

  it('-q prints short IDs, --no-trunc full IDs and the whole command', () => {
    expect(renderContainerList([web, done], configs, { quiet: true }, NOW)).toBe(`${web.id.slice(0, 12)}\n${done.id.slice(0, 12)}\n`);
    expect(renderContainerList([web], configs, { quiet: true, trunc: false }, NOW)).toBe(`${web.id}\n`);
    expect(renderContainerList([web], configs, { trunc: false }, NOW)).toContain('"sh -c while true; do echo tick; sleep 1; done"');
  });

  it('the command comes from the image when the container sets none, and is empty without an image config', () => {
    expect(renderContainerList([done], new Map(), {}, NOW)).toContain('   ""   ');
  });

  it('--format json prints one object per container with Docker’s keys', () => {
    const [line] = renderContainerList([done], configs, { format: 'json' }, NOW).trimEnd().split('\n');
    expect(JSON.parse(line ?? '')).toEqual({
      ID: done.id.slice(0, 12),
      Image: 'busybox',
      Command: '"sh"',
      CreatedAt: '2026-11-23 11:50:00 +0000 UTC',
      RunningFor: '10 minutes ago',
      Ports: '',
      State: 'exited',
      Status: 'Exited (0) 2 minutes ago',
      Names: 'done',
      Labels: '',
    });
  });

  it('ellipsis and ports as Docker writes them', () => {
    expect(ellipsis('12345678901234567890', 20)).toBe('12345678901234567890');
    expect(ellipsis('123456789012345678901', 20)).toBe('1234567890123456789…');
    expect(portsText([
      { target: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 },
      { target: 53, protocol: 'udp', hostIp: '::', hostPort: 5353 },
    ])).toBe('0.0.0.0:8080->80/tcp, [::]:5353->53/udp');
  });
});
