/**
 * readLog over k8s-file logs written here the way conmon writes them (records, rotation by a
 * new file renamed over the log, the keeper's `.N` and `.live` names).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LogLine } from '../../../../../../src/engine/containers';
import { readLog, type ReadLogOptions } from '../../../../../../src/engine/bundled/containers/monitor/log-reader';

const BASE = Date.UTC(2026, 0, 1, 0, 0, 0);

/** A record at BASE + `s` seconds (+ `ns`), in conmon's format (local offset +00:00). */
function rec(s: number, stream: 'stdout' | 'stderr', tag: 'F' | 'P', text: string, ns = 0): string {
  const iso = new Date(BASE + s * 1000).toISOString().slice(0, 19);
  return `${iso}.${String(ns).padStart(9, '0')}+00:00 ${stream} ${tag} ${text}\n`;
}
const at = (s: number, ns = 0): string => `${new Date(BASE + s * 1000).toISOString().slice(0, 19)}.${String(ns).padStart(9, '0')}Z`;

let dir: string;
let log: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tscompose-logs-'));
  log = path.join(dir, 'ctr.log');
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function collect(options: ReadLogOptions, p = log): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const l of readLog(p, options)) out.push(l);
  return out;
}
const texts = (lines: readonly LogLine[]): string[] => lines.map((l) => `${l.stream === 'stderr' ? 'E:' : ''}${l.text}${l.partial ? '…' : ''}`);

