/**
 * Containers under conmon for real (root, serial): busybox from the local registry on an overlay
 * root, created under conmon, started by runc; the k8s-file log and readLog over it; exit files
 * and watchExits; conmon's own log rotation and the keeper's; a container that outlives the
 * process that made it; a failed create that leaves nothing. Each test's containers are removed
 * with everything they made (runtime-fixture.ts).
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { LogLine } from '../../../src/engine/containers';
import { createUnderMonitor, readExitFile, watchExits } from '../../../src/engine/bundled/containers/monitor/conmon';
import { keepRotatedLogs } from '../../../src/engine/bundled/containers/monitor/log-keeper';
import { readLog } from '../../../src/engine/bundled/containers/monitor/log-reader';
import { isRunning, processesMentioning, waitForExit } from '../../support/processes';
import { cgroupDirs, prepareContainer, rawLog, REPO, setUpFixture, startContainer, tearDown, waitFor, type Fixture } from './runtime-fixture';

jest.setTimeout(120_000);

let fx: Fixture;
beforeAll(async () => {
  fx = await setUpFixture('conmon');
});
afterAll(async () => {
  await tearDown(fx);
});

const TICKER = ['/bin/sh', '-c', 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.05; done'];

async function collect(file: string, options: Parameters<typeof readLog>[1]): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const l of readLog(file, options)) out.push(l);
  return out;
}

const ticks = (lines: readonly LogLine[]): number[] => lines.map((l) => Number(/^tick (\d+)$/.exec(l.text)?.[1] ?? NaN));

function consecutive(numbers: readonly number[]): boolean {
  return numbers.every((n, i) => i === 0 || n === (numbers[i - 1] as number) + 1);
}

describe('a container under conmon', () => {
  it('runs, logs both streams to the k8s-file, and leaves its exit code when it ends', async () => {
    const seen: [string, number][] = [];
    await fs.mkdir(fx.exitDir, { recursive: true });
    const watcher = watchExits(fx.exitDir, (id, code) => seen.push([id, code]), { rescanMs: 200 });
    try {
      const c = await prepareContainer(fx, { args: ['/bin/sh', '-c', 'echo hello; sleep 0.1; echo oops >&2; sleep 0.1; printf "no newline"; sleep 0.3; exit 7'] });
      const t0 = Date.now();
      const m = await createUnderMonitor(c.monitor);
      const createMs = Date.now() - t0;
      expect(Number(await fs.readFile(c.monitor.monitorPidFile, 'utf8'))).toBe(m.monitorPid);
      expect(Number(await fs.readFile(c.monitor.pidFile, 'utf8'))).toBe(m.pid);
      expect(await fx.runtime.state(c.id)).toMatchObject({ status: 'created', pid: m.pid });
      expect(await isRunning(m.monitorPid)).toBe(true);
      await fx.runtime.start(c.id);
      process.stdout.write(`create under conmon: ${createMs} ms, start: ${Date.now() - t0 - createMs} ms\n`);

      await waitFor('the exit file', async () => (await readExitFile(fx.exitDir, c.id)) !== undefined);
      expect(await readExitFile(fx.exitDir, c.id)).toBe(7);
      expect((await fs.readFile(path.join(c.monitor.persistDir, 'exit'), 'utf8')).trim()).toBe('7');
      await waitFor('the exit to be watched', () => seen.some(([id]) => id === c.id));
      expect(seen.filter(([id]) => id === c.id)).toEqual([[c.id, 7]]);
      expect(await waitForExit(m.monitorPid, 5000)).toBe(true); // conmon is done too
      expect((await fx.runtime.state(c.id))?.status).toBe('stopped');

      expect(await rawLog(c.log)).toEqual(['stdout F hello', 'stderr F oops', 'stdout P no newline']);
      const lines = await collect(c.log, {});
      expect(lines.map((l) => [l.stream, l.text, l.partial ?? false])).toEqual([
        ['stdout', 'hello', false],
        ['stderr', 'oops', false],
        ['stdout', 'no newline', true],
      ]);
      expect(lines[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
      expect(Math.abs(Date.parse(lines[0]?.time ?? '') - t0)).toBeLessThan(10_000);
      expect((await collect(c.log, { stderr: true })).map((l) => l.text)).toEqual(['oops']);

      // a watcher started afterwards still hears of it
      const later: [string, number][] = [];
      const w2 = watchExits(fx.exitDir, (id, code) => later.push([id, code]));
      await waitFor('the rescan', () => later.some(([id]) => id === c.id));
      w2.close();
      expect(later.find(([id]) => id === c.id)).toEqual([c.id, 7]);
    } finally {
      watcher.close();
    }
  });

  it('gives the container a terminal with tty: its output is logged as stdout', async () => {
    const c = await startContainer(fx, { args: ['/bin/sh', '-c', 'tty; echo to-stderr >&2; exit 0'], tty: true });
    await waitFor('the exit file', async () => (await readExitFile(fx.exitDir, c.id)) !== undefined);
    const lines = await collect(c.log, {});
    expect(lines.map((l) => l.stream)).toEqual(['stdout', 'stdout']);
    expect(lines.map((l) => l.text)).toEqual([expect.stringMatching(/^\/dev\/pts\/\d+\r$/), 'to-stderr\r']);
  });

  it('reads the log with tail, since and follow while the container runs, and the follow ends at the exit', async () => {
    const c = await startContainer(fx, { args: TICKER });
    await waitFor('10 ticks', async () => (await rawLog(c.log)).length >= 10);

    const last3 = await collect(c.log, { tail: 3 });
    expect(last3).toHaveLength(3);
    expect(consecutive(ticks(last3))).toBe(true);

    const all = await collect(c.log, {});
    const fifth = all[4] as LogLine;
    const since = await collect(c.log, { since: fifth.time });
    expect(ticks(since)[0]).toBe(5);
    expect(consecutive(ticks(since))).toBe(true);
    expect(ticks(await collect(c.log, { until: fifth.time }))).toEqual([1, 2, 3, 4, 5]);

    // follow from the end: new lines as they come, without a gap; ends once the container is gone
    const followed: LogLine[] = [];
    let exited!: () => void;
    const stopWhen = new Promise<void>((r) => (exited = r));
    const following = (async () => {
      for await (const l of readLog(c.log, { tail: 0, follow: true, stopWhen, pollMs: 1000 })) followed.push(l);
    })();
    await waitFor('5 followed lines', () => followed.length >= 5);
    await fx.runtime.kill(c.id, 'KILL');
    await waitFor('the exit file', async () => (await readExitFile(fx.exitDir, c.id)) !== undefined);
    exited();
    await following;
    const n = ticks(followed);
    expect(consecutive(n)).toBe(true);
    expect(n[n.length - 1]).toBe(ticks(await collect(c.log, { tail: 1 }))[0]); // up to the very last line
    expect(await readExitFile(fx.exitDir, c.id)).toBe(137);
  });

  it('outlives the node process that created and started it, and keeps logging', async () => {
    const c = await prepareContainer(fx, { args: TICKER });
    const script = path.join(fx.dir, 'create-and-exit.ts');
    await fs.writeFile(
      script,
      [
        `import { createUnderMonitor } from ${JSON.stringify(path.join(REPO, 'src/engine/bundled/containers/monitor/conmon'))};`,
        `import { OciRuntime } from ${JSON.stringify(path.join(REPO, 'src/engine/bundled/containers/runtime/oci-runtime'))};`,
        `const options = ${JSON.stringify(c.monitor)};`,
        '(async () => {',
        '  const m = await createUnderMonitor(options);',
        '  await new OciRuntime(options.runtime, options.runtimeRoot).start(options.id);',
        '  process.stdout.write(JSON.stringify({ ...m, self: process.pid }));',
        '})().catch((e) => { process.stderr.write(String(e)); process.exit(1); });',
      ].join('\n'),
    );
    const child = spawn(path.join(REPO, 'node_modules/.bin/tsx'), [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const made = JSON.parse(out) as { monitorPid: number; pid: number; self: number };
    expect(await isRunning(made.self)).toBe(false);

    const linesAtExit = (await rawLog(c.log)).length;
    await waitFor('10 more lines after the creator exited', async () => (await rawLog(c.log)).length >= linesAtExit + 10);
    expect(await isRunning(made.monitorPid)).toBe(true);
    const ppid = Number((await fs.readFile(`/proc/${made.monitorPid}/stat`, 'utf8')).split(') ')[1]?.split(' ')[1]);
    expect(ppid).not.toBe(made.self);
    expect(await fx.runtime.state(c.id)).toMatchObject({ status: 'running', pid: made.pid });
    const n = ticks(await collect(c.log, {}));
    expect(n[0]).toBe(1);
    expect(consecutive(n)).toBe(true);

    await fx.runtime.kill(c.id, 'SIGKILL');
    await waitFor('the exit file', async () => (await readExitFile(fx.exitDir, c.id)) === 137);
    expect(await waitForExit(made.monitorPid, 5000)).toBe(true);
  });

  it("at --log-size-max, conmon starts the log over and keeps nothing of the old one", async () => {
    const c = await startContainer(fx, { args: ['/bin/sh', '-c', 'i=0; while [ $i -lt 200 ]; do i=$((i+1)); echo "tick $i ........................................................................"; done'], logSizeMax: 4096 });
    await waitFor('the exit file', async () => (await readExitFile(fx.exitDir, c.id)) !== undefined);
    const files = (await fs.readdir(path.dirname(c.log))).filter((f) => f.startsWith('ctr.log'));
    expect(files).toEqual(['ctr.log']);
    expect((await fs.stat(c.log)).size).toBeLessThanOrEqual(4096);
    const lines = await collect(c.log, {});
    const n = lines.map((l) => Number(/^tick (\d+) /.exec(l.text)?.[1]));
    expect(n[0]).toBeGreaterThan(1); // the start is gone
    expect(n[n.length - 1]).toBe(200);
    expect(consecutive(n)).toBe(true); // records are never torn at the rotation
  });

  it('keeps max-file - 1 rotated logs with the keeper, read back in order without a gap', async () => {
    const c = await prepareContainer(fx, {
      args: ['/bin/sh', '-c', 'i=0; while [ $i -lt 150 ]; do i=$((i+1)); echo "tick $i ........................................................................"; sleep 0.01; done'],
      logSizeMax: 4096,
    });
    const keeper = keepRotatedLogs(c.log, { maxFiles: 3, pollMs: 200 });
    try {
      await createUnderMonitor(c.monitor);
      await fx.runtime.start(c.id);
      await waitFor('the exit file', async () => (await readExitFile(fx.exitDir, c.id)) !== undefined, 30_000);
      await waitFor('the last rotation filed', async () => (await fs.stat(c.log)).ino === (await fs.stat(`${c.log}.live`).catch(() => ({ ino: -1 }))).ino);
    } finally {
      keeper.close();
    }
    const files = (await fs.readdir(path.dirname(c.log))).filter((f) => f.startsWith('ctr.log')).sort();
    expect(files).toEqual(['ctr.log', 'ctr.log.1', 'ctr.log.2', 'ctr.log.live']);
    for (const f of ['ctr.log', 'ctr.log.1', 'ctr.log.2']) expect((await fs.stat(path.join(path.dirname(c.log), f))).size).toBeLessThanOrEqual(4096);
    const n = (await collect(c.log, {})).map((l) => Number(/^tick (\d+) /.exec(l.text)?.[1]));
    expect(n[n.length - 1]).toBe(150);
    expect(n[0]).toBeGreaterThan(1);
    expect(n.length).toBeGreaterThan(2 * 40); // more than one file's worth (~40 lines each)
    expect(consecutive(n)).toBe(true);
    const tail = (await collect(c.log, { tail: 60 })).map((l) => Number(/^tick (\d+) /.exec(l.text)?.[1]));
    expect(tail).toEqual(n.slice(-60));
  });

  it('fails with the runtime\'s message when create fails, and leaves nothing behind', async () => {
    const c = await prepareContainer(fx, {
      args: ['/bin/true'],
      extraMounts: [{ destination: '/data', type: 'bind', source: '/nonexistent/tscompose-source', options: ['rbind'] }],
    });
    await expect(createUnderMonitor(c.monitor)).rejects.toThrow(
      new RegExp(`^cannot create container ${c.monitor.name} \\(${c.id.slice(0, 12)}\\): runc create failed: .*/nonexistent/tscompose-source.*no such file or directory`),
    );
    expect(await fx.runtime.state(c.id)).toBeUndefined();
    expect(await processesMentioning(c.id)).toEqual([]);
    expect(await cgroupDirs(`${fx.cgroupParent}/${c.id}`)).toEqual([]);
    for (const f of [c.monitor.pidFile, c.monitor.monitorPidFile, path.join(c.monitor.socketDir, c.id), path.join(c.bundle, 'ctl'), path.join(c.bundle, 'winsz')]) {
      expect(await fs.lstat(f).then(() => f, () => 'gone')).toBe('gone');
    }
    expect(await readExitFile(fx.exitDir, c.id)).toBeUndefined();
  });

  it('fails clearly when the program does not exist, and leaves nothing behind', async () => {
    const c = await prepareContainer(fx, { args: ['/no/such/program'] });
    await expect(createUnderMonitor(c.monitor)).rejects.toThrow(/^cannot create container test-[0-9a-f]{8} \([0-9a-f]{12}\): runc create failed: .*exec: "\/no\/such\/program": stat \/no\/such\/program: no such file or directory$/);
    expect(await fx.runtime.state(c.id)).toBeUndefined();
    expect(await processesMentioning(c.id)).toEqual([]);
    expect(await cgroupDirs(`${fx.cgroupParent}/${c.id}`)).toEqual([]);
  });
});
