/**
 * The engine `tscompose engine serve` runs. For now: the bundled image store, and a container
 * part that is not there yet (every container operation and the event stream fail with
 * "containers are not available yet"). The integrator replaces this file when the container
 * manager (src/engine/bundled/containers/manager/) lands; nothing else needs to change.
 */
import type { ContainerStore } from '../../containers';
import { EngineError } from '../../errors';
import type { EventSource } from '../../events';
import { VERSION } from '../../../version';
import { openImageStore } from '../images/open-image-store';
import type { DaemonEngine, EngineContext, EngineStatus } from './daemon-engine';

export function createBundledEngine(context: EngineContext): DaemonEngine {
  const images = openImageStore({ env: context.env, root: context.root });
  const unavailable = (): never => {
    throw new EngineError('containers are not available yet');
  };
  const containers: ContainerStore & EventSource = {
    createContainer: async () => unavailable(),
    startContainer: async () => unavailable(),
    stopContainer: async () => unavailable(),
    killContainer: async () => unavailable(),
    restartContainer: async () => unavailable(),
    pauseContainer: async () => unavailable(),
    unpauseContainer: async () => unavailable(),
    removeContainer: async () => unavailable(),
    renameContainer: async () => unavailable(),
    inspectContainer: async () => unavailable(),
    listContainers: async () => unavailable(),
    waitContainer: async () => unavailable(),
    containerLogs: () => unavailable(),
    exec: async () => unavailable(),
    stats: async () => unavailable(),
    top: async () => unavailable(),
    copyFrom: async () => unavailable(),
    copyTo: async () => unavailable(),
    events: () => unavailable(),
  };
  const store = images.store;
  return {
    ...containers,
    pullImage: (ref, options) => store.pullImage(ref, options),
    inspectImage: (ref) => store.inspectImage(ref),
    listImages: () => store.listImages(),
    removeImage: (ref, options) => store.removeImage(ref, options),
    loadImages: (tar) => store.loadImages(tar),
    saveImages: (refs, out) => store.saveImages(refs, out),
    status: (): EngineStatus => ({
      pid: process.pid,
      root: context.root,
      run: context.run,
      runtime: null,
      version: VERSION,
      containers: { total: 0, running: 0, paused: 0, stopped: 0 },
    }),
    shutdown: async () => images.close(),
  };
}
