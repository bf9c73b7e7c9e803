/**
 * Node cannot make device nodes or FIFOs, so this runs coreutils' `mknod` on one name in an
 * open directory: the directory goes to the child as its descriptor 3, and the child names
 * the node `/proc/self/fd/3/<name>` — the same directory, however its path changed. mknod(2)
 * never follows a symlink in the last component, and `-m` sets the mode at creation (coreutils
 * applies it with lchmod, never through a link).
 */
import { spawn } from 'node:child_process';
import { EngineError } from '../../../errors';

export async function makeNode(dirFd: number, name: string, kind: 'c' | 'b' | 'p', mode: number, major = 0, minor = 0): Promise<void> {
  const args = ['-m', (mode & 0o7777).toString(8), '--', `/proc/self/fd/3/${name}`, kind];
  if (kind !== 'p') args.push(String(major), String(minor));
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn('mknod', args, { stdio: ['ignore', 'ignore', 'pipe', dirFd] });
    let text = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      if (text.length < 4096) text += chunk;
    });
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new EngineError('mknod is not installed (Debian package coreutils); it is needed to copy device nodes and FIFOs') : err),
    );
    child.on('close', (exitCode) => resolve({ code: exitCode, stderr: text.trim() }));
  });
  if (code !== 0) throw new EngineError(stderr.replace(/\/proc\/self\/fd\/3\//g, '') || `mknod exited with ${code}`);
}
