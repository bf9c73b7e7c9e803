/**
 * Check: an `external` network, volume, secret or config is created outside
 * the project, so attributes that would only matter when creating it are
 * rejected (the spec: "all other attributes apart from name are irrelevant").
 */
import { diagnostic, type Diagnostic } from '../../errors';
import { isList, isMap, locate, type Node } from '../tree';
import type { SemanticCheck } from './semantic-check';

const SECTIONS = { networks: 'network', volumes: 'volume', secrets: 'secret', configs: 'config' } as const;

/** Keys an external resource may carry (besides `x-` extensions), by section. */
const ALLOWED: Readonly<Record<keyof typeof SECTIONS, ReadonlySet<string>>> = {
  networks: new Set(['name', 'external']),
  volumes: new Set(['name', 'external']),
  // compose-go accepts a template_driver on external configs and secrets (TestTemplateDriver).
  configs: new Set(['name', 'external', 'template_driver']),
  secrets: new Set(['name', 'external', 'template_driver']),
};

function isExternal(v: Node | undefined): boolean {
  return v === true || v === 'true' || isMap(v);
}

function isEmpty(v: Node | undefined): boolean {
  return v === undefined || v === null || (isMap(v) && Object.keys(v).length === 0) || (isList(v) && v.length === 0);
}

export const checkExternalResources: SemanticCheck = (tree) => {
  const out: Diagnostic[] = [];
  for (const section of Object.keys(SECTIONS) as (keyof typeof SECTIONS)[]) {
    const noun = SECTIONS[section];
    const resources = tree[section];
    if (!isMap(resources)) continue;
    for (const [name, def] of Object.entries(resources)) {
      if (!isMap(def) || !isExternal(def.external)) continue;
      for (const key of Object.keys(def)) {
        if (ALLOWED[section].has(key) || key.startsWith('x-') || isEmpty(def[key])) continue;
        const path = [section, name, key];
        out.push(
          diagnostic(
            locate(tree, path, 'key'),
            path,
            `${noun} "${name}" is external (it exists outside this project and Compose never creates it), so "${key}" cannot be set: remove "${key}", or remove "external: true" to let Compose create it`,
          ),
        );
      }
    }
  }
  return out;
};
