/**
 * `Resources` as OCI `linux.resources` (without devices), validated as Docker validates them.
 * The runtime-spec form is cgroup-version neutral: runc and crun write it to cgroup v1 files
 * or convert it for v2 (memory.max, memory.low, memory.swap.max, cpu.max, cpu.weight …).
 *
 * Docker's rules: a memory limit of at least 6 MiB; swap (memory + swap) twice the memory when
 * only the memory is limited, -1 for unlimited swap, never below the memory; a reservation not
 * above the limit; `cpus` (nano-CPUs) as a quota over a 100 ms period, not together with an
 * explicit period or quota; a pids limit of 0 or -1 is no limit.
 */
import type { Resources } from '../../../containers';
import { InvalidArgumentError } from '../../../errors';
import type { OciCpu, OciMemory, OciResources } from './oci-spec-types';

export const MIN_MEMORY = 6 * 1024 * 1024;
/** The CFS period Docker uses with `cpus`, in microseconds. */
export const NANO_CPUS_PERIOD = 100_000;

function check(ok: boolean, message: string): void {
  if (!ok) throw new InvalidArgumentError(message);
}

function isInt(v: number | undefined): v is number {
  return v !== undefined && Number.isSafeInteger(v);
}

function memoryOf(r: Resources): OciMemory | undefined {
  const { memory, memoryReservation, memorySwap, memorySwappiness, oomKillDisable } = r;
  for (const [name, v] of [['memory', memory], ['memory reservation', memoryReservation], ['memory swap', memorySwap], ['memory swappiness', memorySwappiness]] as const) {
    check(v === undefined || isInt(v), `${name} must be an integer, not ${v}`);
  }
  const limit = memory !== undefined && memory > 0 ? memory : undefined;
  check(memory === undefined || memory >= 0, `memory limit must not be negative (${memory})`);
  check(limit === undefined || limit >= MIN_MEMORY, `memory limit ${limit} is too small: the minimum is 6 MiB (${MIN_MEMORY} bytes)`);
  const reservation = memoryReservation !== undefined && memoryReservation > 0 ? memoryReservation : undefined;
  check(reservation === undefined || reservation >= MIN_MEMORY, `memory reservation ${reservation} is too small: the minimum is 6 MiB (${MIN_MEMORY} bytes)`);
  check(limit === undefined || reservation === undefined || reservation <= limit, `memory limit ${limit} must not be less than the memory reservation ${reservation}`);
  let swap: number | undefined;
  if (memorySwap !== undefined && memorySwap !== 0) {
    check(memorySwap === -1 || memorySwap > 0, `memory swap must be -1 (unlimited) or positive, not ${memorySwap}`);
    check(limit !== undefined, 'memory swap needs a memory limit too');
    check(memorySwap === -1 || limit === undefined || memorySwap >= limit, `memory swap ${memorySwap} (memory + swap) must not be less than the memory limit ${limit}`);
    swap = memorySwap;
  } else if (limit !== undefined) {
    swap = limit * 2;
  }
  const swappiness = memorySwappiness !== undefined && memorySwappiness !== -1 ? memorySwappiness : undefined;
  check(swappiness === undefined || (swappiness >= 0 && swappiness <= 100), `memory swappiness must be -1 or between 0 and 100, not ${memorySwappiness}`);
  const m: OciMemory = {
    ...(limit !== undefined ? { limit } : {}),
    ...(reservation !== undefined ? { reservation } : {}),
    ...(swap !== undefined ? { swap } : {}),
    ...(swappiness !== undefined ? { swappiness } : {}),
    ...(oomKillDisable === true ? { disableOOMKiller: true } : {}),
  };
  return Object.keys(m).length > 0 ? m : undefined;
}

const CPU_LIST = /^\d+(-\d+)?(,\d+(-\d+)?)*$/;

function cpuOf(r: Resources): OciCpu | undefined {
  const { nanoCpus, cpuShares, cpuPeriod, cpuQuota, cpusetCpus, cpusetMems } = r;
  for (const [name, v] of [['cpus', nanoCpus], ['cpu shares', cpuShares], ['cpu period', cpuPeriod], ['cpu quota', cpuQuota]] as const) {
    check(v === undefined || isInt(v), `${name} must be an integer, not ${v}`);
  }
  let quota: number | undefined;
  let period: number | undefined;
  if (nanoCpus !== undefined && nanoCpus !== 0) {
    check(nanoCpus > 0, `cpus must be positive, not ${nanoCpus / 1e9}`);
    check((cpuPeriod ?? 0) === 0 && (cpuQuota ?? 0) === 0, 'cpus cannot be set together with a cpu period or cpu quota');
    period = NANO_CPUS_PERIOD;
    quota = Math.round((nanoCpus * NANO_CPUS_PERIOD) / 1e9);
    check(quota >= 1000, `cpus must be at least 0.01, not ${nanoCpus / 1e9}`);
  } else {
    if (cpuPeriod !== undefined && cpuPeriod !== 0) {
      check(cpuPeriod >= 1000 && cpuPeriod <= 1_000_000, `cpu period must be between 1000 and 1000000 microseconds, not ${cpuPeriod}`);
      period = cpuPeriod;
    }
    if (cpuQuota !== undefined && cpuQuota !== 0) {
      check(cpuQuota === -1 || cpuQuota >= 1000, `cpu quota must be -1 or at least 1000 microseconds, not ${cpuQuota}`);
      quota = cpuQuota;
    }
  }
  check(cpuShares === undefined || cpuShares >= 0, `cpu shares must not be negative (${cpuShares})`);
  check(cpusetCpus === undefined || cpusetCpus === '' || CPU_LIST.test(cpusetCpus), `invalid cpuset cpus "${cpusetCpus}": expected a list like 0-3,5`);
  check(cpusetMems === undefined || cpusetMems === '' || CPU_LIST.test(cpusetMems), `invalid cpuset mems "${cpusetMems}": expected a list like 0-1`);
  const c: OciCpu = {
    ...(cpuShares !== undefined && cpuShares > 0 ? { shares: cpuShares } : {}),
    ...(quota !== undefined ? { quota } : {}),
    ...(period !== undefined ? { period } : {}),
    ...(cpusetCpus !== undefined && cpusetCpus !== '' ? { cpus: cpusetCpus } : {}),
    ...(cpusetMems !== undefined && cpusetMems !== '' ? { mems: cpusetMems } : {}),
  };
  return Object.keys(c).length > 0 ? c : undefined;
}

export function linuxResources(r: Resources | undefined): OciResources {
  if (r === undefined) return {};
  const memory = memoryOf(r);
  const cpu = cpuOf(r);
  const { pidsLimit, blkioWeight } = r;
  check(pidsLimit === undefined || isInt(pidsLimit), `pids limit must be an integer, not ${pidsLimit}`);
  check(blkioWeight === undefined || blkioWeight === 0 || (isInt(blkioWeight) && blkioWeight >= 10 && blkioWeight <= 1000), `blkio weight must be between 10 and 1000, not ${blkioWeight}`);
  return {
    ...(memory !== undefined ? { memory } : {}),
    ...(cpu !== undefined ? { cpu } : {}),
    ...(pidsLimit !== undefined && pidsLimit > 0 ? { pids: { limit: pidsLimit } } : {}),
    ...(blkioWeight !== undefined && blkioWeight > 0 ? { blockIO: { weight: blkioWeight } } : {}),
  };
}
