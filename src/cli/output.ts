/** How the CLI shows diagnostics and warnings to a person. */
import * as fs from 'node:fs';
import chalk from 'chalk';
import type { Diagnostic } from '../compose/errors';

export interface Terminal {
  readonly isTTY: boolean;
  readonly color: boolean;
  write(text: string): void;
}

export function stderrTerminal(env: Readonly<Record<string, string | undefined>>, ansi?: string): Terminal {
  const isTTY = Boolean(process.stderr.isTTY);
  const color = ansi === 'always' || (ansi !== 'never' && isTTY && env.NO_COLOR === undefined);
  return { isTTY, color, write: (t) => process.stderr.write(t) };
}

/** `file:line:col  key.path  reason`, and on a terminal the offending line with a caret under it. */
export function renderDiagnostic(d: Diagnostic, term: Terminal, severity: 'error' | 'warning'): string {
  const c = new chalk.Instance({ level: term.color ? 1 : 0 });
  const where = d.pos ? `${d.pos.file}:${d.pos.line}:${d.pos.col}` : d.file ?? '';
  const label = severity === 'error' ? c.red('error') : c.yellow('warning');
  const head = [where && c.bold(where), d.path && c.cyan(d.path), d.message].filter(Boolean).join('  ');
  let out = `${label}: ${head}\n`;
  if (term.isTTY && d.pos) {
    const line = sourceLine(d.pos.file, d.pos.line);
    if (line !== undefined) {
      const gutter = `${d.pos.line} | `;
      out += c.dim(gutter) + line + '\n' + ' '.repeat(gutter.length + Math.max(0, d.pos.col - 1)) + c.red('^') + '\n';
    }
  }
  return out;
}

const sources = new Map<string, string[] | undefined>();
function sourceLine(file: string, line: number): string | undefined {
  if (!sources.has(file)) {
    try {
      sources.set(file, fs.readFileSync(file, 'utf8').split('\n'));
    } catch {
      sources.set(file, undefined);
    }
  }
  return sources.get(file)?.[line - 1];
}
