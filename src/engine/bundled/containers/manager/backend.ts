/**
 * What the container manager needs from the machine: run a container under its monitor,
 * signal it, clean up after it, and reach into it. The bundled engine's implementation
 * (bundled-backend.ts) does it with overlayfs, an OCI runtime and conmon; unit tests use a
 * fake. The manager owns the state machine, the backend owns the mechanics.
 */
import type { ContainerSpec, ContainerStats, ExecOptions, ExecResult, LogLine, LogOptions, ProcessList } from '../../../containers';
import type { ImageConfig } from '../../../engine';
import type { ContainerRecord } from './record';

export interface Running {
  readonly pid: number;
  readonly monitorPid: number;
}

export interface ContainerBackend {
  /** Refuses, before anything is created, a spec this backend can never run (impossible resources, bad sysctls …). */
  validate(spec: ContainerSpec): void;
  /** Prepares the root file system and bundle, and starts the container under its monitor. Leaves nothing behind on failure. */
  run(record: ContainerRecord): Promise<Running>;
  /** Sends `signal` (name or number) to the main process, or to every process with `all`. */
  signal(record: ContainerRecord, signal: string, all?: boolean): Promise<void>;
  pause(record: ContainerRecord): Promise<void>;
  resume(record: ContainerRecord): Promise<void>;
  /** After an exit: the runtime's state and the root mount go. Idempotent. */
  cleanup(record: ContainerRecord): Promise<void>;
  /** Everything the container has on disk and in the run dir. Idempotent; the record directory is the manager's. */
  destroy(record: ContainerRecord): Promise<void>;
  /** The live main process, when the container is running (or paused) — for re-adoption at engine start. */
  alive(record: ContainerRecord): Promise<Running | undefined>;
  /** The exit code the monitor recorded, if it has. */
  exitCode(record: ContainerRecord): Promise<number | undefined>;
  /** Whether the last exit was the kernel's OOM killer. */
  oomKilled(record: ContainerRecord): Promise<boolean>;
  /** Calls `onExit` for each container exit the monitors report (and the ones reported while nobody watched). */
  watchExits(onExit: (id: string, exitCode: number) => void): { close(): void };
  exec(record: ContainerRecord, options: ExecOptions): Promise<ExecResult>;
  /** The log; a follow ends once `stopWhen` settles (after reading what is left). */
  logs(record: ContainerRecord, options: LogOptions, stopWhen: PromiseLike<unknown>): AsyncIterable<LogLine>;
  stats(record: ContainerRecord): Promise<ContainerStats>;
  top(record: ContainerRecord, psArgs: readonly string[]): Promise<ProcessList>;
  copyFrom(record: ContainerRecord, path: string): Promise<NodeJS.ReadableStream>;
  copyTo(record: ContainerRecord, path: string, tar: NodeJS.ReadableStream): Promise<void>;
}

/** Resolves an image reference to what a container is created from. */
export interface ImageResolver {
  resolve(ref: string): Promise<{ readonly id: string; readonly config: ImageConfig; readonly layerDirs: readonly string[] }>;
}
