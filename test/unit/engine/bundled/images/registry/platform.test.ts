import type { Platform } from '../../../../../../src/engine/engine';
import {
  compatiblePlatforms,
  formatPlatform,
  hostPlatform,
  matchPlatform,
  normalizePlatform,
  parsePlatform,
} from '../../../../../../src/engine/bundled/images/registry/platform';

describe('hostPlatform', () => {
  test.each([
    ['x64', 'linux', { os: 'linux', architecture: 'amd64' }],
    ['arm64', 'linux', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['ia32', 'linux', { os: 'linux', architecture: '386' }],
    ['ppc64', 'linux', { os: 'linux', architecture: 'ppc64le' }],
    ['s390x', 'linux', { os: 'linux', architecture: 's390x' }],
    ['riscv64', 'linux', { os: 'linux', architecture: 'riscv64' }],
    ['x64', 'win32', { os: 'windows', architecture: 'amd64' }],
  ])('%s on %s', (arch, plat, expected) => {
    expect(hostPlatform(arch, plat, 'LE')).toEqual(expected);
  });

  test('arm defaults to v7; this machine gets a normalized platform', () => {
    expect(hostPlatform('arm', 'linux')).toMatchObject({ os: 'linux', architecture: 'arm' });
    expect(hostPlatform('arm', 'linux').variant).toMatch(/^v[5-8]$/);
    const here = hostPlatform();
    expect(normalizePlatform(here)).toEqual(here);
  });
});

describe('normalizePlatform / parsePlatform', () => {
  test.each([
    ['linux/x86_64', 'linux/amd64'],
    ['linux/x86-64', 'linux/amd64'],
    ['linux/amd64/v1', 'linux/amd64'],
    ['linux/amd64/v3', 'linux/amd64/v3'],
    ['linux/aarch64', 'linux/arm64/v8'],
    ['linux/arm64', 'linux/arm64/v8'],
    ['linux/arm64/8', 'linux/arm64/v8'],
    ['linux/armhf', 'linux/arm/v7'],
    ['linux/armel', 'linux/arm/v6'],
    ['linux/arm', 'linux/arm/v7'],
    ['linux/arm/6', 'linux/arm/v6'],
    ['linux/i686', 'linux/386'],
    ['Linux/AMD64', 'linux/amd64'],
    ['macos/arm64', 'darwin/arm64/v8'],
    ['arm64', 'linux/arm64/v8'],
  ])('%s → %s', (input, expected) => {
    expect(formatPlatform(parsePlatform(input))).toBe(expected);
  });

  test.each(['', 'linux/', 'a/b/c/d', '/amd64'])('rejects %j', (input) => {
    expect(() => parsePlatform(input)).toThrow(/invalid platform/);
  });
});

describe('matching index entries', () => {
  const entry = (p: Platform, id: string): { platform?: Platform; id: string } => ({ platform: p, id });
  const entries: { platform?: Platform; id: string }[] = [
    { id: 'noplatform' },
    entry({ os: 'unknown', architecture: 'unknown' }, 'attestation'),
    entry({ os: 'linux', architecture: 'amd64' }, 'amd64'),
    entry({ os: 'linux', architecture: 'amd64', variant: 'v3' }, 'amd64v3'),
    entry({ os: 'linux', architecture: 'arm64' }, 'arm64'),
    entry({ os: 'linux', architecture: 'arm', variant: 'v6' }, 'armv6'),
    entry({ os: 'windows', architecture: 'amd64' }, 'win'),
  ];

  test.each([
    ['linux/amd64', 'amd64'],
    ['linux/amd64/v3', 'amd64v3'],
    ['linux/amd64/v2', 'amd64'],
    ['linux/arm64/v8', 'arm64'],
    ['linux/aarch64', 'arm64'],
    ['linux/arm/v7', 'armv6'],
    ['linux/arm/v6', 'armv6'],
    ['windows/amd64', 'win'],
  ])('%s picks %s', (want, id) => {
    expect(matchPlatform(entries, parsePlatform(want))?.id).toBe(id);
  });

  test.each(['linux/s390x', 'linux/arm/v5', 'linux/386', 'darwin/arm64'])('%s matches nothing', (want) => {
    expect(matchPlatform(entries, parsePlatform(want))).toBeUndefined();
  });

  test('an arm64 host falls back to 32-bit arm; exact beats fallback whatever the order', () => {
    const onlyArm = [entry({ os: 'linux', architecture: 'arm', variant: 'v7' }, 'v7')];
    expect(matchPlatform(onlyArm, parsePlatform('linux/arm64'))?.id).toBe('v7');
    const both = [entry({ os: 'linux', architecture: 'arm', variant: 'v7' }, 'v7'), entry({ os: 'linux', architecture: 'arm64', variant: 'v8' }, 'a64')];
    expect(matchPlatform(both, parsePlatform('linux/arm64'))?.id).toBe('a64');
    expect(compatiblePlatforms(parsePlatform('linux/arm64')).map(formatPlatform)).toEqual([
      'linux/arm64/v8',
      'linux/arm/v7',
      'linux/arm/v6',
      'linux/arm/v5',
    ]);
  });

  test('the first of equal entries wins', () => {
    const twice = [entry({ os: 'linux', architecture: 'amd64' }, 'first'), entry({ os: 'linux', architecture: 'amd64' }, 'second')];
    expect(matchPlatform(twice, { os: 'linux', architecture: 'amd64' })?.id).toBe('first');
  });
});
