import { spawn } from 'node:child_process';
import { LayerError } from './layer-error';

/**
 * Node can make neither device nodes nor extended attributes, so the few layer entries that
 * need them go through Debian's command-line tools: `mknod` (coreutils) and `setfattr`
 * (attr). Paths passed are absolute, so no name can be read as an option.
 */

interface RunResult {
  readonly code: number | null;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], input: string | undefined, packageName: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      if (stderr.length < 65536) stderr += text;
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new LayerError(`${command} is not installed (Debian package ${packageName}); it is needed to extract this layer`)
          : err,
      );
    });
    child.on('close', (code) => resolve({ code, stderr: stderr.trim() }));
    if (input !== undefined) {
      child.stdin!.on('error', () => undefined); // a dead child is reported by its exit status
      child.stdin!.end(input);
    }
  });
}

/** Makes a FIFO (`p`) or a character / block device node at `path` (absolute), mode 0600. */
export async function mknod(path: string, kind: 'c' | 'b' | 'p', major = 0, minor = 0): Promise<void> {
  const args = ['-m', '600', '--', path, kind];
  if (kind !== 'p') args.push(String(major), String(minor));
  const { code, stderr } = await run('mknod', args, undefined, 'coreutils');
  if (code !== 0) throw new Error(stderr || `mknod exited with ${code}`);
}

export interface XattrItem {
  /** Absolute path; symlinks are not followed (the attribute goes on the link itself). */
  readonly path: string;
  readonly name: string;
  readonly value: Buffer;
}

/**
 * Sets extended attributes, all in one `setfattr --restore` run (not following symlinks).
 * Attributes the file system does not support are reported as warnings; any other failure
 * (permission, invalid value) fails the layer.
 */
export async function setXattrs(items: readonly XattrItem[]): Promise<string[]> {
  if (items.length === 0) return [];
  const byPath = new Map<string, XattrItem[]>();
  for (const item of items) {
    const list = byPath.get(item.path);
    if (list) list.push(item);
    else byPath.set(item.path, [item]);
  }
  let dump = '';
  for (const [path, list] of byPath) {
    dump += `# file: ${quote(path)}\n`;
    for (const item of list) dump += `${quote(item.name)}=0s${item.value.toString('base64')}\n`;
    dump += '\n';
  }
  const { code, stderr } = await run('setfattr', ['-h', '--restore=-'], dump, 'attr');
  if (code === 0) return [];
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  if (lines.length > 0 && lines.every((l) => /Operation not supported/.test(l))) {
    return lines.map((l) => `extended attribute not supported here, skipped: ${l}`);
  }
  throw new LayerError(`setting extended attributes failed: ${lines.slice(0, 5).join('; ') || `setfattr exited with ${code}`}`);
}

/** getfattr's dump quoting: bytes outside printable ASCII, `\` and `=` as `\ooo` octal. */
function quote(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte <= 0x20 || byte >= 0x7f || byte === 0x5c || byte === 0x3d) out += `\\${byte.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return out;
}
