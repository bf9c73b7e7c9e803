/**
 * Looking at processes through /proc: whether one still runs (a zombie does not), and which
 * ones name a given path on their command line — how a harness finds the helpers a daemon it
 * started left behind (containerd shims name their containerd's socket) without matching
 * anything by program name.
 */
import { promises as fs } from 'node:fs';

/** True while `pid` exists and is not a zombie. */
export async function isRunning(pid: number): Promise<boolean> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Resolves true once `pid` no longer runs, false when it still does after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!(await isRunning(pid))) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** PIDs (other than this process) whose command line contains `needle`, and are running. */
export async function processesMentioning(needle: string): Promise<number[]> {
  const out: number[] = [];
  for (const name of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = (await fs.readFile(`/proc/${pid}/cmdline`)).toString('utf8').split('\0').join(' ');
    } catch {
      continue;
    }
    if (cmdline.includes(needle) && (await isRunning(pid))) out.push(pid);
  }
  return out;
}

/** Sends `signal` to `pid`; false when there was no such process. */
export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}
