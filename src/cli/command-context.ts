/** What every command gets: the Compose API, the chosen project and an output sink. */
import type { Compose, ProjectOptions } from '../compose/api';

export interface CommandContext {
  compose(): Compose;
  /** The project selected by the global options. */
  project(): ProjectOptions;
  stdout(text: string): void;
}
