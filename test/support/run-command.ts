/**
 * Runs a program to completion and collects what it printed, for the test harnesses and
 * benches: the engine's own runProgram (never rejects for a non-zero exit; rejects when the
 * program cannot be started or outlives its timeout, then killed by its PID), with the longer
 * default timeout a harness needs (pulls, whole CLI runs).
 */
import { type ProgramResult, runProgram, type RunProgramOptions } from '../../src/engine/bundled/containers/runtime/run-program';

export type CommandResult = ProgramResult;

export interface RunCommandOptions extends RunProgramOptions {
  /** Default 5 minutes. */
  readonly timeoutMs?: number;
}

export function runCommand(command: string, args: readonly string[], options: RunCommandOptions = {}): Promise<CommandResult> {
  return runProgram(command, args, { ...options, timeoutMs: options.timeoutMs ?? 300_000 });
}
