/**
 * Resource use of a container from its cgroup (v1 controllers or the v2 unified tree, as the
 * runtime made it for `cgroupsPath`) and its network namespace (/proc/<pid>/net/dev).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ContainerStats } from '../../containers';

const CGROUP_ROOT = '/sys/fs/cgroup';
/** Two CPU samples this far apart give the CPU %. */
const SAMPLE_MS = 100;

type Layout = 'v1' | 'v2';

async function layout(): Promise<Layout> {
  return (await exists(path.join(CGROUP_ROOT, 'cgroup.controllers'))) ? 'v2' : 'v1';
}

export async function cgroupStats(cgroupsPath: string, pid: number): Promise<ContainerStats> {
  const kind = await layout();
  const first = await cpuUsageNs(kind, cgroupsPath);
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, SAMPLE_MS));
  const second = await cpuUsageNs(kind, cgroupsPath);
  const elapsedNs = Number(process.hrtime.bigint() - t0);
  const cpuPercent = elapsedNs > 0 ? ((second - first) / elapsedNs) * 100 : 0;
  const memory = await memoryUse(kind, cgroupsPath);
  const net = await networkBytes(pid);
  const block = await blockBytes(kind, cgroupsPath);
  return {
    read: new Date().toISOString(),
    cpuPercent: Math.max(0, cpuPercent),
    memoryUsage: memory.usage,
    memoryLimit: memory.limit,
    networkRx: net.rx,
    networkTx: net.tx,
    blockRead: block.read,
    blockWrite: block.write,
    pids: await readNumber(kind === 'v2' ? v2(cgroupsPath, 'pids.current') : v1('pids', cgroupsPath, 'pids.current')),
  };
}

/**
 * Whether the container's last exit was the OOM killer's doing: conmon's `oom` file in its
 * persist dir, else the cgroup's oom_kill counter (read before the runtime deletes the cgroup).
 */
export async function wasOomKilled(cgroupsPath: string, persistDir: string): Promise<boolean> {
  if (await exists(path.join(persistDir, 'oom'))) return true;
  const kind = await layout();
  const file = kind === 'v2' ? v2(cgroupsPath, 'memory.events') : v1('memory', cgroupsPath, 'memory.oom_control');
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  const m = /^oom_kill (\d+)$/m.exec(text);
  return m !== null && Number(m[1]) > 0;
}

async function cpuUsageNs(kind: Layout, cgroupsPath: string): Promise<number> {
  if (kind === 'v2') {
    const text = await fs.readFile(v2(cgroupsPath, 'cpu.stat'), 'utf8').catch(() => '');
    const m = /^usage_usec (\d+)$/m.exec(text);
    return m ? Number(m[1]) * 1000 : 0;
  }
  return readNumber(v1('cpuacct', cgroupsPath, 'cpuacct.usage'));
}

/** Usage without the page cache that can be dropped (as `docker stats` shows it). */
async function memoryUse(kind: Layout, cgroupsPath: string): Promise<{ usage: number; limit: number }> {
  const total = os.totalmem();
  if (kind === 'v2') {
    const usage = await readNumber(v2(cgroupsPath, 'memory.current'));
    const inactive = statField(await fs.readFile(v2(cgroupsPath, 'memory.stat'), 'utf8').catch(() => ''), 'inactive_file');
    const max = (await fs.readFile(v2(cgroupsPath, 'memory.max'), 'utf8').catch(() => 'max')).trim();
    return { usage: Math.max(0, usage - inactive), limit: max === 'max' ? total : Math.min(Number(max), total) };
  }
  const usage = await readNumber(v1('memory', cgroupsPath, 'memory.usage_in_bytes'));
  const inactive = statField(await fs.readFile(v1('memory', cgroupsPath, 'memory.stat'), 'utf8').catch(() => ''), 'total_inactive_file');
  const limit = await readNumber(v1('memory', cgroupsPath, 'memory.limit_in_bytes'));
  return { usage: Math.max(0, usage - inactive), limit: limit > 0 ? Math.min(limit, total) : total };
}

async function blockBytes(kind: Layout, cgroupsPath: string): Promise<{ read: number; write: number }> {
  let read = 0;
  let write = 0;
  if (kind === 'v2') {
    const text = await fs.readFile(v2(cgroupsPath, 'io.stat'), 'utf8').catch(() => '');
    for (const m of text.matchAll(/rbytes=(\d+) wbytes=(\d+)/g)) {
      read += Number(m[1]);
      write += Number(m[2]);
    }
    return { read, write };
  }
  const text = await fs.readFile(v1('blkio', cgroupsPath, 'blkio.throttle.io_service_bytes_recursive'), 'utf8').catch(() => '');
  for (const m of text.matchAll(/^\S+ (Read|Write) (\d+)$/gm)) {
    if (m[1] === 'Read') read += Number(m[2]);
    else write += Number(m[2]);
  }
  return { read, write };
}

/** Bytes through every interface but loopback, seen from inside the container's network namespace. */
async function networkBytes(pid: number): Promise<{ rx: number; tx: number }> {
  if (pid <= 0) return { rx: 0, tx: 0 };
  const text = await fs.readFile(`/proc/${pid}/net/dev`, 'utf8').catch(() => '');
  let rx = 0;
  let tx = 0;
  for (const line of text.split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (!rest || name?.trim() === 'lo') continue;
    const cols = rest.trim().split(/\s+/).map(Number);
    rx += cols[0] ?? 0;
    tx += cols[8] ?? 0;
  }
  return { rx, tx };
}

function v1(controller: string, cgroupsPath: string, file: string): string {
  return path.join(CGROUP_ROOT, controller, cgroupsPath, file);
}

function v2(cgroupsPath: string, file: string): string {
  return path.join(CGROUP_ROOT, cgroupsPath, file);
}

function statField(text: string, key: string): number {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

async function readNumber(file: string): Promise<number> {
  const n = Number((await fs.readFile(file, 'utf8').catch(() => '0')).trim());
  return Number.isFinite(n) ? n : 0;
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}
