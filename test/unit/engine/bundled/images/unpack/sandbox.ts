/**
 * A temporary sandbox for extraction tests: `<sandbox>/target` is the layer directory, and
 * the rest of the sandbox holds decoys (`secret`, `victim/…`) that a breakout would touch.
 * `snapshot()` records everything outside the target (type, mode, owner, size, times, link
 * target, content, link count, extended attributes) so a test can assert nothing changed.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

export interface Sandbox {
  readonly dir: string;
  readonly target: string;
  /** Everything in the sandbox except the target, as comparable text lines. */
  snapshot(): string[];
  remove(): void;
}

export function makeSandbox(): Sandbox {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-unpack-')));
  const target = path.join(dir, 'target');
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(dir, 'secret'), 'the host secret\n', { mode: 0o600 });
  fs.mkdirSync(path.join(dir, 'victim'), { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'victim', 'file'), 'victim file\n', { mode: 0o644 });
  fs.mkdirSync(path.join(dir, 'victim', 'sub'), { mode: 0o700 });
  fs.chmodSync(path.join(dir, 'victim', 'sub'), 0o700);
  fs.mkdirSync(path.join(dir, 'etc'));
  fs.writeFileSync(path.join(dir, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
  // Old times, so that a touch shows.
  for (const p of ['secret', 'victim/file', 'victim/sub', 'victim', 'etc/passwd', 'etc']) {
    fs.utimesSync(path.join(dir, p), 1_000_000_000, 1_000_000_000);
  }
  return {
    dir,
    target,
    snapshot: () => snapshotTree(dir, new Set([target])),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export function snapshotTree(root: string, exclude: ReadonlySet<string> = new Set()): string[] {
  const lines: string[] = [];
  const visit = (p: string): void => {
    if (exclude.has(p)) return;
    const st = fs.lstatSync(p);
    const rel = path.relative(root, p) || '.';
    let detail = '';
    if (st.isSymbolicLink()) detail = `-> ${fs.readlinkSync(p)}`;
    else if (st.isFile()) detail = `sha256=${createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`;
    else if (st.isCharacterDevice() || st.isBlockDevice()) detail = `rdev=${st.rdev}`;
    lines.push(
      `${rel} mode=${st.mode.toString(8)} uid=${st.uid} gid=${st.gid} size=${st.isDirectory() ? '-' : st.size} nlink=${st.isDirectory() ? '-' : st.nlink} mtime=${st.mtimeMs} ${detail} ${xattrs(p)}`,
    );
    if (st.isDirectory()) for (const name of fs.readdirSync(p).sort()) visit(path.join(p, name));
  };
  visit(root);
  return lines;
}

/** The extended attributes of `p` itself (getfattr -h), or '' when getfattr is missing. */
export function xattrs(p: string): string {
  const r = spawnSync('getfattr', ['-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', '--', p], { encoding: 'utf8' });
  if (r.error) return '';
  return r.stdout
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .join(',');
}
