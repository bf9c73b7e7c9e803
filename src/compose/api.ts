/**
 * The Compose API: one method and one options type per verb (DESIGN habit 1).
 * CLI commands only turn argv into these options and call a method.
 */
import { renderProjectConfig, type ConfigOptions } from './config';
import type { Diagnostic } from './errors';
import { loadProject, type LoadOptions, type LoadResult } from './loader';

/** Which project to act on: everything the loader needs but the caller's environment. */
export type ProjectOptions = Omit<LoadOptions, 'workingDir' | 'env' | 'fs' | 'readStdin'>;

export interface ComposeContext {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readStdin?: () => string;
  /** Warnings (obsolete keys, unset variables …) are handed here as they are found. */
  readonly warn: (d: Diagnostic) => void;
}

export interface ConfigResult {
  readonly output: string;
}

export class Compose {
  constructor(private readonly ctx: ComposeContext) {}

  load(project: ProjectOptions): LoadResult {
    return loadProject({ ...project, workingDir: this.ctx.cwd, env: this.ctx.env, readStdin: this.ctx.readStdin, onWarning: this.ctx.warn });
  }

  config(project: ProjectOptions, options: ConfigOptions): ConfigResult {
    const result = this.load(project);
    return { output: renderProjectConfig(result, { escapeDollars: project.interpolate !== false, ...options }) };
  }
}
