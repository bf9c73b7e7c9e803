/**
 * OciRuntime against real containers (root, serial): busybox under conmon (runtime-fixture.ts),
 * signalled, paused, updated, listed, and exec'd into — with and without a TTY, with stdin,
 * detached, aborted — and the errors for containers that are unknown or in the wrong state.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { readExitFile } from '../../../src/engine/bundled/containers/monitor/conmon';
import type { OciProcess } from '../../../src/engine/bundled/containers/oci/oci-spec-types';
import { ObjectConflictError, ObjectNotFoundError } from '../../../src/engine/errors';
import { isRunning } from '../../support/processes';
import { cgroupDirs, PATH_ENV, rawLog, setUpFixture, startContainer, tearDown, waitFor, type Fixture } from './runtime-fixture';

jest.setTimeout(120_000);

let fx: Fixture;
beforeAll(async () => {
  fx = await setUpFixture('oci');
});
afterAll(async () => {
  await tearDown(fx);
});

const SLEEPER = ['/bin/sh', '-c', 'echo ready; while :; do sleep 0.05; done'];

function proc(args: readonly string[], extra: Partial<OciProcess> = {}): OciProcess {
  return { user: { uid: 0, gid: 0 }, args, env: [PATH_ENV], cwd: '/', ...extra };
}

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

async function exitOf(id: string): Promise<number> {
  await waitFor(`the exit of ${id.slice(0, 12)}`, async () => (await readExitFile(fx.exitDir, id)) !== undefined);
  return (await readExitFile(fx.exitDir, id)) as number;
}

describe('OciRuntime', () => {
  it('reports state, and SIGTERM reaches a process that handles it', async () => {
    const c = await startContainer(fx, { args: ['/bin/sh', '-c', 'trap "echo got TERM; exit 143" TERM; echo ready; while :; do sleep 0.05; done'] });
    expect(await fx.runtime.state(c.id)).toMatchObject({ status: 'running', pid: c.pid, bundle: c.bundle });
    await waitFor('ready', async () => (await rawLog(c.log)).includes('stdout F ready'));
    await fx.runtime.kill(c.id, 'SIGTERM');
    expect(await exitOf(c.id)).toBe(143);
    expect(await rawLog(c.log)).toContain('stdout F got TERM');
    await waitFor('stopped', async () => (await fx.runtime.state(c.id))?.status === 'stopped');
    await expect(fx.runtime.kill(c.id, 'TERM')).rejects.toThrow(ObjectConflictError);
    await fx.runtime.delete(c.id);
    expect(await fx.runtime.state(c.id)).toBeUndefined();
    await expect(fx.runtime.delete(c.id)).rejects.toThrow(ObjectNotFoundError);
    expect(await cgroupDirs(`${fx.cgroupParent}/${c.id}`)).toEqual([]);
  });

  it('kills with SIGKILL (137), also every process with --all, and by number', async () => {
    const a = await startContainer(fx, { args: ['/bin/sleep', '1000'] });
    await fx.runtime.kill(a.id, '9');
    expect(await exitOf(a.id)).toBe(137);

    const b = await startContainer(fx, { args: ['/bin/sh', '-c', 'sleep 1000 & sleep 1000 & wait'] });
    await waitFor('three processes', async () => (await fx.runtime.ps(b.id)).length === 3);
    await fx.runtime.kill(b.id, 'KILL', true);
    expect(await exitOf(b.id)).toBe(137);
    await expect(fx.runtime.kill(b.id, 'SIGNOPE')).rejects.toThrow('invalid signal: SIGNOPE');
  });

  it('pauses (nothing runs, state paused) and resumes', async () => {
    const c = await startContainer(fx, { args: ['/bin/sh', '-c', 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.02; done'] });
    await waitFor('output', async () => (await rawLog(c.log)).length > 3);
    await fx.runtime.pause(c.id);
    expect((await fx.runtime.state(c.id))?.status).toBe('paused');
    const frozenAt = (await rawLog(c.log)).length;
    await new Promise((r) => setTimeout(r, 400));
    expect((await rawLog(c.log)).length).toBe(frozenAt);
    await expect(fx.runtime.pause(c.id)).rejects.toThrow(ObjectConflictError);
    await fx.runtime.resume(c.id);
    expect((await fx.runtime.state(c.id))?.status).toBe('running');
    await waitFor('output after resume', async () => (await rawLog(c.log)).length > frozenAt + 3);
    await expect(fx.runtime.resume(c.id)).rejects.toThrow(ObjectConflictError);
    await fx.runtime.kill(c.id, 'KILL');
    expect(await exitOf(c.id)).toBe(137);
  });

  it('updates cgroup limits and lists the processes', async () => {
    const c = await startContainer(fx, { args: SLEEPER });
    await fx.runtime.update(c.id, { pids: { limit: 42 } });
    const dirs = await cgroupDirs(`${fx.cgroupParent}/${c.id}`);
    const limits = await Promise.all(dirs.map((d) => fs.readFile(path.join(d, 'pids.max'), 'utf8').catch(() => undefined)));
    expect(limits.filter((l) => l !== undefined).map((l) => l?.trim())).toContain('42');
    const pids = await fx.runtime.ps(c.id);
    expect(pids).toContain(c.pid);
    await fx.runtime.kill(c.id, 'KILL');
    await exitOf(c.id);
  });

  it('says clearly when a container is unknown', async () => {
    const id = 'f'.repeat(64);
    expect(await fx.runtime.state(id)).toBeUndefined();
    await expect(fx.runtime.start(id)).rejects.toThrow(new ObjectNotFoundError(`runc start container ${id}: container does not exist`));
    await expect(fx.runtime.kill(id, 'TERM')).rejects.toThrow(ObjectNotFoundError);
    await expect(fx.runtime.pause(id)).rejects.toThrow(ObjectNotFoundError);
    await expect(fx.runtime.exec(id, proc(['/bin/true']), { tty: false })).rejects.toThrow(ObjectNotFoundError);
  });

  describe('exec', () => {
    let c: Awaited<ReturnType<typeof startContainer>>;
    beforeAll(async () => {
      c = await startContainer(fx, { args: SLEEPER });
    });
    afterAll(async () => {
      await fx.runtime.kill(c.id, 'KILL').catch(() => undefined);
    });

    it('runs in the foreground without a TTY: stdout and stderr apart, the exit code', async () => {
      const out = new Collect();
      const err = new Collect();
      const t0 = Date.now();
      const r = await fx.runtime.exec(c.id, proc(['/bin/sh', '-c', 'echo out; echo err >&2; pwd; echo $FOO; tty; exit 3'], { cwd: '/etc', env: [PATH_ENV, 'FOO=bar'] }), { tty: false, stdout: out, stderr: err });
      process.stdout.write(`exec without TTY: ${Date.now() - t0} ms\n`);
      expect(r.exitCode).toBe(3);
      expect(r.pid).toBeGreaterThan(0);
      expect(out.text).toBe('out\n/etc\nbar\nnot a tty\n');
      expect(err.text).toBe('err\n');
    });

    it('feeds stdin and closes it at its end', async () => {
      const out = new Collect();
      const r = await fx.runtime.exec(c.id, proc(['/bin/sh', '-c', 'cat; echo "[eof]"']), { tty: false, stdin: Readable.from(['line 1\n', 'line 2\n']), stdout: out });
      expect(r.exitCode).toBe(0);
      expect(out.text).toBe('line 1\nline 2\n[eof]\n');
    });

    it('runs with a TTY: tty prints /dev/pts/N, output on stdout with \\r\\n, exit code kept', async () => {
      const out = new Collect();
      const err = new Collect();
      const t0 = Date.now();
      const r = await fx.runtime.exec(c.id, proc(['/bin/sh', '-c', 'tty; echo to-stderr >&2; exit 5'], { env: [PATH_ENV, 'TERM=xterm'] }), { tty: true, stdout: out, stderr: err });
      process.stdout.write(`exec with TTY: ${Date.now() - t0} ms\n`);
      expect(r.exitCode).toBe(5);
      expect(out.text).toMatch(/^\/dev\/pts\/\d+\r\nto-stderr\r\n$/);
      expect(err.text).toBe('');
    });

    it('sends stdin through the TTY: echoed, ^C interrupts, its end is ^D (EOF)', async () => {
      const out = new Collect();
      const r1 = await fx.runtime.exec(c.id, proc(['/bin/sh', '-c', 'read x; echo "got $x"; cat; echo "[eof]"']), { tty: true, stdin: Readable.from(['hello\n', 'more\n']), stdout: out });
      expect(r1.exitCode).toBe(0);
      // the pty echoes the input as it arrives, so the echo and the output interleave by timing
      expect(out.text.startsWith('hello\r\n')).toBe(true);
      expect(out.text).toContain('got hello\r\n');
      expect(out.text.split('more\r\n')).toHaveLength(3); // echoed once, printed by cat once
      expect(out.text.endsWith('[eof]\r\n')).toBe(true); // ^D ended cat
      expect(out.text.length).toBe('hello\r\nmore\r\ngot hello\r\nmore\r\n[eof]\r\n'.length); // nothing else (no ^@, no double echo)

      const interrupted = new Collect();
      const input = new PassThrough();
      const running = fx.runtime.exec(c.id, proc(['/bin/sh', '-c', 'trap "echo INT; exit 9" INT; echo waiting; while :; do sleep 0.05; done']), { tty: true, stdin: input, stdout: interrupted });
      await waitFor('waiting', () => interrupted.text.includes('waiting'));
      input.write('\x03');
      expect((await running).exitCode).toBe(9);
      expect(interrupted.text).toContain('INT\r\n');
    });

    it('sizes the TTY (runc applies the size just after the process starts)', async () => {
      const out = new Collect();
      await fx.runtime.exec(c.id, proc(['/bin/sh', '-c', 'sleep 0.3; stty -a']), { tty: true, stdout: out, consoleSize: { rows: 40, cols: 132 } });
      expect(out.text).toMatch(/rows 40; columns 132/);
    });

    it('gives 127 for a missing program, with the reason on stderr', async () => {
      const err = new Collect();
      expect((await fx.runtime.exec(c.id, proc(['/no/such/program']), { tty: false, stderr: err })).exitCode).toBe(127);
      expect(err.text).toMatch(/\/no\/such\/program.*no such file or directory/);
      const out = new Collect();
      expect((await fx.runtime.exec(c.id, proc(['/no/such/program']), { tty: true, stdout: out })).exitCode).toBe(127);
      expect(out.text).toMatch(/\/no\/such\/program.*no such file or directory/);
    });

    it('runs detached: returns at once with the PID, which runs in the container', async () => {
      const r = await fx.runtime.exec(c.id, proc(['/bin/sleep', '1000']), { tty: true, detach: true });
      expect(r.exitCode).toBeUndefined();
      expect(r.pid).toBeGreaterThan(0);
      expect(await isRunning(r.pid as number)).toBe(true);
      expect(await fx.runtime.ps(c.id)).toContain(r.pid);
      process.kill(r.pid as number, 'SIGKILL');
    });

    it('kills the process when aborted, and rejects with the reason', async () => {
      const ac = new AbortController();
      const t0 = Date.now();
      setTimeout(() => ac.abort(new Error('health check timed out')), 300);
      await expect(fx.runtime.exec(c.id, proc(['/bin/sleep', '1000']), { tty: false, signal: ac.signal })).rejects.toThrow('health check timed out');
      expect(Date.now() - t0).toBeLessThan(5000);
      await waitFor('the sleep gone', async () => (await fx.runtime.ps(c.id)).length === 2); // sh and its sleep 0.05
      const tty = new AbortController();
      setTimeout(() => tty.abort(new Error('stop')), 300);
      await expect(fx.runtime.exec(c.id, proc(['/bin/sleep', '1000']), { tty: true, signal: tty.signal })).rejects.toThrow('stop');
    });

    it('refuses an exec in a stopped container', async () => {
      const d = await startContainer(fx, { args: ['/bin/true'] });
      await exitOf(d.id);
      await expect(fx.runtime.exec(d.id, proc(['/bin/true']), { tty: false })).rejects.toThrow(ObjectConflictError);
    });
  });
});
