/**
 * YAML syntax errors as a person needs them: at the place the mistake was
 * made (the `[` that is never closed, the over-indented line) rather than
 * where the parser noticed, and with the key path when there is one
 * (`services.web.image` for a duplicate key).
 */
import type { Document, Node as YamlNode, YAMLError } from 'yaml';
import { diagnostic, type Diagnostic } from '../errors';
import type { Pos } from './tree';

export function explainYamlErrors(source: string, doc: Document, errors: readonly YAMLError[], posAt: (offset: number) => Pos): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const d = explain(source, doc, e, errors, posAt);
    if (!d) continue;
    const key = `${d.pos?.line}:${d.pos?.col}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

function explain(source: string, doc: Document, e: YAMLError, all: readonly YAMLError[], posAt: (offset: number) => Pos): Diagnostic | undefined {
  const [start, end] = e.pos;
  switch (e.code) {
    case 'DUPLICATE_KEY': {
      const name = keyTextAt(source, start);
      const path = [...mapPathAround(doc.contents as YamlNode | null, start), name];
      return diagnostic(posAt(start), path, `duplicate key ${JSON.stringify(name)}: each key may appear only once in a mapping`);
    }
    case 'BLOCK_AS_IMPLICIT_KEY':
      // Reported together with MULTILINE_IMPLICIT_KEY for the same mistake; that one says where.
      if (all.some((o) => o !== e && o.code === 'MULTILINE_IMPLICIT_KEY' && o.pos[0] === start)) return undefined;
      return diagnostic(posAt(start), '', 'invalid YAML: a value cannot be followed by a nested mapping; check the indentation');
    case 'MULTILINE_IMPLICIT_KEY': {
      const line = lineStartOf(source, end);
      return diagnostic(posAt(line + indentOf(source, line)), '', 'invalid YAML: this line is indented deeper than the key above it');
    }
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN': {
      const opener = unclosedFlowBefore(source, start);
      if (opener !== undefined && /flow (sequence|map)|end with a/i.test(e.message)) {
        const [open, close] = source[opener] === '[' ? ['flow sequence', ']'] : ['flow mapping', '}'];
        return diagnostic(posAt(opener), '', `invalid YAML: this ${open} is never closed with "${close}"`);
      }
      break;
    }
  }
  const first = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  return diagnostic(posAt(start), '', `invalid YAML: ${first}`);
}

/** The key path of the innermost collection whose value range holds `offset`. */
function mapPathAround(node: YamlNode | null, offset: number, path: (string | number)[] = []): (string | number)[] {
  if (!node) return path;
  // Loaded only here: the `yaml` package is read on the error path, never at start-up.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { isMap, isPair, isScalar, isSeq } = require('yaml') as typeof import('yaml');
  const inside = (n: YamlNode | null): n is YamlNode => Boolean(n?.range && offset >= n.range[0] && offset < n.range[2]);
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const value = pair.value as YamlNode | null;
      if (inside(value)) {
        const key = pair.key as YamlNode | null;
        return mapPathAround(value, offset, [...path, isScalar(key) ? String(key.value) : '?']);
      }
    }
  } else if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      const item = node.items[i] as YamlNode | null;
      if (inside(item)) return mapPathAround(item, offset, [...path, i]);
    }
  }
  return path;
}

/** The offset of the last `[` or `{` before `offset` that is not closed before it (quotes and comments skipped). */
function unclosedFlowBefore(source: string, offset: number): number | undefined {
  const stack: number[] = [];
  let quote: string | undefined;
  for (let i = 0; i < offset && i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(source[i - 1]))) {
      while (i < offset && source[i] !== '\n') i++;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:]/.test(source[i - 1]))) {
      quote = c;
    } else if (c === '[' || c === '{') {
      stack.push(i);
    } else if ((c === ']' || c === '}') && stack.length > 0) {
      stack.pop();
    }
  }
  return stack.length > 0 ? stack[stack.length - 1] : undefined;
}

function lineStartOf(source: string, offset: number): number {
  return source.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
}

function indentOf(source: string, lineStart: number): number {
  let i = lineStart;
  while (source[i] === ' ') i++;
  return i - lineStart;
}

/** The mapping key written at `offset`. */
function keyTextAt(source: string, offset: number): string {
  const eol = source.indexOf('\n', offset);
  const rest = source.slice(offset, eol === -1 ? undefined : eol);
  const m = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^:]*)/.exec(rest);
  const text = (m?.[1] ?? rest).trim();
  return /^["']/.test(text) ? text.slice(1, -1) : text;
}
