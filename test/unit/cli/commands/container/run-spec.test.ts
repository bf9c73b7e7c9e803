import { runSpec } from '../../../../../src/cli/commands/container/run-spec';

describe('container run: the spec from the flags', () => {
  it('only what was asked for', () => {
    expect(runSpec('x', 'busybox', [], {}, {})).toEqual({ name: 'x', image: 'busybox' });
  });

  it('every supported flag', () => {
    const spec = runSpec(
      'web',
      'busybox',
      ['sleep', '60'],
      {
        env: ['A=1', 'HOME'],
        label: ['app=web', 'flag'],
        user: 'nobody',
        workdir: '/tmp',
        entrypoint: '/bin/sh',
        hostname: 'h',
        init: true,
        tty: true,
        privileged: true,
        restart: { name: 'on-failure', maxRetries: 2 },
        memory: 32 << 20,
        stopSignal: 'SIGINT',
        stopTimeout: 3,
        healthCmd: 'true',
        healthInterval: 1_000,
        healthRetries: 2,
      },
      { HOME: '/home/me' },
    );
    expect(spec).toEqual({
      name: 'web',
      image: 'busybox',
      command: ['sleep', '60'],
      entrypoint: ['/bin/sh'],
      env: ['A=1', 'HOME=/home/me'],
      labels: { app: 'web', flag: '' },
      user: 'nobody',
      workingDir: '/tmp',
      hostname: 'h',
      init: true,
      tty: true,
      privileged: true,
      restartPolicy: { name: 'on-failure', maxRetries: 2 },
      resources: { memory: 32 << 20 },
      stopSignal: 'SIGINT',
      stopGracePeriod: 3,
      healthcheck: { test: ['CMD-SHELL', 'true'], intervalNs: 1e9, retries: 2 },
    });
  });

  it('--entrypoint "" clears the entrypoint; --no-healthcheck turns the image’s off', () => {
    expect(runSpec('x', 'busybox', [], { entrypoint: '' }, {}).entrypoint).toEqual([]);
    expect(runSpec('x', 'busybox', [], { healthcheck: false }, {}).healthcheck).toEqual({ test: ['NONE'] });
  });

  it('refuses what Docker refuses', () => {
    expect(() => runSpec('x', 'busybox', [], { rm: true, restart: { name: 'always' } }, {})).toThrow('Conflicting options: --restart and --rm');
    expect(() => runSpec('x', 'busybox', [], { healthcheck: false, healthCmd: 'true' }, {})).toThrow('--no-healthcheck conflicts');
  });
});
