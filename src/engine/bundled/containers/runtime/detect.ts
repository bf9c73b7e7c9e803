/**
 * Which OCI runtime the engine uses. A runtime counts only when it really runs a container on
 * this host: its binary is found, answers `--version`, and runs the probe container
 * (probe-spec.ts) to a zero exit. Debian 12's crun 1.8, for one, is installed fine and fails
 * every container on a hybrid cgroup v1/v2 host ("cgroups in hybrid mode not supported").
 *
 * - `TSCOMPOSE_RUNTIME=runc|crun|/path/to/runtime` forces one; it is still probed, and a
 *   forced runtime that cannot run a container is an error (never a silent fallback).
 * - Otherwise crun is preferred (it starts containers about twice as fast), then runc.
 * - The answer is cached in memory per (TSCOMPOSE_RUNTIME, PATH) for the life of the process;
 *   a failure is not cached.
 *
 * RuntimeInfo.skipped says why a runtime before the chosen one was not taken.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../../../errors';
import { PROBE_HOST_DIRS, probeSpec, type ProbeHostDir } from './probe-spec';
import { runProgram } from './run-program';
import { runtimeMessage } from './runtime-error';

export type RuntimeName = 'runc' | 'crun';

/** A runtime that was looked at and not chosen, and why. */
export interface SkippedRuntime {
  readonly name: string;
  /** Absent when it was not found at all. */
  readonly path?: string;
  readonly reason: string;
}

export interface RuntimeInfo {
  readonly name: RuntimeName;
  /** Absolute path of the binary. */
  readonly path: string;
  /** As `--version` prints it, e.g. `1.1.5+ds1`. */
  readonly version: string;
  /** Runtimes tried before this one (in order of preference) and why they were not used. */
  readonly skipped?: readonly SkippedRuntime[];
}

export interface DetectRuntimeOptions {
  /** Reads TSCOMPOSE_RUNTIME and PATH. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A directory the probe's bundle and state go under (made if missing, left empty). */
  readonly workDir: string;
  /** Per probe; default 30 s. */
  readonly timeoutMs?: number;
}

const PREFERENCE: readonly RuntimeName[] = ['crun', 'runc'];
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const cache = new Map<string, Promise<RuntimeInfo>>();

export function detectRuntime(options: DetectRuntimeOptions): Promise<RuntimeInfo> {
  const forced = options.env.TSCOMPOSE_RUNTIME?.trim() || undefined;
  const key = JSON.stringify([forced ?? '', options.env.PATH ?? '']);
  let found = cache.get(key);
  if (!found) {
    found = forced !== undefined ? detectForced(forced, options) : detectPreferred(options);
    found.catch(() => cache.delete(key));
    cache.set(key, found);
  }
  return found;
}

/** Forgets what detectRuntime found (tests; after installing a runtime). */
export function clearRuntimeCache(): void {
  cache.clear();
}

async function detectPreferred(options: DetectRuntimeOptions): Promise<RuntimeInfo> {
  const skipped: SkippedRuntime[] = [];
  for (const name of PREFERENCE) {
    const file = await findInPath(name, options.env.PATH);
    if (!file) {
      skipped.push({ name, reason: `${name} is not installed (not in PATH or ${EXTRA_DIRS.join(', ')})` });
      continue;
    }
    const tried = await tryRuntime(file, options);
    if (tried.ok) return skipped.length > 0 ? { ...tried.info, skipped } : tried.info;
    skipped.push({ name, path: file, reason: tried.reason });
  }
  throw new EngineError(
    `no OCI runtime can run containers on this host: ${skipped.map((s) => `${s.name}${s.path ? ` (${s.path})` : ''}: ${s.reason}`).join('; ')}. ` +
      'Install runc (Debian: apt-get install runc) or name a working runtime in TSCOMPOSE_RUNTIME',
  );
}