/** Resolves when `pred` holds for the lines read so far (polled), or rejects after `ms`. */
async function until(pred: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Follows in the background; `lines` fills as they come. */
function follow(options: ReadLogOptions = {}): { lines: LogLine[]; stop: () => Promise<void>; done: Promise<void> } {
  const ac = new AbortController();
  const lines: LogLine[] = [];
  const done = (async () => {
    for await (const l of readLog(log, { follow: true, pollMs: 50, signal: ac.signal, ...options })) lines.push(l);
  })();
  return { lines, stop: async () => { ac.abort(); await done; }, done };
}

const SAMPLE = [
  rec(1, 'stdout', 'F', 'one'),
  rec(2, 'stderr', 'F', 'warn'),
  rec(3, 'stdout', 'P', 'hel'),
  rec(3, 'stderr', 'F', 'between'),
  rec(4, 'stdout', 'F', 'lo'),
  rec(5, 'stdout', 'F', ''),
  rec(6, 'stdout', 'F', 'six'),
].join('');

describe('readLog', () => {
  it('reads both streams in order, joining partial records at their first piece', async () => {
    await fs.writeFile(log, SAMPLE);
    const lines = await collect({});
    expect(texts(lines)).toEqual(['one', 'E:warn', 'E:between', 'hello', '', 'six']);
    expect(lines[3]).toEqual({ stream: 'stdout', time: at(3), text: 'hello' });
    expect(lines[0]?.time).toBe(at(1));
  });

  it('selects streams', async () => {
    await fs.writeFile(log, SAMPLE);
    expect(texts(await collect({ stdout: true }))).toEqual(['one', 'hello', '', 'six']);
    expect(texts(await collect({ stderr: true }))).toEqual(['E:warn', 'E:between']);
    expect(texts(await collect({ stdout: false, stderr: false }))).toEqual([]);
  });

  it('gives an unfinished line at the end as partial, and skips garbage', async () => {
    await fs.writeFile(log, `${rec(1, 'stdout', 'F', 'a')}torn line\n${rec(2, 'stdout', 'P', 'prompt> ')}${rec(2, 'stdout', 'F', 'still being writ')}`.slice(0, -1));
    // the last record has no newline yet: it is not there
    expect(await collect({})).toEqual([
      { stream: 'stdout', time: at(1), text: 'a' },
      { stream: 'stdout', time: at(2), text: 'prompt> ', partial: true },
    ]);
  });

  it('is empty for a missing log', async () => {
    expect(await collect({})).toEqual([]);
    expect(await collect({ tail: 5 })).toEqual([]);
  });

  describe('tail', () => {
    it('gives the last N lines, whole', async () => {
      await fs.writeFile(log, SAMPLE);
      expect(texts(await collect({ tail: 3 }))).toEqual(['hello', '', 'six']);
      expect(texts(await collect({ tail: 4 }))).toEqual(['E:between', 'hello', '', 'six']);
      expect(texts(await collect({ tail: 0 }))).toEqual([]);
      expect(texts(await collect({ tail: 100 }))).toEqual(['one', 'E:warn', 'E:between', 'hello', '', 'six']);
      expect(texts(await collect({ tail: 2, stderr: true }))).toEqual(['E:warn', 'E:between']);
      expect(texts(await collect({ tail: 1, stderr: true }))).toEqual(['E:between']);
    });

    it('counts an unfinished last line as one', async () => {
      await fs.writeFile(log, `${SAMPLE}${rec(7, 'stdout', 'P', 'pro')}${rec(7, 'stdout', 'P', 'mpt')}`);
      expect(texts(await collect({ tail: 2 }))).toEqual(['six', 'prompt…']);
    });

    it('never starts in the middle of a line made of pieces', async () => {
      const pieces = [rec(1, 'stdout', 'F', 'before'), rec(2, 'stdout', 'P', 'a'), rec(2, 'stdout', 'P', 'b'), rec(2, 'stdout', 'F', 'c'), rec(3, 'stdout', 'F', 'after')];
      await fs.writeFile(log, pieces.join(''));
      expect(texts(await collect({ tail: 2 }))).toEqual(['abc', 'after']);
      expect(texts(await collect({ tail: 1 }))).toEqual(['after']);
    });

    it('equals the end of the whole log for random logs (pieces, both streams, rotated files)', async () => {
      let seed = 42;
      const random = (n: number): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      for (let round = 0; round < 30; round++) {
        await fs.rm(dir, { recursive: true, force: true });
        await fs.mkdir(dir);
        const records: string[] = [];
        for (let i = 0; i < 40; i++) records.push(rec(i, random(3) === 0 ? 'stderr' : 'stdout', random(3) === 0 ? 'P' : 'F', `r${i}`));
        const cut1 = random(40);
        const cut2 = cut1 + random(40 - cut1);
        await fs.writeFile(`${log}.2`, records.slice(0, cut1).join(''));
        await fs.writeFile(`${log}.1`, records.slice(cut1, cut2).join(''));
        await fs.writeFile(log, records.slice(cut2).join(''));
        for (const streams of [{}, { stdout: true }, { stderr: true }]) {
          const all = await collect(streams);
          for (const n of [1, 2, 3, 5, 8, 13, 40]) {
            expect({ round, streams, n, lines: await collect({ ...streams, tail: n }) }).toEqual({ round, streams, n, lines: all.slice(-n) });
          }
        }
      }
    }, 30_000);

    it('reads backwards only as far as needed', async () => {
      // 4 GiB of hole before the records: reading it would take seconds and the memory for a 4 GiB "line"
      const fh = await fs.open(log, 'w');
      await fh.truncate(4 * 1024 ** 3);
      await fh.close();
      await fs.appendFile(log, `\n${[1, 2, 3, 4, 5].map((i) => rec(i, 'stdout', 'F', `line ${i}`)).join('')}`);
      const t0 = Date.now();
      expect(texts(await collect({ tail: 3 }))).toEqual(['line 3', 'line 4', 'line 5']);
      expect(Date.now() - t0).toBeLessThan(1000);
    });

    it('goes back into the rotated files', async () => {
      await fs.writeFile(`${log}.2`, rec(1, 'stdout', 'F', 'r2-a') + rec(2, 'stdout', 'F', 'r2-b'));
      await fs.writeFile(`${log}.1`, rec(3, 'stdout', 'F', 'r1-a') + rec(4, 'stdout', 'P', 'split-'));
      await fs.writeFile(log, rec(5, 'stdout', 'F', 'across') + rec(6, 'stdout', 'F', 'cur'));
      expect(texts(await collect({ tail: 3 }))).toEqual(['r1-a', 'split-across', 'cur']);
      expect(texts(await collect({}))).toEqual(['r2-a', 'r2-b', 'r1-a', 'split-across', 'cur']);
      expect(texts(await collect({ tail: 10 }))).toEqual(['r2-a', 'r2-b', 'r1-a', 'split-across', 'cur']);
    });
  });

  describe('rotated files', () => {
    it('reads <log>.N … <log>.1, a rotation not yet filed (.live), then <log>; never a file twice', async () => {
      await fs.writeFile(`${log}.10`, rec(1, 'stdout', 'F', 'ten'));
      await fs.writeFile(`${log}.2`, rec(2, 'stdout', 'F', 'two'));
      await fs.writeFile(`${log}.1`, rec(3, 'stdout', 'F', 'one'));
      await fs.writeFile(`${log}.live`, rec(4, 'stdout', 'F', 'live'));
      await fs.writeFile(`${log}.tmp`, rec(9, 'stdout', 'F', 'tmp is not a log file'));
      await fs.writeFile(log, rec(5, 'stdout', 'F', 'current'));
      expect(texts(await collect({}))).toEqual(['ten', 'two', 'one', 'live', 'current']);
      await fs.rm(`${log}.live`);
      await fs.link(log, `${log}.live`); // the keeper's link to the current file
      expect(texts(await collect({}))).toEqual(['ten', 'two', 'one', 'current']);
    });

    it('skips rotated files that end before since', async () => {
      await fs.writeFile(`${log}.1`, rec(1, 'stdout', 'F', 'old') + rec(2, 'stdout', 'F', 'older end'));
      await fs.writeFile(log, rec(5, 'stdout', 'F', 'new'));
      expect(texts(await collect({ since: String(BASE / 1000 + 3) }))).toEqual(['new']);
      expect(texts(await collect({ since: String(BASE / 1000 + 2) }))).toEqual(['older end', 'new']);
    });
  });

  describe('since and until', () => {
    it('filter by time, inclusive, in Unix seconds or RFC 3339', async () => {
      await fs.writeFile(log, SAMPLE);
      expect(texts(await collect({ since: String(BASE / 1000 + 3) }))).toEqual(['E:between', 'hello', '', 'six']);
      expect(texts(await collect({ until: at(2) }))).toEqual(['one', 'E:warn']);
      expect(texts(await collect({ since: at(2), until: `${BASE / 1000 + 3}.5` }))).toEqual(['E:warn', 'E:between', 'hello']);
    });

    it('apply after tail, as Docker does', async () => {
      await fs.writeFile(log, SAMPLE);
      expect(texts(await collect({ tail: 3, since: String(BASE / 1000 + 5) }))).toEqual(['', 'six']);
      expect(texts(await collect({ tail: 3, until: at(1) }))).toEqual([]);
    });

    it('reject a bad time', async () => {
      await fs.writeFile(log, SAMPLE);
      await expect(collect({ since: 'noon' })).rejects.toThrow('invalid value for "since"');
    });
  });

  describe('follow', () => {
    it('gives what is there, then new lines as they are written, until aborted', async () => {
      await fs.writeFile(log, rec(1, 'stdout', 'F', 'old'));
      const f = follow({ tail: 1 });
      await until(() => f.lines.length === 1);
      await fs.appendFile(log, rec(2, 'stdout', 'F', 'new 1'));
      await fs.appendFile(log, rec(3, 'stderr', 'F', 'new 2'));
      await until(() => f.lines.length === 3);
      await f.stop();
      expect(texts(f.lines)).toEqual(['old', 'new 1', 'E:new 2']);
    });

    it('waits for a log that does not exist yet', async () => {
      const f = follow();
      await new Promise((r) => setTimeout(r, 100));
      await fs.writeFile(log, rec(1, 'stdout', 'F', 'first'));
      await until(() => f.lines.length === 1);
      await f.stop();
      expect(texts(f.lines)).toEqual(['first']);
    });

    it('follows a rotation: the rest of the old file, then the new one', async () => {
      await fs.writeFile(log, rec(1, 'stdout', 'F', 'a'));
      const f = follow();
      await until(() => f.lines.length === 1);
      // conmon: the old file gets one more record, then a new file is renamed over the log
      const old = await fs.open(log, 'a');
      await fs.writeFile(`${log}.tmp`, '');
      await fs.rename(`${log}.tmp`, log);
      await old.appendFile(rec(2, 'stdout', 'F', 'b (old file, after the rename)'));
      await old.close();
      await fs.appendFile(log, rec(3, 'stdout', 'F', 'c (new file)'));
      await until(() => f.lines.length === 3);
      await fs.appendFile(log, rec(4, 'stdout', 'F', 'd'));
      await until(() => f.lines.length === 4);
      await f.stop();
      expect(texts(f.lines)).toEqual(['a', 'b (old file, after the rename)', 'c (new file)', 'd']);
    });

    it('reads a log truncated in place from its start again', async () => {
      await fs.writeFile(log, rec(1, 'stdout', 'F', 'long line number one') + rec(2, 'stdout', 'F', 'long line number two'));
      const f = follow();
      await until(() => f.lines.length === 2);
      await fs.truncate(log, 0);
      await new Promise((r) => setTimeout(r, 150));
      await fs.appendFile(log, rec(3, 'stdout', 'F', 'x'));
      await until(() => f.lines.length === 3);
      await f.stop();
      expect(texts(f.lines)).toEqual(['long line number one', 'long line number two', 'x']);
    });

    it('gives an unfinished line as partial after a moment, and its end as a line of its own', async () => {
      await fs.writeFile(log, rec(1, 'stdout', 'P', 'Password: '));
      const f = follow({ partialDelayMs: 50 });
      await until(() => f.lines.length === 1);
      expect(f.lines[0]).toEqual({ stream: 'stdout', time: at(1), text: 'Password: ', partial: true });
      await fs.appendFile(log, rec(2, 'stdout', 'F', 'secret'));
      await until(() => f.lines.length === 2);
      await f.stop();
      expect(f.lines[1]).toEqual({ stream: 'stdout', time: at(2), text: 'secret' });
    });

    it('does not hold the other stream back for long behind an unfinished line', async () => {
      await fs.writeFile(log, rec(1, 'stdout', 'P', 'prompt> '));
      const f = follow({ partialDelayMs: 100, pollMs: 20 });
      const t0 = Date.now();
      const writer = (async () => {
        for (let i = 0; i < 20; i++) {
          await fs.appendFile(log, rec(2 + i, 'stderr', 'F', `e${i}`));
          await new Promise((r) => setTimeout(r, 30));
        }
      })();
      await until(() => f.lines.length >= 3, 2000);
      expect(Date.now() - t0).toBeLessThan(500); // long before the writer is done (~600 ms)
      await writer;
      await until(() => f.lines.length === 21);
      await f.stop();
      expect(texts(f.lines)).toEqual(['prompt> …', ...Array.from({ length: 20 }, (_, i) => `E:e${i}`)]);
    });

    it('joins pieces that arrive together', async () => {
      await fs.writeFile(log, '');
      const f = follow({ partialDelayMs: 200 });
      await new Promise((r) => setTimeout(r, 60));
      await fs.appendFile(log, rec(1, 'stdout', 'P', 'x'.repeat(10)) + rec(1, 'stdout', 'P', 'y'.repeat(10)));
      await new Promise((r) => setTimeout(r, 60));
      await fs.appendFile(log, rec(1, 'stdout', 'F', 'z'));
      await until(() => f.lines.length === 1);
      await f.stop();
      expect(texts(f.lines)).toEqual([`${'x'.repeat(10)}${'y'.repeat(10)}z`]);
    });

    it('ends after reading what is left when stopWhen settles', async () => {
      await fs.writeFile(log, rec(1, 'stdout', 'F', 'a'));
      let exited!: () => void;
      const stopWhen = new Promise<void>((r) => (exited = r));
      const lines: LogLine[] = [];
      const done = (async () => {
        for await (const l of readLog(log, { follow: true, pollMs: 10_000, stopWhen })) lines.push(l);
      })();
      await until(() => lines.length === 1);
      await fs.appendFile(log, rec(2, 'stdout', 'F', 'last words') + rec(3, 'stdout', 'P', 'no newline'));
      exited();
      await done;
      expect(texts(lines)).toEqual(['a', 'last words', 'no newline…']);
    });

    it('ends when until passes', async () => {
      await fs.writeFile(log, rec(1, 'stdout', 'F', 'a'));
      const t0 = Date.now();
      const lines = await collect({ follow: true, pollMs: 20, until: new Date(Date.now() + 300).toISOString() });
      expect(texts(lines)).toEqual(['a']);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
      expect(Date.now() - t0).toBeLessThan(3000);
    });

    it('gives nothing for an already aborted signal', async () => {
      await fs.writeFile(log, SAMPLE);
      const ac = new AbortController();
      ac.abort();
      expect(await collect({ follow: true, signal: ac.signal })).toEqual([]);
    });
  });
});
