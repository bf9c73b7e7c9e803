/**
 * The keeper against conmon's way of rotating (a new file renamed over the log), done here by
 * hand; the same with the real conmon is in test/integration/containers/monitor-conmon.test.ts.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { keepRotatedLogs, rotateLog } from '../../../../../../src/engine/bundled/containers/monitor/log-keeper';
import { readLog } from '../../../../../../src/engine/bundled/containers/monitor/log-reader';

let dir: string;
let log: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tscompose-keeper-'));
  log = path.join(dir, 'ctr.log');
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const rec = (i: number): string => `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.000000000+00:00 stdout F line ${i}\n`;

/** What conmon does at its size limit: an empty `<log>.tmp` renamed over the log. */
async function conmonRotates(): Promise<void> {
  await fs.writeFile(`${log}.tmp`, '');
  await fs.rename(`${log}.tmp`, log);
}

async function until(pred: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function names(): Promise<string[]> {
  return (await fs.readdir(dir)).sort();
}

async function lines(): Promise<string[]> {
  const out: string[] = [];
  for await (const l of readLog(log, {})) out.push(l.text);
  return out;
}

describe('keepRotatedLogs', () => {
  it('keeps max-file - 1 rotated files, newest as .1, and the reader reads them all in order', async () => {
    await fs.writeFile(log, rec(1));
    const keeper = keepRotatedLogs(log, { maxFiles: 3, pollMs: 50 });
    try {
      await until(async () => (await names()).includes('ctr.log.live'));
      for (let i = 2; i <= 5; i++) {
        await conmonRotates();
        await fs.appendFile(log, rec(i));
        const want = Math.min(i - 1, 2);
        await until(async () => (await names()).filter((n) => /^ctr\.log\.\d$/.test(n)).length === want && (await fs.stat(log)).ino === (await fs.stat(`${log}.live`)).ino);
      }
      expect(await names()).toEqual(['ctr.log', 'ctr.log.1', 'ctr.log.2', 'ctr.log.live']);
      expect(await fs.readFile(`${log}.1`, 'utf8')).toBe(rec(4));
      expect(await fs.readFile(`${log}.2`, 'utf8')).toBe(rec(3));
      expect(await lines()).toEqual(['line 3', 'line 4', 'line 5']);
    } finally {
      keeper.close();
    }
  });

  it('keeps what was written to the old file after the rotation', async () => {
    await fs.writeFile(log, rec(1));
    const keeper = keepRotatedLogs(log, { maxFiles: 2, pollMs: 50 });
    try {
      await until(async () => (await names()).includes('ctr.log.live'));
      const old = await fs.open(log, 'a');
      await conmonRotates();
      await old.appendFile(rec(2));
      await old.close();
      await fs.appendFile(log, rec(3));
      await until(async () => (await names()).includes('ctr.log.1') && (await fs.stat(log)).ino === (await fs.stat(`${log}.live`)).ino);
      expect(await lines()).toEqual(['line 1', 'line 2', 'line 3']);
    } finally {
      keeper.close();
    }
  });

  it('files a rotation that happened while no keeper ran when it starts', async () => {
    await fs.writeFile(log, rec(1));
    const first = keepRotatedLogs(log, { maxFiles: 3, pollMs: 50 });
    await until(async () => (await names()).includes('ctr.log.live'));
    first.close();
    await conmonRotates();
    await fs.appendFile(log, rec(2));
    expect(await lines()).toEqual(['line 1', 'line 2']); // the reader sees the unfiled .live too
    const second = keepRotatedLogs(log, { maxFiles: 3, pollMs: 50 });
    try {
      await until(async () => (await names()).includes('ctr.log.1'));
      await until(async () => (await fs.stat(log)).ino === (await fs.stat(`${log}.live`)).ino);
      expect(await fs.readFile(`${log}.1`, 'utf8')).toBe(rec(1));
      expect(await lines()).toEqual(['line 1', 'line 2']);
    } finally {
      second.close();
    }
  });

  it('does nothing for max-file 1', async () => {
    await fs.writeFile(log, rec(1));
    const keeper = keepRotatedLogs(log, { maxFiles: 1, pollMs: 20 });
    await new Promise((r) => setTimeout(r, 100));
    keeper.close();
    expect(await names()).toEqual(['ctr.log']);
  });
});

describe('rotateLog', () => {
  it('files the current log as .1 and drops what exceeds max-file', async () => {
    await fs.writeFile(`${log}.1`, rec(2));
    await fs.writeFile(`${log}.2`, rec(1));
    await fs.writeFile(log, rec(3));
    await fs.link(log, `${log}.live`);
    await rotateLog(log, 3);
    expect(await names()).toEqual(['ctr.log.1', 'ctr.log.2']);
    expect(await fs.readFile(`${log}.1`, 'utf8')).toBe(rec(3));
    expect(await fs.readFile(`${log}.2`, 'utf8')).toBe(rec(2));
  });

  it('leaves an empty or missing log, and max-file 1, alone', async () => {
    await rotateLog(log, 3);
    await fs.writeFile(log, '');
    await rotateLog(log, 3);
    expect(await names()).toEqual(['ctr.log']);
    await fs.writeFile(log, rec(1));
    await rotateLog(log, 1);
    expect(await names()).toEqual(['ctr.log']);
  });
});