async function detectForced(forced: string, options: DetectRuntimeOptions): Promise<RuntimeInfo> {
  const file = forced.includes('/') ? path.resolve(forced) : await findInPath(forced, options.env.PATH);
  if (!file) throw new EngineError(`TSCOMPOSE_RUNTIME=${forced}: no such program in PATH or ${EXTRA_DIRS.join(', ')}`);
  const tried = await tryRuntime(file, options);
  if (!tried.ok) throw new EngineError(`TSCOMPOSE_RUNTIME=${forced}: ${file} cannot run containers on this host: ${tried.reason}`);
  return tried.info;
}

async function findInPath(name: string, envPath: string | undefined): Promise<string | undefined> {
  const dirs = [...(envPath ?? '').split(':').filter((d) => d !== ''), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const file = path.resolve(dir, name);
    try {
      await fs.access(file, fs.constants.X_OK);
      if ((await fs.stat(file)).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

type Tried = { readonly ok: true; readonly info: RuntimeInfo } | { readonly ok: false; readonly reason: string };

async function tryRuntime(file: string, options: DetectRuntimeOptions): Promise<Tried> {
  let version: { name: RuntimeName; version: string };
  try {
    const r = await runProgram(file, ['--version'], { timeoutMs: 10_000 });
    const m = /^(runc|crun) version (\S+)/m.exec(r.stdout);
    if (r.code !== 0 || !m) return { ok: false, reason: `${file} --version did not say "runc version …" or "crun version …" (exit ${r.code}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''})` };
    version = { name: m[1] as RuntimeName, version: m[2] as string };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  const failure = await probe(file, options);
  if (failure !== undefined) return { ok: false, reason: `${version.name} ${version.version} failed to run a test container: ${failure}` };
  return { ok: true, info: { name: version.name, path: file, version: version.version } };
}

/** Runs the probe container with `file`; undefined when it worked, else why not. */
async function probe(file: string, options: DetectRuntimeOptions): Promise<string | undefined> {
  await fs.mkdir(options.workDir, { recursive: true, mode: 0o700 });
  const dir = await fs.mkdtemp(path.join(options.workDir, 'probe-'));
  const id = `tscompose-probe-${randomBytes(6).toString('hex')}`;
  const state = path.join(dir, 'state');
  const bundle = path.join(dir, 'bundle');
  const rootfs = path.join(bundle, 'rootfs');
  try {
    await fs.mkdir(rootfs, { recursive: true });
    const hostDirs: ProbeHostDir[] = [];
    for (const name of PROBE_HOST_DIRS) {
      const st = await fs.lstat(`/${name}`).catch(() => undefined);
      if (st?.isSymbolicLink()) {
        await fs.symlink(await fs.readlink(`/${name}`), path.join(rootfs, name));
        hostDirs.push({ name, kind: 'symlink' });
      } else if (st?.isDirectory()) hostDirs.push({ name, kind: 'dir' });
    }
    const program = (await findInPath('true', '/usr/bin:/bin')) ?? '/bin/true';
    const spec = probeSpec({ rootfs, program, hostDirs, cgroupsPath: `/${id}` });
    await fs.writeFile(path.join(bundle, 'config.json'), JSON.stringify(spec));
    const r = await runProgram(file, ['--root', state, 'run', '--bundle', bundle, id], { timeoutMs: options.timeoutMs ?? 30_000 }).catch((err: Error) => ({
      code: -1,
      stdout: '',
      stderr: err.message,
    }));
    if (r.code === 0) return undefined;
    return runtimeMessage(r.stderr) || `exit code ${r.code}`;
  } finally {
    await runProgram(file, ['--root', state, 'delete', '--force', id], { timeoutMs: 10_000 }).catch(() => undefined);
    await removeCgroup(id);
    await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The probe's cgroup, in every hierarchy where a failed runtime may have left it. */
async function removeCgroup(name: string): Promise<void> {
  const base = '/sys/fs/cgroup';
  const candidates = [path.join(base, name)];
  for (const entry of await fs.readdir(base).catch(() => [] as string[])) candidates.push(path.join(base, entry, name));
  for (const dir of candidates) await fs.rmdir(dir).catch(() => undefined);
}
