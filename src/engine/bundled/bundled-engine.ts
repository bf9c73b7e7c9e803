/**
 * The bundled engine, assembled: the image store, the OCI runtime found on this host, the
 * container backend (overlayfs + runtime + conmon) and the container manager over them.
 * What the engine daemon serves; tests open one in-process on temporary directories.
 */
import * as path from 'node:path';
import type {
  ContainerFilter,
  ContainerInfo,
  ContainerSpec,
  ContainerStats,
  ExecOptions,
  ExecResult,
  LogLine,
  LogOptions,
  ProcessList,
} from '../containers';
import type { ImageInfo, PullOptions, RemovedImage } from '../engine';
import type { EngineEvent, EventFilter } from '../events';
import { VERSION } from '../../version';
import { BundledBackend } from './containers/bundled-backend';
import { imageResolver } from './containers/image-resolver';
import { ContainerManager } from './containers/manager/container-manager';
import { detectRuntime, type RuntimeInfo } from './containers/runtime/detect';
import type { DaemonEngine, EngineStatus } from './daemon/daemon-engine';
import { openImageStore, type Environment, type OpenedImageStore } from './images/open-image-store';
import type { RegistryConfig } from './images/registry/config';

export interface BundledEngineOptions {
  readonly env: Environment;
  /** TSCOMPOSE_ROOT. */
  readonly root: string;
  /** TSCOMPOSE_RUN. */
  readonly run: string;
  /** Parent cgroup of the containers (default `/tscompose`; tests use their own to find leftovers). */
  readonly cgroupParent?: string;
  /** Default: from `<root>/engine.json` and the environment. */
  readonly registryConfig?: RegistryConfig;
  readonly onWarning?: (message: string) => void;
}

/** Debian's statically linked tini: images may have no libc for a dynamic one. */
const INIT = '/usr/bin/tini-static';

export class BundledEngine implements DaemonEngine {
  private constructor(
    private readonly options: BundledEngineOptions,
    private readonly images: OpenedImageStore,
    private readonly manager: ContainerManager,
    readonly runtime: RuntimeInfo,
  ) {}

  static async open(options: BundledEngineOptions): Promise<BundledEngine> {
    const runtime = await detectRuntime({ env: options.env, workDir: path.join(options.run, 'probe') });
    let manager: ContainerManager | undefined;
    const images = openImageStore({
      env: options.env,
      root: options.root,
      ...(options.registryConfig ? { registryConfig: options.registryConfig } : {}),
      usedBy: (imageId) => manager?.imageUsers(imageId) ?? [],
    });
    const backend = new BundledBackend({
      root: options.root,
      run: options.run,
      runtime,
      initPath: INIT,
      ...(options.cgroupParent ? { cgroupParent: options.cgroupParent } : {}),
    });
    await backend.init();
    manager = new ContainerManager({
      root: options.root,
      backend,
      images: imageResolver(images.store),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    });
    await manager.init();
    return new BundledEngine(options, images, manager, runtime);
  }

  status(): EngineStatus {
    const counts = this.manager.counts();
    return {
      pid: process.pid,
      root: this.options.root,
      run: this.options.run,
      runtime: { name: this.runtime.name, path: this.runtime.path, version: this.runtime.version },
      version: VERSION,
      containers: counts,
    };
  }

  async shutdown(): Promise<void> {
    await this.manager.shutdown();
    this.images.close();
  }

  // images
  pullImage(ref: string, options?: PullOptions): Promise<ImageInfo> {
    return this.images.store.pullImage(ref, options);
  }
  inspectImage(ref: string): Promise<ImageInfo> {
    return this.images.store.inspectImage(ref);
  }
  listImages(): Promise<ImageInfo[]> {
    return this.images.store.listImages();
  }
  removeImage(ref: string, options?: { readonly force?: boolean }): Promise<RemovedImage> {
    return this.images.store.removeImage(ref, options);
  }
  loadImages(tar: NodeJS.ReadableStream): Promise<ImageInfo[]> {
    return this.images.store.loadImages(tar);
  }
  saveImages(refs: readonly string[], out: NodeJS.WritableStream): Promise<void> {
    return this.images.store.saveImages(refs, out);
  }

  // containers
  createContainer(spec: ContainerSpec): Promise<ContainerInfo> {
    return this.manager.createContainer(spec);
  }
  startContainer(idOrName: string): Promise<void> {
    return this.manager.startContainer(idOrName);
  }
  stopContainer(idOrName: string, options?: { readonly timeoutSeconds?: number }): Promise<void> {
    return this.manager.stopContainer(idOrName, options);
  }
  killContainer(idOrName: string, signal?: string): Promise<void> {
    return this.manager.killContainer(idOrName, signal);
  }
  restartContainer(idOrName: string, options?: { readonly timeoutSeconds?: number }): Promise<void> {
    return this.manager.restartContainer(idOrName, options);
  }
  pauseContainer(idOrName: string): Promise<void> {
    return this.manager.pauseContainer(idOrName);
  }
  unpauseContainer(idOrName: string): Promise<void> {
    return this.manager.unpauseContainer(idOrName);
  }
  removeContainer(idOrName: string, options?: { readonly force?: boolean; readonly volumes?: boolean }): Promise<void> {
    return this.manager.removeContainer(idOrName, options);
  }
  renameContainer(idOrName: string, newName: string): Promise<void> {
    return this.manager.renameContainer(idOrName, newName);
  }
  inspectContainer(idOrName: string): Promise<ContainerInfo> {
    return this.manager.inspectContainer(idOrName);
  }
  listContainers(filter?: ContainerFilter): Promise<ContainerInfo[]> {
    return this.manager.listContainers(filter);
  }
  waitContainer(
    idOrName: string,
    options?: { readonly condition?: 'not-running' | 'next-exit' | 'removed'; readonly signal?: AbortSignal },
  ): Promise<{ readonly exitCode: number }> {
    return this.manager.waitContainer(idOrName, options);
  }
  containerLogs(idOrName: string, options?: LogOptions): AsyncIterable<LogLine> {
    return this.manager.containerLogs(idOrName, options);
  }
  exec(idOrName: string, options: ExecOptions): Promise<ExecResult> {
    return this.manager.exec(idOrName, options);
  }
  stats(idOrName: string): Promise<ContainerStats> {
    return this.manager.stats(idOrName);
  }
  top(idOrName: string, psArgs?: readonly string[]): Promise<ProcessList> {
    return this.manager.top(idOrName, psArgs);
  }
  copyFrom(idOrName: string, containerPath: string): Promise<NodeJS.ReadableStream> {
    return this.manager.copyFrom(idOrName, containerPath);
  }
  copyTo(idOrName: string, containerPath: string, tar: NodeJS.ReadableStream): Promise<void> {
    return this.manager.copyTo(idOrName, containerPath, tar);
  }
  events(filter?: EventFilter): AsyncIterable<EngineEvent> {
    return this.manager.events(filter);
  }
}
