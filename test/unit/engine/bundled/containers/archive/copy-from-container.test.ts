import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyFromContainer } from '../../../../../../src/engine/bundled/containers/archive/copy-from-container';
import { InvalidArgumentError, ObjectNotFoundError } from '../../../../../../src/engine/errors';
import { type CopySandbox, makeCopySandbox, tarEntries } from './copy-sandbox';

const T = 1_600_000_000;

describe('copyFromContainer (Docker’s archive GET)', () => {
  let box: CopySandbox;
  beforeEach(() => {
    box = makeCopySandbox();
    const r = (p: string): string => path.join(box.root, p);
    fs.mkdirSync(r('etc/conf.d'), { recursive: true });
    fs.writeFileSync(r('etc/hostname'), 'box\n', { mode: 0o640 });
    fs.writeFileSync(r('etc/conf.d/b'), 'b\n');
    fs.writeFileSync(r('etc/conf.d/a'), 'a\n', { mode: 0o4755 });
    fs.chmodSync(r('etc/conf.d/a'), 0o4755);
    fs.linkSync(r('etc/conf.d/a'), r('etc/conf.d/a-again'));
    fs.symlinkSync('/etc/hostname', r('etc/conf.d/link'));
    fs.symlinkSync('/etc', r('etc-link'));
    fs.symlinkSync(box.host, r('to-host')); // means /<host path> inside: missing
    fs.symlinkSync('/', r('to-root'));
    expect(spawnSync('mkfifo', [r('fifo')]).status).toBe(0);
    for (const p of ['etc/hostname', 'etc/conf.d/b', 'etc/conf.d/a', 'etc/conf.d', 'etc']) fs.utimesSync(r(p), T, T);
  });
  afterEach(() => box.remove());

  const names = async (p: string): Promise<string[]> => (await tarEntries(await copyFromContainer(box.open(), p, 'ctr'))).map((e) => e.name);

  it('a file: one entry named by its base name, with mode, owner, time and content', async () => {
    const root = box.open();
    const entries = await tarEntries(await copyFromContainer(root, '/etc/hostname', 'ctr'));
    expect(entries).toHaveLength(1);
    const st = fs.statSync(path.join(box.root, 'etc/hostname'));
    expect(entries[0]).toMatchObject({ name: 'hostname', type: 'file', mode: 0o640, uid: st.uid, gid: st.gid, mtime: T });
    expect(entries[0]?.content.toString()).toBe('box\n');
    expect(root.released()).toBe(1);
  });

  it('a directory: its base name on top, then everything under it in name order; hard links and symlinks kept', async () => {
    const entries = await tarEntries(await copyFromContainer(box.open(), '/etc', 'ctr'));
    expect(entries.map((e) => [e.name, e.type])).toEqual([
      ['etc/', 'dir'],
      ['etc/conf.d/', 'dir'],
      ['etc/conf.d/a', 'file'],
      ['etc/conf.d/a-again', 'hardlink'],
      ['etc/conf.d/b', 'file'],
      ['etc/conf.d/link', 'symlink'],
      ['etc/hostname', 'file'],
    ]);
    expect(entries[2]?.mode).toBe(0o4755);
    expect(entries[3]?.linkname).toBe('etc/conf.d/a');
    expect(entries[5]?.linkname).toBe('/etc/hostname');
  });

  it('`dir/.` gives the contents only; `/` gives names starting with "/"', async () => {
    expect(await names('/etc/conf.d/.')).toEqual(['./', './a', './a-again', './b', './link']);
    const all = await names('/');
    expect(all[0]).toBe('/');
    expect(all).toContain('/etc/hostname');
    expect(all).toContain('/etc-link');
  });

  it('a symlink in the last component is archived as a symlink; with a trailing slash it is followed (named as asked)', async () => {
    const link = await tarEntries(await copyFromContainer(box.open(), '/etc-link', 'ctr'));
    expect(link.map((e) => [e.name, e.type, e.linkname])).toEqual([['etc-link', 'symlink', '/etc']]);
    const followed = await names('/etc-link/');
    expect(followed.slice(0, 3)).toEqual(['etc-link/', 'etc-link/conf.d/', 'etc-link/conf.d/a']);
    // symlinks in the middle are resolved inside the container's root
    expect(await names('/to-root/etc/hostname')).toEqual(['hostname']);
  });

  it('a symlink to a host path does not reach the host', async () => {
    await expect(copyFromContainer(box.open(), '/to-host/secret', 'ctr')).rejects.toThrow(ObjectNotFoundError);
    const entries = await tarEntries(await copyFromContainer(box.open(), '/to-host', 'ctr'));
    expect(entries.map((e) => e.type)).toEqual(['symlink']);
  });

  it('a FIFO is a header (never opened), and the archive still ends', async () => {
    const entries = await tarEntries(await copyFromContainer(box.open(), '/fifo', 'ctr'));
    expect(entries.map((e) => [e.name, e.type])).toEqual([['fifo', 'fifo']]);
  });

  it('a missing path: Docker’s "Could not find the file"; a file with a trailing slash: not a directory', async () => {
    const root = box.open();
    await expect(copyFromContainer(root, '/nope', 'ctr')).rejects.toThrow(new ObjectNotFoundError('Could not find the file /nope in container ctr'));
    expect(root.released()).toBe(1);
    await expect(copyFromContainer(box.open(), '/etc/nope/x', 'ctr')).rejects.toThrow(ObjectNotFoundError);
    await expect(copyFromContainer(box.open(), '/etc/hostname/x', 'ctr')).rejects.toThrow(ObjectNotFoundError);
    await expect(copyFromContainer(box.open(), '/etc/hostname/', 'ctr')).rejects.toThrow(InvalidArgumentError);
  });

  it('maps a stopped container’s binds inside the tree', async () => {
    const src = path.join(box.dir, 'src');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'from-host'), 'bound\n');
    const hostname = path.join(box.dir, 'hostname');
    fs.writeFileSync(hostname, 'engine-written\n');
    const entries = await tarEntries(
      await copyFromContainer(
        box.open([
          { target: '/etc/conf.d', source: src },
          { target: '/etc/hostname', source: hostname },
        ]),
        '/etc',
        'ctr',
      ),
    );
    expect(entries.map((e) => e.name)).toEqual(['etc/', 'etc/conf.d/', 'etc/conf.d/from-host', 'etc/hostname']);
    expect(entries[3]?.content.toString()).toBe('engine-written\n');
  });

  it('streams: a big file comes in chunks as the consumer reads, and a stream destroyed early releases the root', async () => {
    const big = Buffer.alloc(8 << 20, 7);
    fs.writeFileSync(path.join(box.root, 'big'), big);
    const root = box.open();
    const stream = await copyFromContainer(root, '/big', 'ctr');
    let chunks = 0;
    let largest = 0;
    let total = 0;
    for await (const chunk of stream) {
      chunks++;
      largest = Math.max(largest, (chunk as Buffer).length);
      total += (chunk as Buffer).length;
    }
    expect(total).toBe(512 + big.length + 1024);
    expect(largest).toBeLessThanOrEqual(64 * 1024);
    expect(chunks).toBeGreaterThan(100);
    expect(root.released()).toBe(1);

    const early = box.open();
    const unread = (await copyFromContainer(early, '/big', 'ctr')) as NodeJS.ReadableStream & { destroy(): void };
    unread.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(early.released()).toBe(1);
  });

  it('a file that grows or shrinks while read keeps the size its header announced', async () => {
    fs.writeFileSync(path.join(box.root, 'changing'), Buffer.alloc(300_000, 1));
    const stream = await copyFromContainer(box.open(), '/changing', 'ctr');
    const it = stream[Symbol.asyncIterator]();
    const first = await it.next(); // the header (and maybe more) is out
    fs.truncateSync(path.join(box.root, 'changing'), 1000);
    const parts: Buffer[] = [first.value as Buffer];
    for (let n = await it.next(); !n.done; n = await it.next()) parts.push(n.value as Buffer);
    const tar = Buffer.concat(parts);
    const entries = await tarEntries((await import('node:stream')).Readable.from([tar]));
    expect(entries[0]?.size).toBe(300_000);
    expect(entries[0]?.content.length).toBe(300_000);
    expect(entries[0]?.content.subarray(200_000).every((b) => b === 0)).toBe(true); // padded after the cut

    fs.writeFileSync(path.join(box.root, 'growing'), Buffer.alloc(1000, 1));
    const growing = await copyFromContainer(box.open(), '/growing', 'ctr');
    const gi = growing[Symbol.asyncIterator]();
    const head = await gi.next();
    fs.appendFileSync(path.join(box.root, 'growing'), Buffer.alloc(100_000, 2));
    const rest: Buffer[] = [head.value as Buffer];
    for (let n = await gi.next(); !n.done; n = await gi.next()) rest.push(n.value as Buffer);
    const grown = await tarEntries((await import('node:stream')).Readable.from([Buffer.concat(rest)]));
    expect(grown.map((e) => e.size)).toEqual([1000]);
  });
});
