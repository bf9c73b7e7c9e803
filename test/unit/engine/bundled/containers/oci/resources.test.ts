import { linuxResources } from '../../../../../../src/engine/bundled/containers/oci/resources';

const MiB = 1024 * 1024;

describe('linuxResources', () => {
  it('is empty without resources', () => {
    expect(linuxResources(undefined)).toEqual({});
    expect(linuxResources({})).toEqual({});
  });

  it('limits memory, with swap twice the memory unless given (-1 = unlimited)', () => {
    expect(linuxResources({ memory: 32 * MiB })).toEqual({ memory: { limit: 32 * MiB, swap: 64 * MiB } });
    expect(linuxResources({ memory: 32 * MiB, memorySwap: -1, memoryReservation: 16 * MiB, memorySwappiness: 10, oomKillDisable: true })).toEqual({
      memory: { limit: 32 * MiB, reservation: 16 * MiB, swap: -1, swappiness: 10, disableOOMKiller: true },
    });
    expect(linuxResources({ memory: 32 * MiB, memorySwap: 32 * MiB }).memory?.swap).toBe(32 * MiB);
    expect(linuxResources({ memoryReservation: 16 * MiB })).toEqual({ memory: { reservation: 16 * MiB } });
  });

  it("validates memory as Docker does", () => {
    expect(() => linuxResources({ memory: 4 * MiB })).toThrow('the minimum is 6 MiB');
    expect(() => linuxResources({ memory: 32 * MiB, memoryReservation: 64 * MiB })).toThrow('must not be less than the memory reservation');
    expect(() => linuxResources({ memory: 32 * MiB, memorySwap: 16 * MiB })).toThrow('must not be less than the memory limit');
    expect(() => linuxResources({ memorySwap: 64 * MiB })).toThrow('needs a memory limit');
    expect(() => linuxResources({ memory: 32 * MiB, memorySwappiness: 101 })).toThrow('swappiness');
    expect(() => linuxResources({ memory: 1.5 * MiB * 10.1 })).toThrow('must be an integer');
  });

  it('turns cpus into a quota over a 100 ms period', () => {
    expect(linuxResources({ nanoCpus: 1_500_000_000 })).toEqual({ cpu: { quota: 150_000, period: 100_000 } });
    expect(linuxResources({ nanoCpus: 250_000_000, cpuShares: 512, cpusetCpus: '0-1,3', cpusetMems: '0' })).toEqual({ cpu: { shares: 512, quota: 25_000, period: 100_000, cpus: '0-1,3', mems: '0' } });
    expect(linuxResources({ cpuPeriod: 50_000, cpuQuota: 25_000 })).toEqual({ cpu: { quota: 25_000, period: 50_000 } });
    expect(() => linuxResources({ nanoCpus: 1e9, cpuQuota: 50_000 })).toThrow('cannot be set together');
    expect(() => linuxResources({ nanoCpus: 1_000_000 })).toThrow('at least 0.01');
    expect(() => linuxResources({ cpuQuota: 500 })).toThrow('cpu quota');
    expect(() => linuxResources({ cpusetCpus: '0-' })).toThrow('invalid cpuset cpus');
  });

  it('limits pids (0 and -1 are no limit) and sets the blkio weight', () => {
    expect(linuxResources({ pidsLimit: 100, blkioWeight: 300 })).toEqual({ pids: { limit: 100 }, blockIO: { weight: 300 } });
    expect(linuxResources({ pidsLimit: -1 })).toEqual({});
    expect(linuxResources({ pidsLimit: 0 })).toEqual({});
    expect(() => linuxResources({ blkioWeight: 5 })).toThrow('between 10 and 1000');
  });
});
