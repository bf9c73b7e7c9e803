/** Resident memory of processes, from /proc/<pid>/status (VmRSS), and who their parent is. */
import { promises as fs } from 'node:fs';

async function statusField(pid: number, field: string): Promise<string> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const line = status.split('\n').find((l) => l.startsWith(`${field}:`));
  if (line === undefined) throw new Error(`/proc/${pid}/status has no ${field}`);
  return line.slice(field.length + 1).trim();
}

/** Bytes of resident memory. */
export async function rssBytes(pid: number): Promise<number> {
  const value = await statusField(pid, 'VmRSS');
  const m = /^(\d+) kB$/.exec(value);
  if (!m) throw new Error(`/proc/${pid}/status: unexpected VmRSS "${value}"`);
  return Number(m[1]) * 1024;
}

export async function parentPid(pid: number): Promise<number> {
  return Number(await statusField(pid, 'PPid'));
}

/** The process's name (/proc/<pid>/comm, at most 15 characters). */
export async function processName(pid: number): Promise<string> {
  return (await fs.readFile(`/proc/${pid}/comm`, 'utf8')).trim();
}

/**
 * The monitor of each container process: its parent, which must be called `expected`
 * (`conmon`; `containerd-shim` — the kernel cuts containerd-shim-runc-v2 to 15 characters).
 */
export async function monitorsOf(containerPids: readonly number[], expected: string): Promise<number[]> {
  const monitors = new Set<number>();
  for (const pid of containerPids) {
    const parent = await parentPid(pid);
    const name = await processName(parent);
    if (name !== expected) throw new Error(`the parent of container process ${pid} is ${name} (pid ${parent}), not ${expected}`);
    monitors.add(parent);
  }
  return [...monitors];
}

export async function sumRss(pids: readonly number[]): Promise<number> {
  let total = 0;
  for (const pid of pids) total += await rssBytes(pid);
  return total;
}

export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
