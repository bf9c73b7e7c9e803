/**
 * Flushes the file system holding `dir` to disk (syncfs(2), through coreutils' `sync -f`,
 * as Node has no binding for it): one call makes a whole unpacked layer durable, far cheaper
 * than an fsync per file. Falls back to a plain `sync` where `sync -f` is not understood.
 */
import { execFile } from 'node:child_process';

export function syncFilesystem(dir: string): Promise<void> {
  return run('sync', ['-f', dir]).catch(() => run('sync', []));
}

function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, [...args], { timeout: 120_000 }, (err) => (err ? reject(err) : resolve()));
  });
}
