/**
 * A command that ends with another exit code than 0 without an error message of its own
 * (`run` and `exec` pass the container's or process's exit code through). It is a
 * CommanderError because main.ts already turns those into their exit code silently.
 */
import { CommanderError } from 'commander';

export class ExitCode extends CommanderError {
  constructor(code: number) {
    super(code, 'tscompose.exitCode', `exit code ${code}`);
  }
}
