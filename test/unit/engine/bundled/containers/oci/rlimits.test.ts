import { RLIM_INFINITY, rlimitsFromUlimits } from '../../../../../../src/engine/bundled/containers/oci/rlimits';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';

describe('rlimitsFromUlimits', () => {
  it("maps Docker's names to RLIMIT_*, -1 to unlimited", () => {
    expect(rlimitsFromUlimits({ nofile: { soft: 1024, hard: 4096 }, NPROC: { soft: 50, hard: 50 }, core: { soft: -1, hard: -1 } })).toEqual([
      { type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 },
      { type: 'RLIMIT_NPROC', soft: 50, hard: 50 },
      { type: 'RLIMIT_CORE', soft: RLIM_INFINITY, hard: RLIM_INFINITY },
    ]);
    expect(rlimitsFromUlimits(undefined)).toEqual([]);
  });

  it('rejects unknown names and soft above hard', () => {
    expect(() => rlimitsFromUlimits({ files: { soft: 1, hard: 1 } })).toThrow(InvalidArgumentError);
    expect(() => rlimitsFromUlimits({ files: { soft: 1, hard: 1 } })).toThrow('invalid ulimit name "files"');
    expect(() => rlimitsFromUlimits({ nofile: { soft: 10, hard: 5 } })).toThrow('soft limit 10 is greater than hard limit 5');
    expect(() => rlimitsFromUlimits({ nofile: { soft: -1, hard: 5 } })).toThrow('greater than hard limit');
    expect(() => rlimitsFromUlimits({ nofile: { soft: -2, hard: 5 } })).toThrow('non-negative integer or -1');
  });
});
