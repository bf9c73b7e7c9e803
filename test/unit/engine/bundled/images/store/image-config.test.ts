import { parseImageConfig } from '../../../../../../src/engine/bundled/images/store/image-config';
import { EngineError } from '../../../../../../src/engine/errors';
import { sha256 } from './fakes';

const diffA = sha256('a');
const diffB = sha256('b');

describe('parseImageConfig', () => {
  it('maps the config fields containers use', () => {
    const parsed = parseImageConfig(
      JSON.stringify({
        created: '2024-05-06T07:08:09Z',
        architecture: 'arm64',
        variant: 'v8',
        os: 'linux',
        config: {
          Entrypoint: ['docker-entrypoint.sh'],
          Cmd: ['mysqld'],
          Env: ['PATH=/usr/bin', 'MYSQL_MAJOR=5.7'],
          WorkingDir: '/var/lib',
          User: 'mysql:mysql',
          ExposedPorts: { '3306/tcp': {}, '33060/tcp': {} },
          Volumes: { '/var/lib/mysql': {} },
          StopSignal: 'SIGTERM',
          Labels: { maintainer: 'someone', 'odd': 42 },
          Healthcheck: { Test: ['CMD-SHELL', 'mysqladmin ping'], Interval: 30e9, Timeout: 5e9, StartPeriod: 1e9, StartInterval: 2e9, Retries: 3 },
          Hostname: 'ignored',
        },
        rootfs: { type: 'layers', diff_ids: [diffA, diffB] },
      }),
    );
    expect(parsed).toEqual({
      created: '2024-05-06T07:08:09Z',
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      diffIds: [diffA, diffB],
      config: {
        entrypoint: ['docker-entrypoint.sh'],
        cmd: ['mysqld'],
        env: ['PATH=/usr/bin', 'MYSQL_MAJOR=5.7'],
        workingDir: '/var/lib',
        user: 'mysql:mysql',
        exposedPorts: ['3306/tcp', '33060/tcp'],
        volumes: ['/var/lib/mysql'],
        stopSignal: 'SIGTERM',
        labels: { maintainer: 'someone' },
        healthcheck: { test: ['CMD-SHELL', 'mysqladmin ping'], intervalNs: 30e9, timeoutNs: 5e9, startPeriodNs: 1e9, startIntervalNs: 2e9, retries: 3 },
      },
    });
  });

  it('leaves out what the image does not set (null Entrypoint, empty WorkingDir)', () => {
    const parsed = parseImageConfig(
      JSON.stringify({ os: 'linux', architecture: 'amd64', config: { Entrypoint: null, WorkingDir: '', Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [] } }),
    );
    expect(parsed.config).toEqual({ cmd: ['sh'] });
    expect(parsed.created).toBeUndefined();
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['no rootfs', '{"config":{}}', /rootfs must be/],
    ['a bad diff ID', JSON.stringify({ rootfs: { type: 'layers', diff_ids: ['sha256:xyz'] } }), /bad diff ID "sha256:xyz"/],
  ])('rejects a config that is %s', (_name, text, message) => {
    expect(() => parseImageConfig(text)).toThrow(EngineError);
    expect(() => parseImageConfig(text)).toThrow(message);
  });
});
