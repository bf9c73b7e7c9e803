/**
 * `config --explain-env` (beyond Docker Compose): every variable the model
 * interpolates, its value, where that value came from (the shell, which env
 * file and line, a default in the compose file, or nowhere) and which
 * precedence rule decided.
 */
import type { LoadResult, VariableReference } from './loader';
import type { EnvOrigin } from './loader/environment';
import { table, type ConfigFormat } from './config';

export interface ExplainedVariable {
  readonly name: string;
  /** The variable's value (for an unset variable: what its default gave). */
  readonly value: string;
  /** `shell`, `<file>:<line>`, `default (<file>:<line>:<col>)` or `unset`. */
  readonly source: string;
  readonly rule: string;
  /** Where the variable is used: `file:line:col` of each reference. */
  readonly usedAt: readonly string[];
}

export function explainVariables(result: LoadResult): ExplainedVariable[] {
  const byName = new Map<string, VariableReference[]>();
  for (const use of result.variables) byName.set(use.name, [...(byName.get(use.name) ?? []), use]);
  return [...byName.keys()].sort().map((name) => {
    const uses = byName.get(name) ?? [];
    const usedAt = uses.map((u) => (u.pos ? `${u.pos.file}:${u.pos.line}:${u.pos.col}` : u.path));
    const why = result.environment.explain(name);
    const first = uses[0];
    if (why) {
      const beaten = why.overridden.map((d) => `${originText(d.origin)}=${JSON.stringify(d.value)}`);
      const rule = beaten.length > 0 ? `${why.rule} (over ${beaten.join(', ')})` : why.rule;
      return { name, value: why.value, source: originText(why.origin), rule, usedAt };
    }
    const withDefault = uses.find((u) => u.usedDefault && (u.operator === ':-' || u.operator === '-'));
    if (withDefault) {
      const at = withDefault.pos ? `${withDefault.pos.file}:${withDefault.pos.line}:${withDefault.pos.col}` : withDefault.path;
      return {
        name,
        value: withDefault.value,
        source: `default (${at})`,
        rule: `not set in the shell or any env file; the default of \${${name}${withDefault.operator}…} applies`,
        usedAt,
      };
    }
    return {
      name,
      value: first?.value ?? '',
      source: 'unset',
      rule: 'not set in the shell or any env file, and no default: an empty string',
      usedAt,
    };
  });
}

export function explainEnvironment(result: LoadResult, format: ConfigFormat): string {
  const rows = explainVariables(result);
  if (format === 'json') return JSON.stringify(rows, null, 2) + '\n';
  return table(
    ['VARIABLE', 'VALUE', 'SOURCE', 'RULE'],
    rows.map((r) => [r.name, r.value, r.source, r.rule]),
  );
}

function originText(o: EnvOrigin): string {
  return o.kind === 'shell' ? 'shell' : `${o.file}:${o.line}`;
}
