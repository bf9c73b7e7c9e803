import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireLock, isAlive, tryLock } from '../../../../../src/engine/bundled/daemon/file-lock';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-lock-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A PID that surely belongs to no process: one of a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

describe('file lock', () => {
  it('is held by one at a time and holds the owner’s PID', () => {
    const file = path.join(dir, 'engine.lock');
    const first = tryLock(file);
    expect(first).toBeDefined();
    expect(fs.readFileSync(file, 'utf8')).toBe(`${process.pid}\n`);
    expect(tryLock(file)).toBeUndefined(); // our own PID is alive
    first?.release();
    expect(fs.existsSync(file)).toBe(false);
    const second = tryLock(file);
    expect(second).toBeDefined();
    second?.release();
  });

  it('is taken over when its owner is gone', () => {
    const file = path.join(dir, 'engine.lock');
    const pid = deadPid();
    expect(isAlive(pid)).toBe(false);
    fs.writeFileSync(file, `${pid}\n`);
    const lock = tryLock(file);
    expect(lock).toBeDefined();
    expect(fs.readFileSync(file, 'utf8')).toBe(`${process.pid}\n`);
    lock?.release();
  });

  it('waits for a live holder and says who holds it when the wait times out', async () => {
    const file = path.join(dir, 'engine.lock');
    const held = tryLock(file);
    await expect(acquireLock(file, { timeoutMs: 100 })).rejects.toThrow(`timed out after 100 ms waiting for the lock ${file} (held by pid ${process.pid})`);
    setTimeout(() => held?.release(), 50);
    const lock = await acquireLock(file, { timeoutMs: 2_000 });
    lock.release();
  });

  it('release leaves a lock someone else took after a takeover alone', () => {
    const file = path.join(dir, 'engine.lock');
    const mine = tryLock(file);
    fs.rmSync(file);
    fs.writeFileSync(file, '1\n'); // another owner now
    mine?.release();
    expect(fs.readFileSync(file, 'utf8')).toBe('1\n');
  });
});
