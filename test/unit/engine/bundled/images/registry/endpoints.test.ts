import { parseReference } from '../../../../../../src/engine/image-reference';
import type { RegistryConfig } from '../../../../../../src/engine/bundled/images/registry/config';
import { endpointsFor, isInsecureHost } from '../../../../../../src/engine/bundled/images/registry/endpoints';
import { RegistryError } from '../../../../../../src/engine/bundled/images/registry/errors';

const config = (c: Partial<RegistryConfig>): RegistryConfig => ({ mirrors: [], insecure: [], mirrorOnly: false, ...c });
const bases = (name: string, c: Partial<RegistryConfig>) =>
  endpointsFor(parseReference(name), config(c)).map((e) => [e.base, e.verifyTls, e.mirror, e.credentialHost]);

describe('endpointsFor', () => {
  test('docker.io without mirrors: registry-1.docker.io over verified TLS, credentials of docker.io', () => {
    expect(bases('mysql', {})).toEqual([['https://registry-1.docker.io', true, false, 'docker.io']]);
  });

  test('docker.io with mirrors: the mirrors in order, then Docker Hub unless mirror-only', () => {
    const mirrors = ['http://127.0.0.1:5000', 'https://mirror.example.com', 'https://10.1.2.3:443'];
    expect(bases('user/app', { mirrors, insecure: ['10.0.0.0/8'] })).toEqual([
      ['http://127.0.0.1:5000', false, true, '127.0.0.1:5000'],
      ['https://mirror.example.com', true, true, 'mirror.example.com'],
      ['https://10.1.2.3', false, true, '10.1.2.3'],
      ['https://registry-1.docker.io', true, false, 'docker.io'],
    ]);
    expect(bases('mysql', { mirrors, mirrorOnly: true }).map((b) => b[0])).toEqual([
      'http://127.0.0.1:5000',
      'https://mirror.example.com',
      'https://10.1.2.3',
    ]);
  });

  test('mirror-only without mirrors is a configuration error', () => {
    expect(() => endpointsFor(parseReference('mysql'), config({ mirrorOnly: true }))).toThrow(RegistryError);
  });

  test('other registries: directly, never through the docker.io mirrors', () => {
    expect(bases('ghcr.io/org/app', { mirrors: ['http://127.0.0.1:5000'] })).toEqual([['https://ghcr.io', true, false, 'ghcr.io']]);
    expect(bases('ghcr.io/org/app', { mirrorOnly: true })).toEqual([['https://ghcr.io', true, false, 'ghcr.io']]);
  });

  test('insecure and loopback registries: unverified HTTPS, then plain HTTP', () => {
    for (const name of ['localhost:5000/a', '127.0.0.1:5001/a', 'myreg:5000/a', '10.9.8.7/a', '[::1]:5000/a']) {
      const host = parseReference(name).domain;
      expect(bases(name, { insecure: ['myreg:5000', '10.0.0.0/8'] })).toEqual([
        [`https://${host}`, false, false, host],
        [`http://${host}`, false, false, host],
      ]);
    }
    expect(bases('myreg:5001/a', { insecure: ['myreg:5000'] })).toEqual([['https://myreg:5001', true, false, 'myreg:5001']]);
  });
});

describe('isInsecureHost', () => {
  const c = config({ insecure: ['reg.example:5000', '192.168.0.0/16'] });
  test.each([
    ['localhost', true],
    ['localhost:5000', true],
    ['127.0.0.1:5000', true],
    ['127.1.2.3', true],
    ['[::1]:5000', true],
    ['reg.example:5000', true],
    ['REG.example:5000', true],
    ['reg.example', false],
    ['192.168.3.4:80', true],
    ['192.169.0.1', false],
    ['ghcr.io', false],
  ])('%s → %s', (host, expected) => expect(isInsecureHost(host, c)).toBe(expected));
});
