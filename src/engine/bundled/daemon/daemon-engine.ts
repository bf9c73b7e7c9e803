/** What the engine daemon serves: the engine's operations plus its status and a way to shut it down. */
import type { ContainerStore } from '../../containers';
import type { ImageStore } from '../../engine';
import type { EventSource } from '../../events';
import type { Environment } from '../images/open-image-store';

/** `tscompose engine status --format json` prints exactly these keys. */
export interface EngineStatus {
  /** The daemon's process ID. */
  readonly pid: number;
  /** The engine root (`TSCOMPOSE_ROOT`). */
  readonly root: string;
  /** The engine's run directory (`TSCOMPOSE_RUN`), where its socket is. */
  readonly run: string;
  /** The OCI runtime containers run with; null while the engine has none. */
  readonly runtime: { readonly name: string; readonly path: string; readonly version: string } | null;
  /** The tscompose version of the daemon. */
  readonly version: string;
  readonly containers: { readonly total: number; readonly running: number; readonly paused: number; readonly stopped: number };
}

export interface DaemonEngine extends ContainerStore, ImageStore, EventSource {
  status(): EngineStatus | Promise<EngineStatus>;
  /** Releases what the engine holds. Containers keep running: they live under their monitors. */
  shutdown(): Promise<void>;
}

/** What the daemon hands the function that makes its engine. */
export interface EngineContext {
  readonly env: Environment;
  /** The engine root (`TSCOMPOSE_ROOT`). */
  readonly root: string;
  /** The run directory (`TSCOMPOSE_RUN`). */
  readonly run: string;
}
