/**
 * Assembles the bundled engine's ImageStore the way the engine runs it: the engine root,
 * the registry configuration of `<root>/engine.json` and the environment, credentials from
 * Docker's config.json, the host's platform and the safe layer extractor (on worker threads).
 *
 * The CLI, the integration tests and bench/pull all go through here, so they pull the same way.
 */
import { engineRootDir, type Environment } from '../engine-dirs';
import { BundledImageStore } from './bundled-image-store';
import { loadRegistryConfig, type RegistryConfig } from './registry/config';
import { RegistryClient } from './registry/client';
import { dockerConfigCredentials, type CredentialStore } from './registry/credentials';
import { hostPlatform } from './registry/platform';
import { createWorkerExtractor } from './unpack/worker-extract';

export type { Environment };

export interface OpenImageStoreOptions {
  readonly env: Environment;
  /** Default: engineRootDir(env) (TSCOMPOSE_ROOT). */
  readonly root?: string;
  /** Default: loadRegistryConfig(root, env). */
  readonly registryConfig?: RegistryConfig;
  /** Default: Docker's config.json (DOCKER_CONFIG or ~/.docker) with its helpers. */
  readonly credentials?: CredentialStore;
  /** Layers pulled at once. */
  readonly concurrency?: number;
  /** Names of the containers made from an image: such an image is never deleted. */
  readonly usedBy?: (imageId: string) => readonly string[];
}

export interface OpenedImageStore {
  readonly store: BundledImageStore;
  readonly root: string;
  /** Closes the registry connections; the store itself holds nothing open. */
  close(): void;
}

export function openImageStore(options: OpenImageStoreOptions): OpenedImageStore {
  const root = options.root ?? engineRootDir(options.env);
  const registry = new RegistryClient({
    config: options.registryConfig ?? loadRegistryConfig(root, options.env),
    credentials: options.credentials ?? dockerConfigCredentials({ env: options.env }),
  });
  const extractor = createWorkerExtractor();
  const store = new BundledImageStore({
    root,
    registry,
    extractLayer: (compressed, target, o) => extractor.extractLayer(compressed, target, o),
    platform: hostPlatform(),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.usedBy ? { usedBy: options.usedBy } : {}),
  });
  return {
    store,
    root,
    close: () => {
      registry.close();
      void extractor.close();
    },
  };
}
