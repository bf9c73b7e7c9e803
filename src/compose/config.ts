/**
 * `config`: renders the loaded model, or one of its listings (services,
 * volumes, hashes, variables …), as Docker Compose's `config` does.
 */
import { renderCanonical } from './canonical';
import { configHash } from './config-hash';
import { explainEnvironment } from './explain-env';
import type { LoadResult } from './loader';
import { isMap, stripOrigins, type TreeMap } from './loader/tree';
import { NotFoundError } from './errors';

export type ConfigFormat = 'yaml' | 'json';

export interface ConfigOptions {
  readonly format: ConfigFormat;
  readonly quiet?: boolean;
  readonly services?: boolean;
  readonly volumes?: boolean;
  readonly networks?: boolean;
  readonly images?: boolean;
  readonly profiles?: boolean;
  /** A service name, a comma-separated list, or `*`. */
  readonly hash?: string;
  readonly variables?: boolean;
  readonly environment?: boolean;
  readonly explainEnv?: boolean;
  /** Write `$` as `$$` so the output loads back the same (when the model was interpolated). */
  readonly escapeDollars?: boolean;
}

export function renderProjectConfig(result: LoadResult, opts: ConfigOptions): string {
  if (opts.quiet) return '';
  const tree = result.tree;
  const services = mapOf(tree.services);
  const lines = (xs: readonly string[]): string => xs.map((x) => `${x}\n`).join('');
  if (opts.services) return lines(Object.keys(services).sort());
  if (opts.volumes) return lines(Object.keys(mapOf(tree.volumes)).sort());
  if (opts.networks) return lines(Object.keys(mapOf(tree.networks)).sort());
  if (opts.profiles) return lines(result.allProfiles);
  if (opts.images) {
    return lines(
      Object.keys(services)
        .sort()
        .map((s) => {
          const image = mapOf(services[s]).image;
          return typeof image === 'string' ? image : `${result.name.name}-${s}`;
        }),
    );
  }
  if (opts.hash !== undefined) return lines(hashes(services, opts.hash));
  if (opts.environment) return lines(result.environment.names().sort().map((n) => `${n}=${result.environment.get(n) ?? ''}`));
  if (opts.variables) return renderVariables(result, opts.format);
  if (opts.explainEnv) return explainEnvironment(result, opts.format);
  // Written straight from the tree (origins are left out): no plain copy first.
  return renderCanonical(tree, opts.format, { escapeDollars: opts.escapeDollars });
}

function hashes(services: TreeMap, which: string): string[] {
  const names = which === '*' ? Object.keys(services).sort() : which.split(',').map((s) => s.trim());
  const missing = names.filter((n) => !(n in services));
  if (missing.length > 0) throw new NotFoundError(`no such service: ${missing.join(', ')}`);
  return names.map((n) => `${n} ${configHash(mapOf(stripOrigins(services[n])))}`);
}

interface VariableRow {
  Name: string;
  DefaultValue: string;
  PresenceValue: string;
  Required: boolean;
}

function renderVariables(result: LoadResult, format: ConfigFormat): string {
  const rows = new Map<string, VariableRow>();
  for (const use of result.variables) {
    const row = rows.get(use.name) ?? { Name: use.name, DefaultValue: '', PresenceValue: '', Required: false };
    if (use.operator === ':-' || use.operator === '-') row.DefaultValue = use.argument ?? '';
    if (use.operator === ':+' || use.operator === '+') row.PresenceValue = use.argument ?? '';
    if (use.operator === ':?' || use.operator === '?') row.Required = true;
    rows.set(use.name, row);
  }
  const sorted = [...rows.values()].sort((a, b) => a.Name.localeCompare(b.Name));
  if (format === 'json') return JSON.stringify(Object.fromEntries(sorted.map((r) => [r.Name, r])), null, 2) + '\n';
  return table(
    ['NAME', 'REQUIRED', 'DEFAULT VALUE', 'ALTERNATE VALUE'],
    sorted.map((r) => [r.Name, String(r.Required), r.DefaultValue, r.PresenceValue]),
  );
}

/** Left-aligned columns separated by three spaces. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: readonly string[]): string =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('   ')
      .trimEnd() + '\n';
  return fmt(header) + rows.map(fmt).join('');
}

function mapOf(n: unknown): TreeMap {
  return isMap(n) ? n : {};
}
