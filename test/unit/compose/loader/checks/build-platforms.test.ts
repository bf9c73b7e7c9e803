import { checkBuildPlatforms } from '../../../../../src/compose/loader/checks/build-platforms';
import { lines, tree } from './helpers';

describe('checkBuildPlatforms', () => {
  it('accepts a platform listed in build.platforms, or either one alone', () => {
    const t = tree(`services:
  both: {image: a, platform: linux/arm64, build: {context: ., platforms: [linux/amd64, linux/arm64]}}
  runs: {image: b, platform: linux/riscv64, build: {context: .}}
  builds: {image: c, build: {context: ., platforms: [linux/amd64]}}
  empty: {image: d, platform: linux/riscv64, build: {context: ., platforms: []}}
`);
    expect(checkBuildPlatforms(t)).toEqual([]);
  });

  it('rejects a platform that build.platforms does not list, at services.x.platform', () => {
    const t = tree(`services:
  platforms:
    image: build-test-platform:test
    platform: linux/riscv64
    build:
      context: .
      platforms:
        - linux/amd64
        - linux/arm64
  spelled:
    image: e
    platform: linux/amd64/v2
    build: {context: ., platforms: [linux/amd64]}
`);
    expect(lines(checkBuildPlatforms(t))).toEqual([
      'c.yaml:4:15  services.platforms.platform  service "platforms" runs on platform "linux/riscv64" but its build.platforms (linux/amd64, linux/arm64) does not include it: build.platforms must list the service\'s platform',
      'c.yaml:12:15  services.spelled.platform  service "spelled" runs on platform "linux/amd64/v2" but its build.platforms (linux/amd64) does not include it: build.platforms must list the service\'s platform',
    ]);
  });
});
