/**
 * What the engine keeps about one container, on disk as `<root>/containers/<id>/record.json`
 * (written atomically), so that a restarted engine knows every container and its state.
 */
import type { ContainerSpec, HealthState, PublishedPort } from '../../../containers';
import type { ImageConfig } from '../../../engine';

export interface RecordState {
  readonly status: 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead';
  readonly pid: number;
  /** The monitor (conmon) owning the container's stdio and exit code. */
  readonly monitorPid: number;
  readonly exitCode: number;
  readonly oomKilled: boolean;
  readonly error?: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** Set by an explicit stop or kill, cleared by an explicit start (restart policies read it). */
  readonly manuallyStopped: boolean;
  /** Restarts done by the restart policy since the last explicit start. */
  readonly restartCount: number;
  /** The back-off delay used for the last policy restart. */
  readonly lastRestartDelayMs: number;
  readonly health?: HealthState;
}

export interface ContainerRecord {
  readonly id: string;
  readonly name: string;
  readonly spec: ContainerSpec;
  /** The image ID (`sha256:…`) and its config, fixed at create time as Docker does. */
  readonly imageId: string;
  readonly imageConfig: ImageConfig;
  /** Layer directories of the image, lowest first. */
  readonly layerDirs: readonly string[];
  readonly created: string;
  readonly state: RecordState;
  readonly ports: readonly PublishedPort[];
}

export const NEW_STATE: RecordState = {
  status: 'created',
  pid: 0,
  monitorPid: 0,
  exitCode: 0,
  oomKilled: false,
  manuallyStopped: false,
  restartCount: 0,
  lastRestartDelayMs: 0,
};
