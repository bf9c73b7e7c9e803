import { dockerImageInspect } from '../../../../src/cli/format/image-inspect';

describe('dockerImageInspect', () => {
  it('maps ImageInfo onto the keys docker image inspect prints', () => {
    const out = dockerImageInspect({
      id: 'sha256:abc',
      repoTags: ['mysql:5.7'],
      repoDigests: ['mysql@sha256:def'],
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      created: '2026-01-01T00:00:00Z',
      size: 42,
      layers: ['sha256:l1', 'sha256:l2'],
      config: {
        entrypoint: ['docker-entrypoint.sh'],
        cmd: ['mysqld'],
        env: ['A=1'],
        exposedPorts: ['3306/tcp', '33060/tcp'],
        volumes: ['/var/lib/mysql'],
        stopSignal: 'SIGTERM',
        healthcheck: { test: ['CMD', 'true'], intervalNs: 5e9, retries: 3 },
      },
    });
    expect(out).toEqual({
      Id: 'sha256:abc',
      RepoTags: ['mysql:5.7'],
      RepoDigests: ['mysql@sha256:def'],
      Created: '2026-01-01T00:00:00Z',
      Config: {
        User: '',
        ExposedPorts: { '3306/tcp': {}, '33060/tcp': {} },
        Env: ['A=1'],
        Cmd: ['mysqld'],
        Volumes: { '/var/lib/mysql': {} },
        WorkingDir: '',
        Entrypoint: ['docker-entrypoint.sh'],
        Labels: null,
        StopSignal: 'SIGTERM',
        Healthcheck: { Test: ['CMD', 'true'], Interval: 5e9, Retries: 3 },
      },
      Architecture: 'arm64',
      Variant: 'v8',
      Os: 'linux',
      Size: 42,
      RootFS: { Type: 'layers', Layers: ['sha256:l1', 'sha256:l2'] },
    });
  });
});
