import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lastLineEnd, readLinesBackward, readLinesForward } from '../../../../../../src/engine/bundled/containers/monitor/file-lines';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tscompose-lines-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function withFile<T>(content: string | Buffer, fn: (fh: fs.FileHandle, size: number) => Promise<T>): Promise<T> {
  const file = path.join(dir, `f${Math.random().toString(36).slice(2)}`);
  await fs.writeFile(file, content);
  const fh = await fs.open(file, 'r');
  try {
    return await fn(fh, (await fh.stat()).size);
  } finally {
    await fh.close();
  }
}

async function backward(fh: fs.FileHandle, end: number): Promise<string[]> {
  const out: string[] = [];
  for await (const l of readLinesBackward(fh, end)) out.push(l);
  return out;
}

// lines longer than the 64 KiB chunk, and multi-byte characters across chunk borders
const long = 'é'.repeat(40_000); // 80 000 bytes
const lines = ['first', '', long, 'ünïcödé ✓', 'x'.repeat(70_000), 'last'];
const text = `${lines.join('\n')}\n`;

describe('readLinesForward', () => {
  it('reads every complete line and says where it stopped', async () => {
    await withFile(`${text}incomplete`, async (fh, size) => {
      const all: string[] = [];
      let offset = 0;
      for (;;) {
        const r = await readLinesForward(fh, offset, 100_000);
        all.push(...r.lines);
        if (r.next === offset) break;
        offset = r.next;
      }
      expect(all).toEqual(lines);
      expect(offset).toBe(size - 'incomplete'.length);
    });
  });

  it('goes on from an offset', async () => {
    await withFile('a\nb\nc\n', async (fh) => {
      expect(await readLinesForward(fh, 2)).toEqual({ lines: ['b', 'c'], next: 6 });
      expect(await readLinesForward(fh, 6)).toEqual({ lines: [], next: 6 });
    });
  });
});

describe('readLinesBackward', () => {
  it('yields complete lines last first, leaving out an unfinished one', async () => {
    await withFile(`${text}incomplete`, async (fh, size) => {
      expect(await backward(fh, size)).toEqual([...lines].reverse());
    });
  });

  it('stops early when the consumer does, and handles tiny files', async () => {
    await withFile(text, async (fh, size) => {
      const it = readLinesBackward(fh, size);
      expect((await it.next()).value).toBe('last');
      await it.return(undefined);
    });
    await withFile('only\n', async (fh, size) => expect(await backward(fh, size)).toEqual(['only']));
    await withFile('no newline', async (fh, size) => expect(await backward(fh, size)).toEqual([]));
    await withFile('', async (fh, size) => expect(await backward(fh, size)).toEqual([]));
  });
});

describe('lastLineEnd', () => {
  it('finds the end of the last complete line', async () => {
    await withFile(`${text}partial`, async (fh, size) => expect(await lastLineEnd(fh, size)).toBe(Buffer.byteLength(text)));
    await withFile('x'.repeat(200_000), async (fh, size) => expect(await lastLineEnd(fh, size)).toBe(0));
  });
});
