/** What every command gets: the Compose API, the engine, the chosen project and output sinks. */
import type { Compose, ProjectOptions } from '../compose/api';
import type { ContainerStore } from '../engine/containers';
import type { ImageStore } from '../engine/engine';
import type { EventSource } from '../engine/events';
import type { Terminal } from './output';

/** How progress is shown: redrawn in place, one line per change, JSON lines, or not at all. */
export type ProgressMode = 'tty' | 'plain' | 'json' | 'quiet';

/** An engine's image part, opened for one command; `close` releases its connections. */
export interface OpenedImages {
  readonly store: ImageStore;
  close(): void;
}

/** The engine's containers (and the images they are made from), for one command; `close` releases its connections. */
export interface OpenedEngine extends ContainerStore, ImageStore, EventSource {
  close(): void;
}

export interface CommandContext {
  compose(): Compose;
  /** The project selected by the global options. */
  project(): ProjectOptions;
  /** The engine's images (today the bundled engine, in this process). */
  images(): OpenedImages;
  /** The engine's containers, through the engine daemon (started on demand). */
  containers(): Promise<OpenedEngine>;
  /** `--progress`, with `auto` decided by whether stderr is a terminal. */
  progress(): ProgressMode;
  stdout(text: string): void;
  /** True when stdout is a terminal (binary output must not go there). */
  stdoutIsTTY(): boolean;
  /** Where progress, warnings and errors go. */
  stderr(): Terminal;
}
