/**
 * A temporary sandbox for the copy tests: `<dir>/root` plays a container's root file system,
 * `<dir>/host` holds decoys a breakout would touch (a secret, a directory). `open()` gives a
 * ContainerRoot over `root` (and counts its releases); `tarEntries` reads an archive back with
 * the engine's own tar reader.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ContainerRoot } from '../../../../../../src/engine/bundled/containers/archive/container-root';
import { RootFs } from '../../../../../../src/engine/bundled/containers/archive/root-fs';
import { ByteSource } from '../../../../../../src/engine/bundled/images/unpack/byte-source';
import { readTar, type TarEntry } from '../../../../../../src/engine/bundled/images/unpack/tar-reader';

export interface CopySandbox {
  readonly dir: string;
  readonly root: string;
  readonly host: string;
  /** A ContainerRoot over `root`, with these container paths mapped to host paths (a stopped container's binds). */
  open(binds?: ReadonlyArray<{ target: string; source: string }>): ContainerRoot & { released(): number };
  /** Every path under `host`, with type and content or link target: a breakout changes it. */
  hostSnapshot(): string[];
  remove(): void;
}

export function makeCopySandbox(): CopySandbox {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-copy-')));
  const root = path.join(dir, 'root');
  const host = path.join(dir, 'host');
  fs.mkdirSync(root);
  fs.mkdirSync(path.join(host, 'victim'), { recursive: true });
  fs.writeFileSync(path.join(host, 'secret'), 'the host secret\n', { mode: 0o600 });
  fs.writeFileSync(path.join(host, 'victim', 'file'), 'victim file\n');
  return {
    dir,
    root,
    host,
    open(binds = []) {
      const rootFs = new RootFs(fs.openSync(root, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY));
      for (const b of binds) rootFs.addMount(b.target, b.source);
      let count = 0;
      return {
        fs: rootFs,
        release: async () => {
          count++;
          rootFs.close();
        },
        released: () => count,
      };
    },
    hostSnapshot: () => snapshot(host),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

function snapshot(top: string): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const st = fs.lstatSync(p);
    const rel = path.relative(top, p) || '.';
    if (st.isDirectory()) {
      out.push(`${rel}/ ${(st.mode & 0o7777).toString(8)} ${st.mtimeMs}`);
      for (const n of fs.readdirSync(p).sort()) walk(path.join(p, n));
    } else if (st.isSymbolicLink()) out.push(`${rel} -> ${fs.readlinkSync(p)}`);
    else out.push(`${rel} ${(st.mode & 0o7777).toString(8)} ${st.mtimeMs} ${fs.readFileSync(p, 'utf8')}`);
  };
  walk(top);
  return out;
}

export interface ReadEntry extends Omit<TarEntry, 'body'> {
  readonly content: Buffer;
}

/** The entries of a tar stream, contents read. */
export async function tarEntries(stream: NodeJS.ReadableStream): Promise<ReadEntry[]> {
  const source = new ByteSource(stream[Symbol.asyncIterator](), () => undefined);
  const out: ReadEntry[] = [];
  for await (const entry of readTar(source)) {
    const parts: Buffer[] = [];
    for await (const piece of entry.body) parts.push(piece);
    const { body: _body, ...rest } = entry;
    out.push({ ...rest, content: Buffer.concat(parts) });
  }
  await source.drain();
  return out;
}

export const isRoot = process.getuid?.() === 0;
