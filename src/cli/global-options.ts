/** The options every command accepts, and how they become loader options. */
import type { LoadOptions } from '../compose/loader';

export interface GlobalOptions {
  readonly file?: string[];
  readonly projectName?: string;
  readonly projectDirectory?: string;
  readonly envFile?: string[];
  readonly profile?: string[];
  readonly progress?: string;
  readonly ansi?: string;
  readonly verbose?: boolean;
}

export interface Invocation {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function loadOptionsFrom(g: GlobalOptions, inv: Invocation, extra: Partial<LoadOptions> = {}): LoadOptions {
  return {
    workingDir: inv.cwd,
    env: inv.env,
    files: g.file,
    projectName: g.projectName,
    projectDirectory: g.projectDirectory,
    envFiles: g.envFile,
    profiles: g.profile,
    ...extra,
  };
}

/** commander collector for repeatable options. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
