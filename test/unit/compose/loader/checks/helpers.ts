import { formatDiagnostic, type Diagnostic } from '../../../../../src/compose/errors';
import { parseYaml } from '../../../../../src/compose/loader/parse';
import type { TreeMap } from '../../../../../src/compose/loader/tree';

/** A tree as normalization leaves it, written directly in long form, with positions from c.yaml. */
export function tree(yaml: string): TreeMap {
  return parseYaml(yaml, 'c.yaml').tree;
}

/** Diagnostics as the CLI prints them. */
export function lines(ds: readonly Diagnostic[]): string[] {
  return ds.map(formatDiagnostic);
}
