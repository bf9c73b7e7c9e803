/**
 * Stage: which compose files make the project, and where its directory is.
 *
 * Order of precedence (Docker Compose's): `-f` (repeatable, `-` = stdin), else
 * `COMPOSE_FILE` split by `COMPOSE_PATH_SEPARATOR` (default `:`), else the first
 * of compose.yaml / compose.yml / docker-compose.yml / docker-compose.yaml found
 * in the working directory or the nearest parent, plus the override file that
 * sits next to it.
 */
import path from 'node:path';
import { diagnostic, NotFoundError, type Diagnostic } from '../errors';

export const DEFAULT_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'] as const;
export const OVERRIDE_FILE_NAMES = [
  'compose.override.yaml',
  'compose.override.yml',
  'docker-compose.override.yml',
  'docker-compose.override.yaml',
] as const;

export const STDIN = '-';

export interface FileSystem {
  /** File contents, or undefined when there is no such file. */
  readFile(p: string): string | undefined;
  isFile(p: string): boolean;
}

export interface FileSelection {
  /** Absolute paths, or `-` for stdin. */
  readonly files: readonly string[];
  /** Warnings to show (e.g. several default names found in one directory). */
  readonly warnings: readonly Diagnostic[];
}

export interface FileSelectionInput {
  readonly workingDir: string;
  /** `-f` values, in order. */
  readonly files?: readonly string[];
  /** From the environment (shell over .env). */
  readonly composeFile?: string;
  readonly pathSeparator?: string;
  /** With --project-directory and no -f, discovery happens there. */
  readonly projectDirectory?: string;
  readonly fs: FileSystem;
}

export function selectFiles(input: FileSelectionInput): FileSelection {
  const abs = (f: string, base: string): string => (f === STDIN ? f : path.resolve(base, f));
  if (input.files && input.files.length > 0) {
    const files = input.files.map((f) => abs(f, input.workingDir));
    assertExist(files, input.fs);
    return { files, warnings: [] };
  }
  if (input.composeFile) {
    const sep = input.pathSeparator || path.delimiter;
    const base = input.projectDirectory ? path.resolve(input.workingDir, input.projectDirectory) : input.workingDir;
    const files = input.composeFile.split(sep).filter((f) => f !== '').map((f) => abs(f, base));
    assertExist(files, input.fs);
    return { files, warnings: [] };
  }
  const start = input.projectDirectory ? path.resolve(input.workingDir, input.projectDirectory) : input.workingDir;
  return discover(start, input.fs);
}

function assertExist(files: readonly string[], fs: FileSystem): void {
  const missing = files.filter((f) => f !== STDIN && !fs.isFile(f));
  if (missing.length > 0) {
    throw new NotFoundError(missing.map((f) => `${f}: no such compose file`).join('\n'));
  }
}

function discover(start: string, fs: FileSystem): FileSelection {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const found = DEFAULT_FILE_NAMES.map((n) => path.join(dir, n)).filter((p) => fs.isFile(p));
    if (found.length > 0) {
      const warnings: Diagnostic[] = [];
      if (found.length > 1) {
        warnings.push(
          diagnostic(undefined, '', `found several compose files (${found.map((f) => path.basename(f)).join(', ')}); using ${path.basename(found[0])}`, dir),
        );
      }
      const overrides = OVERRIDE_FILE_NAMES.map((n) => path.join(dir, n)).filter((p) => fs.isFile(p));
      if (overrides.length > 1) {
        warnings.push(
          diagnostic(undefined, '', `found several override files (${overrides.map((f) => path.basename(f)).join(', ')}); using ${path.basename(overrides[0])}`, dir),
        );
      }
      return { files: overrides.length > 0 ? [found[0], overrides[0]] : [found[0]], warnings };
    }
    if (path.dirname(dir) === dir) break;
  }
  throw new NotFoundError(
    `no compose file found in ${start} or any parent directory (looked for ${DEFAULT_FILE_NAMES.join(', ')}); name one with -f`,
  );
}

/**
 * The project directory: `--project-directory`, else the directory of the
 * first file, else (stdin) the working directory.
 */
export function projectDirectoryOf(input: { workingDir: string; projectDirectory?: string; files: readonly string[] }): string {
  if (input.projectDirectory) return path.resolve(input.workingDir, input.projectDirectory);
  const first = input.files.find((f) => f !== STDIN);
  return first && input.files[0] !== STDIN ? path.dirname(first) : input.workingDir;
}
