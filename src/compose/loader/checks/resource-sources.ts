/**
 * Check: a config or secret takes its data from exactly one source — `file`,
 * `environment` or (configs only) `content` — unless it is external. A
 * `driver` alone does not count: Docker Compose refuses a secret without
 * `file` or `environment` even when it names a driver (compose-go
 * TestSecretDriver); configs follow the same rule.
 */
import { diagnostic, type Diagnostic } from '../../errors';
import { isMap, locate } from '../tree';
import type { SemanticCheck } from './semantic-check';

/** The data sources of each section, in the order they are named. */
const SOURCES = {
  configs: { noun: 'config', keys: ['file', 'environment', 'content'] },
  secrets: { noun: 'secret', keys: ['file', 'environment'] },
} as const;

function words(keys: readonly string[]): string {
  return keys.length <= 2 ? keys.join(' or ') : `${keys.slice(0, -1).join(', ')} or ${keys[keys.length - 1]}`;
}

export const checkResourceSources: SemanticCheck = (tree) => {
  const out: Diagnostic[] = [];
  for (const [section, { noun, keys }] of Object.entries(SOURCES)) {
    const resources = tree[section];
    if (!isMap(resources)) continue;
    for (const [name, def] of Object.entries(resources)) {
      const d = isMap(def) ? def : {};
      // In the order they are written, so the one written last is reported.
      const at = (k: string): number => {
        const p = locate(tree, [section, name, k], 'key');
        return p ? p.line * 10_000 + p.col : 0;
      };
      const set = keys.filter((k) => d[k] !== undefined && d[k] !== null).sort((a, b) => at(a) - at(b));
      if (set.length > 1) {
        const path = [section, name, set[1]];
        out.push(
          diagnostic(
            locate(tree, path, 'key'),
            path,
            `${noun} "${name}" sets both "${set[0]}" and "${set[1]}": its data comes from exactly one of ${words(keys)}`,
          ),
        );
      } else if (set.length === 0 && !d.external) {
        const path = [section, name];
        const driver = d.driver !== undefined && d.driver !== null ? ` (a driver alone does not provide it)` : '';
        out.push(
          diagnostic(
            locate(tree, path, 'key'),
            path,
            `${noun} "${name}" has no data${driver}: set one of ${words(keys)}, or "external: true" for one that already exists`,
          ),
        );
      }
    }
  }
  return out;
};
