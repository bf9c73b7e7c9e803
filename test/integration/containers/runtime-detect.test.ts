/**
 * detectRuntime on this host (root): a runtime counts only when the probe container really runs.
 * Here runc works; crun is either missing or (Debian 12's 1.8 on a hybrid cgroup host) refuses
 * to run containers — either way the choice is runc, and the reason is given.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { clearRuntimeCache, detectRuntime } from '../../../src/engine/bundled/containers/runtime/detect';
import { runCommand } from '../../support/run-command';

jest.setTimeout(120_000);

let work: string;
beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'tscompose-detect-'));
});
afterEach(() => clearRuntimeCache());
afterAll(async () => {
  await fs.rm(work, { recursive: true, force: true });
});

/** Cgroups named like the probe's, anywhere in the hierarchies (none may be left). */
async function probeCgroups(): Promise<string[]> {
  const out: string[] = [];
  for (const hierarchy of ['', ...(await fs.readdir('/sys/fs/cgroup'))]) {
    const dir = path.join('/sys/fs/cgroup', hierarchy);
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    out.push(...names.filter((n) => n.startsWith('tscompose-probe-')).map((n) => path.join(dir, n)));
  }
  return out;
}

describe('detectRuntime on this host', () => {
  it('picks runc, which runs the probe container, and says why crun is not used', async () => {
    const runcPath = (await runCommand('sh', ['-c', 'command -v runc'])).stdout.trim();
    const runcVersion = /^runc version (\S+)/m.exec((await runCommand(runcPath, ['--version'])).stdout)?.[1];
    const t0 = Date.now();
    const info = await detectRuntime({ env: { PATH: process.env.PATH }, workDir: work });
    const ms = Date.now() - t0;
    expect(info.name).toBe('runc');
    expect(info.path).toBe(runcPath);
    expect(info.version).toBe(runcVersion);
    const crun = info.skipped?.find((s) => s.name === 'crun');
    expect(crun).toBeDefined();
    const crunPath = (await runCommand('sh', ['-c', 'command -v crun'])).stdout.trim();
    if (crunPath === '') expect(crun?.reason).toMatch(/^crun is not installed/);
    else expect(crun?.reason).toMatch(/^crun \S+ failed to run a test container: /);
    expect(await fs.readdir(work)).toEqual([]);
    expect(await probeCgroups()).toEqual([]);
    process.stdout.write(`detectRuntime: ${info.name} ${info.version} in ${ms} ms; crun: ${crun?.reason}\n`);
  });

  it('runs the probe for a forced runc (by name and by path) and refuses a forced runtime that is missing', async () => {
    const byName = await detectRuntime({ env: { PATH: process.env.PATH, TSCOMPOSE_RUNTIME: 'runc' }, workDir: work });
    expect(byName.name).toBe('runc');
    expect(byName.skipped).toBeUndefined();
    const byPath = await detectRuntime({ env: { PATH: '', TSCOMPOSE_RUNTIME: byName.path }, workDir: work });
    expect(byPath).toEqual({ name: 'runc', path: byName.path, version: byName.version });
    await expect(detectRuntime({ env: { PATH: '/nonexistent', TSCOMPOSE_RUNTIME: '/nonexistent/crun' }, workDir: work })).rejects.toThrow(
      /^TSCOMPOSE_RUNTIME=\/nonexistent\/crun: \/nonexistent\/crun cannot run containers on this host: cannot run \/nonexistent\/crun/,
    );
    expect(await probeCgroups()).toEqual([]);
  });
});
