import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readExitFile, watchExits } from '../../../../../../src/engine/bundled/containers/monitor/exit-files';
import { EngineError } from '../../../../../../src/engine/errors';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tscompose-exits-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** As conmon writes it: a temp file renamed into place. */
async function conmonWrites(id: string, code: number): Promise<void> {
  const tmp = path.join(dir, `${id}.AB12CD`);
  await fs.writeFile(tmp, String(code));
  await fs.rename(tmp, path.join(dir, id));
}

async function until(pred: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('readExitFile', () => {
  it('reads the code, undefined while there is none', async () => {
    expect(await readExitFile(dir, 'c1')).toBeUndefined();
    await conmonWrites('c1', 137);
    expect(await readExitFile(dir, 'c1')).toBe(137);
  });

  it('rejects a file that holds no exit code', async () => {
    await fs.writeFile(path.join(dir, 'c2'), 'oops');
    await expect(readExitFile(dir, 'c2')).rejects.toThrow(EngineError);
    await fs.writeFile(path.join(dir, 'c3'), '');
    await expect(readExitFile(dir, 'c3')).rejects.toThrow(/not an exit code/);
  });
});

describe('watchExits', () => {
  it('reports exits from before it started, then new ones, each once, never temp files', async () => {
    await conmonWrites('old', 3);
    const seen: [string, number][] = [];
    const errors: Error[] = [];
    const w = watchExits(dir, (id, code) => seen.push([id, code]), { rescanMs: 30, onError: (e) => errors.push(e) });
    try {
      await until(() => seen.length === 1);
      expect(seen).toEqual([['old', 3]]);
      await conmonWrites('new', 0);
      await until(() => seen.length === 2);
      await new Promise((r) => setTimeout(r, 120)); // several rescans
      expect(seen).toEqual([['old', 3], ['new', 0]]);
      // the same container exits again (its old file was removed before it ran): reported again
      await fs.rm(path.join(dir, 'new'));
      await new Promise((r) => setTimeout(r, 60));
      await conmonWrites('new', 1);
      await until(() => seen.length === 3);
      expect(seen[2]).toEqual(['new', 1]);
      expect(errors).toEqual([]);
    } finally {
      w.close();
    }
  });

  it('reports nothing once closed', async () => {
    const seen: string[] = [];
    const w = watchExits(dir, (id) => seen.push(id), { rescanMs: 30 });
    w.close();
    await conmonWrites('x', 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([]);
  });

  it('keeps going when a callback throws, and says so', async () => {
    const errors: Error[] = [];
    const seen: string[] = [];
    const w = watchExits(dir, (id) => {
      seen.push(id);
      if (id === 'bad') throw new Error('boom');
    }, { rescanMs: 30, onError: (e) => errors.push(e) });
    try {
      await conmonWrites('bad', 1);
      await until(() => errors.length === 1);
      await conmonWrites('good', 0);
      await until(() => seen.includes('good'));
      expect(errors[0]?.message).toBe('handling the exit of container bad failed: boom');
    } finally {
      w.close();
    }
  });

  it('fails at once for a missing directory', () => {
    expect(() => watchExits(path.join(dir, 'missing'), () => undefined)).toThrow(/cannot watch the exit directory/);
  });
});
