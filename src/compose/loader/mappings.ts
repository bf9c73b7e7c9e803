/**
 * The "list or map" attributes (`environment`, `labels`, `sysctls`,
 * `driver_opts` …) in their map form, with every value a string. A list entry
 * `KEY=VALUE` splits at the first `=`; a bare `KEY` has no value: `null` for
 * environment-like mappings (the variable is then taken from the project
 * environment, or left unset), `""` for the others. Numbers and booleans
 * become their text. Positions move from list items to map keys.
 */
import { isList, isMap, itemPos, originOf, withOrigin, type Node, type Pos, type TreeMap } from './tree';

export type MissingValue = 'null' | 'empty';

export function toMapping(value: Node, missing: MissingValue): Node {
  const absent = missing === 'null' ? null : '';
  if (isMap(value)) {
    // A map whose values are all text already is its own mapping.
    let out: TreeMap | undefined;
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const v = value[k];
      const w = v === null ? absent : isScalarNode(v) ? scalarText(v) : v;
      if (out === undefined && w !== v) {
        out = {};
        for (let j = 0; j < i; j++) out[keys[j]] = value[keys[j]];
      }
      if (out !== undefined) out[k] = w;
    }
    return out === undefined ? value : withOrigin(out, originOf(value));
  }
  if (isList(value)) {
    const out: TreeMap = {};
    const keys: Record<string, { key: Pos; value: Pos }> = {};
    value.forEach((item, i) => {
      if (item === null || !isScalarNode(item)) return;
      const text = scalarText(item);
      const eq = text.indexOf('=');
      const key = eq < 0 ? text : text.slice(0, eq);
      out[key] = eq < 0 ? absent : text.slice(eq + 1);
      const at = itemPos(value, i);
      if (at) keys[key] = { key: at, value: at };
    });
    const base = originOf(value);
    return withOrigin(out, base ? { pos: base.pos, keys } : undefined);
  }
  return value;
}

/** The text Docker Compose gives a scalar (`1` → "1", `true` → "true"). */
export function scalarText(v: string | number | boolean): string {
  return typeof v === 'string' ? v : String(v);
}

function isScalarNode(v: Node): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}
