/**
 * Stage helper: resolving relative paths of a compose tree against a base
 * directory (bind sources, build contexts, env_file, label_file, configs,
 * secrets, extends.file, local driver device …).
 */
import type { TreeMap } from './tree';

/** Resolves every relative path inside one service definition against `baseDir`. */
export function resolveServicePaths(service: TreeMap, baseDir: string): TreeMap {
  void baseDir;
  return service; // STUB: owned by the normalize work, replaced there
}

/** Resolves every relative path in a whole (merged) model against `baseDir`. */
export function resolveProjectPaths(tree: TreeMap, baseDir: string): TreeMap {
  void baseDir;
  return tree; // STUB: owned by the normalize work, replaced there
}
