/** What every command gets: the Compose API, the engine, the chosen project and output sinks. */
import type { Compose, ProjectOptions } from '../compose/api';
import type { ImageStore } from '../engine/engine';
import type { Terminal } from './output';

/** How progress is shown: redrawn in place, one line per change, JSON lines, or not at all. */
export type ProgressMode = 'tty' | 'plain' | 'json' | 'quiet';

/** An engine's image part, opened for one command; `close` releases its connections. */
export interface OpenedImages {
  readonly store: ImageStore;
  close(): void;
}

export interface CommandContext {
  compose(): Compose;
  /** The project selected by the global options. */
  project(): ProjectOptions;
  /** The engine's images (today the bundled engine, in this process). */
  images(): OpenedImages;
  /** `--progress`, with `auto` decided by whether stderr is a terminal. */
  progress(): ProgressMode;
  stdout(text: string): void;
  /** True when stdout is a terminal (binary output must not go there). */
  stdoutIsTTY(): boolean;
  /** Where progress, warnings and errors go. */
  stderr(): Terminal;
}
