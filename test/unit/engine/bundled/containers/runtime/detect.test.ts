/**
 * detectRuntime's choice, with stand-in runtimes (shell scripts that answer --version and
 * succeed or fail `run` like a real runtime would). The real probe against runc is in
 * test/integration/containers/runtime-detect.test.ts.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { clearRuntimeCache, detectRuntime } from '../../../../../../src/engine/bundled/containers/runtime/detect';
import { EngineError } from '../../../../../../src/engine/errors';

let dir: string;
let bin: string;
let calls: string;

/** A runtime stand-in: prints `version`, and `run` exits with `runExit` (after checking the bundle). */
async function fakeRuntime(file: string, version: string, run: { exit: number; stderr?: string }): Promise<void> {
  const script = [
    '#!/bin/sh',
    `echo "$(basename "$0") $*" >> ${calls}`,
    `if [ "$1" = --version ]; then echo "${version}"; exit 0; fi`,
    'if [ "$3" = run ]; then',
    '  [ -f "$5/config.json" ] && grep -q \'"cgroupsPath"\' "$5/config.json" || { echo "no bundle at $5" >&2; exit 99; }',
    run.stderr ? `  echo '${run.stderr}' >&2` : '  :',
    `  exit ${run.exit}`,
    'fi',
    'exit 0',
  ].join('\n');
  await fs.writeFile(path.join(bin, file), `${script}\n`, { mode: 0o755 });
}

async function callsOf(verb: string): Promise<string[]> {
  const text = await fs.readFile(calls, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.split(' ')[3] === verb || l.split(' ')[1] === verb);
}

beforeEach(async () => {
  clearRuntimeCache();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tscompose-detect-'));
  bin = path.join(dir, 'bin');
  calls = path.join(dir, 'calls.log');
  await fs.mkdir(bin);
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('detectRuntime', () => {
  it('skips a crun that cannot run a container, says why, and takes runc', async () => {
    await fakeRuntime('crun', 'crun version 1.8.1', { exit: 1, stderr: 'cgroups in hybrid mode not supported, drop all controllers from cgroupv2' });
    await fakeRuntime('runc', 'runc version 1.1.5+ds1\ncommit: x', { exit: 0 });
    const info = await detectRuntime({ env: { PATH: bin }, workDir: path.join(dir, 'work') });
    expect(info).toEqual({
      name: 'runc',
      path: path.join(bin, 'runc'),
      version: '1.1.5+ds1',
      skipped: [{ name: 'crun', path: path.join(bin, 'crun'), reason: 'crun 1.8.1 failed to run a test container: cgroups in hybrid mode not supported, drop all controllers from cgroupv2' }],
    });
    expect(await fs.readdir(path.join(dir, 'work'))).toEqual([]); // the probe's bundle is gone
  });

  it('prefers a working crun', async () => {
    await fakeRuntime('crun', 'crun version 1.8.1', { exit: 0 });
    await fakeRuntime('runc', 'runc version 1.1.5', { exit: 0 });
    const info = await detectRuntime({ env: { PATH: bin }, workDir: path.join(dir, 'work') });
    expect(info.name).toBe('crun');
    expect(info.skipped).toBeUndefined();
    expect(await callsOf('run')).toHaveLength(1); // runc was not even probed
  });

  it('probes once per process and environment', async () => {
    await fakeRuntime('runc', 'runc version 1.1.5', { exit: 0 });
    const env = { PATH: bin, TSCOMPOSE_RUNTIME: 'runc' };
    const [a, b] = await Promise.all([detectRuntime({ env, workDir: dir }), detectRuntime({ env, workDir: dir })]);
    expect(a).toBe(b);
    await detectRuntime({ env, workDir: dir });
    expect(await callsOf('run')).toHaveLength(1);
  });

  it('forces the runtime TSCOMPOSE_RUNTIME names, by name or path, and still probes it', async () => {
    await fakeRuntime('crun', 'crun version 1.14', { exit: 0 });
    await fakeRuntime('runc', 'runc version 1.1.5', { exit: 0 });
    expect((await detectRuntime({ env: { PATH: bin, TSCOMPOSE_RUNTIME: 'runc' }, workDir: dir })).name).toBe('runc');
    const byPath = await detectRuntime({ env: { PATH: '', TSCOMPOSE_RUNTIME: path.join(bin, 'crun') }, workDir: dir });
    expect(byPath).toEqual({ name: 'crun', path: path.join(bin, 'crun'), version: '1.14' });
    expect(await callsOf('run')).toHaveLength(2);
  });

  it('fails clearly when the forced runtime cannot run a container, without falling back', async () => {
    await fakeRuntime('crun', 'crun version 1.8.1', { exit: 1, stderr: 'cgroups in hybrid mode not supported' });
    await fakeRuntime('runc', 'runc version 1.1.5', { exit: 0 });
    await expect(detectRuntime({ env: { PATH: bin, TSCOMPOSE_RUNTIME: 'crun' }, workDir: dir })).rejects.toThrow(
      `TSCOMPOSE_RUNTIME=crun: ${path.join(bin, 'crun')} cannot run containers on this host: crun 1.8.1 failed to run a test container: cgroups in hybrid mode not supported`,
    );
  });

  it('fails clearly for a forced program that is not a runtime, or missing', async () => {
    await fs.writeFile(path.join(bin, 'youki'), '#!/bin/sh\necho "youki version 0.3"\n', { mode: 0o755 });
    await expect(detectRuntime({ env: { PATH: bin, TSCOMPOSE_RUNTIME: path.join(bin, 'youki') }, workDir: dir })).rejects.toThrow(/did not say "runc version …" or "crun version …"/);
    await expect(detectRuntime({ env: { PATH: bin, TSCOMPOSE_RUNTIME: path.join(bin, 'nothing') }, workDir: dir })).rejects.toThrow(/cannot run .*nothing/);
    await expect(detectRuntime({ env: { PATH: bin, TSCOMPOSE_RUNTIME: 'no-such-runtime' }, workDir: dir })).rejects.toThrow('TSCOMPOSE_RUNTIME=no-such-runtime: no such program in PATH');
  });

  it('explains every failure when no runtime works, and does not cache the failure', async () => {
    await fakeRuntime('crun', 'crun version 1.8.1', { exit: 1, stderr: 'cgroups in hybrid mode not supported' });
    await fakeRuntime('runc', 'runc version 1.1.5', { exit: 1, stderr: 'time="t" level=error msg="runc run failed: no cgroup mount found"' });
    const env = { PATH: bin };
    const err = await detectRuntime({ env, workDir: dir }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as Error).message).toMatch(/^no OCI runtime can run containers on this host: crun \(.*\): crun 1\.8\.1 failed to run a test container: cgroups in hybrid mode not supported; runc \(.*\): runc 1\.1\.5 failed to run a test container: runc run failed: no cgroup mount found\. Install runc/);
    await fakeRuntime('runc', 'runc version 1.1.5', { exit: 0 });
    expect((await detectRuntime({ env, workDir: dir })).name).toBe('runc');
  });
});
