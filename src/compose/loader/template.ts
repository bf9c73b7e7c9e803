/**
 * The Compose interpolation grammar on one string:
 * `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?e}`, `${VAR?e}`,
 * `${VAR:+a}`, `${VAR+a}`, nesting inside defaults, alternates and error
 * texts (`${A:-${B:-x}}`), and `$$` for a literal `$`.
 *
 * A `$` that starts neither `$$`, a name (`[_a-zA-Z][_a-zA-Z0-9]*`) nor `${`
 * is kept as it is (`a $ string`, `^REGEX$`). A `${` that is not a valid
 * braced expression is an error, as in Docker Compose.
 *
 * The string is parsed once (syntax errors are reported even inside a
 * default that is never used), then evaluated lazily: a default, alternate or
 * error text is only expanded when it is the one that applies.
 */
import { ComposeError } from '../errors';

export type TemplateOperator = '' | ':-' | '-' | ':?' | '?' | ':+' | '+';

/** One variable reference that was evaluated while expanding a string. */
export interface VariableUse {
  readonly name: string;
  readonly operator: TemplateOperator;
  /** The raw text after the operator (`d` in `${VAR:-d}`), not expanded. */
  readonly argument?: string;
  /** Whether the variable was defined (possibly as an empty string). */
  readonly set: boolean;
  /** What this reference expanded to. */
  readonly value: string;
  /** The default (`-`, `:-`) or alternate (`+`, `:+`) was used rather than the variable's own value. */
  readonly usedDefault: boolean;
  /** Offset of this reference's `$` in the string. */
  readonly offset: number;
}

/** A malformed template or a missing required variable. */
export class TemplateError extends ComposeError {
  override readonly name = 'TemplateError';
  constructor(
    message: string,
    /** Offset of the offending `$` in the string. */
    readonly offset: number,
    readonly kind: 'syntax' | 'required',
    /** For `required`: the variable that is missing. */
    readonly variable?: string,
  ) {
    super(message);
  }
}

type Part = string | Reference;

interface Reference {
  readonly name: string;
  readonly operator: TemplateOperator;
  readonly argument?: readonly Part[];
  readonly argumentText?: string;
  readonly offset: number;
}

/** A reference found by reading the string, whether or not it would be evaluated. */
export interface TemplateVariable {
  readonly name: string;
  readonly operator: TemplateOperator;
  readonly argument?: string;
  readonly offset: number;
}

/** `[_a-zA-Z]` */
function isNameStart(c: number): boolean {
  return c === 0x5f || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/** `[_a-zA-Z0-9]` */
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39);
}
const OPERATORS: readonly TemplateOperator[] = [':-', ':?', ':+', '-', '?', '+'];

/** Whether `text` may hold a template at all (cheap pre-check). */
export function mayHaveTemplate(text: string): boolean {
  return text.includes('$');
}

export function expandTemplate(text: string, lookup: (name: string) => string | undefined): { value: string; uses: VariableUse[] } {
  if (!mayHaveTemplate(text)) return { value: text, uses: [] };
  const parts = parseTemplate(text);
  const uses: VariableUse[] = [];
  const value = evaluate(parts, lookup, uses);
  return { value, uses };
}

/** Every variable the string refers to, nested ones included (for `config --variables`). Throws TemplateError on bad syntax. */
export function templateVariables(text: string): TemplateVariable[] {
  if (!mayHaveTemplate(text)) return [];
  const out: TemplateVariable[] = [];
  const visit = (parts: readonly Part[]): void => {
    for (const p of parts) {
      if (typeof p === 'string') continue;
      out.push({ name: p.name, operator: p.operator, ...(p.argumentText !== undefined ? { argument: p.argumentText } : {}), offset: p.offset });
      if (p.argument) visit(p.argument);
    }
  };
  visit(parseTemplate(text));
  return out;
}

/** Whether the string holds at least one variable reference (`$$` alone does not count). Throws TemplateError on bad syntax. */
export function hasVariables(text: string): boolean {
  return mayHaveTemplate(text) && parseTemplate(text).some((p) => typeof p !== 'string');
}

/**
 * Parsed templates by text: a model repeats the same ones (`${TAG:-latest}` in
 * every service). Parts are never changed once made. Bounded: cleared when full.
 */
const parsedTemplates = new Map<string, readonly Part[]>();
const MAX_PARSED = 10_000;

function parseTemplate(text: string): readonly Part[] {
  let parts = parsedTemplates.get(text);
  if (parts === undefined) {
    parts = simpleParts(text) ?? new Parser(text).parse(0, false).parts;
    if (parsedTemplates.size >= MAX_PARSED) parsedTemplates.clear();
    parsedTemplates.set(text, parts);
  }
  return parts;
}

/** `${NAME}` or `${NAME<operator>text}`, the text holding no `$` and no braces. */
const SIMPLE_REFERENCE = /\$\{([_a-zA-Z][_a-zA-Z0-9]*)(?:(:[-?+]|[-?+])([^${}]*))?\}/g;

/**
 * The parts of a template whose every `$` starts a simple reference (most templates:
 * `${TAG:-latest}`), found with one regular expression; the same parts the parser
 * makes. Undefined for anything else (`$$`, `$NAME`, nesting, braces in a default,
 * errors), which the parser reads.
 */
function simpleParts(text: string): Part[] | undefined {
  const parts: Part[] = [];
  let from = 0;
  SIMPLE_REFERENCE.lastIndex = 0;
  for (let m = SIMPLE_REFERENCE.exec(text); m !== null; m = SIMPLE_REFERENCE.exec(text)) {
    const dollar = m.index;
    // A `$` before this reference that starts none.
    if (text.indexOf('$', from) < dollar) return undefined;
    if (dollar > from) parts.push(text.slice(from, dollar));
    const operator = m[2] as TemplateOperator | undefined;
    const argumentText = m[3];
    parts.push(
      operator === undefined
        ? { name: m[1], operator: '', offset: dollar }
        : { name: m[1], operator, argument: argumentText === '' ? [] : [argumentText], argumentText, offset: dollar },
    );
    from = dollar + m[0].length;
  }
  if (text.indexOf('$', from) !== -1) return undefined;
  if (from < text.length) parts.push(text.slice(from));
  return parts;
}

class Parser {
  constructor(private readonly text: string) {}

  /**
   * Reads parts from `start`. Inside a braced argument (`inArgument`), stops
   * at the `}` that closes it (bare `{ }` pairs nest) and returns its index;
   * otherwise reads to the end. `end` is -1 when the argument is not closed.
   */
  parse(start: number, inArgument: boolean): { parts: Part[]; end: number } {
    const text = this.text;
    const parts: Part[] = [];
    // The literal text so far: `literal`, then the run of plain characters from `run` to `i`.
    let literal = '';
    let run = start;
    let depth = 0;
    let i = start;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x24 /* $ */) {
        const next = text.charCodeAt(i + 1);
        if (next === 0x24) {
          literal += text.slice(run, i + 1);
          i += 2;
          run = i;
          continue;
        }
        if (isNameStart(next)) {
          let j = i + 2;
          while (j < text.length && isNameChar(text.charCodeAt(j))) j++;
          literal += text.slice(run, i);
          if (literal) parts.push(literal);
          literal = '';
          parts.push({ name: text.slice(i + 1, j), operator: '', offset: i });
          i = j;
          run = i;
          continue;
        }
        if (next === 0x7b /* { */) {
          const { ref, end } = this.braced(i);
          literal += text.slice(run, i);
          if (literal) parts.push(literal);
          literal = '';
          parts.push(ref);
          i = end + 1;
          run = i;
          continue;
        }
        i++;
        continue;
      }
      if (inArgument) {
        if (c === 0x7b) depth++;
        else if (c === 0x7d /* } */) {
          if (depth === 0) {
            literal += text.slice(run, i);
            if (literal) parts.push(literal);
            return { parts, end: i };
          }
          depth--;
        }
      }
      i++;
    }
    literal += text.slice(run, i);
    if (literal) parts.push(literal);
    return { parts, end: inArgument ? -1 : text.length };
  }

  /** `${…}` starting at `dollar`; returns the reference and the index of its closing `}`. */
  private braced(dollar: number): { ref: Reference; end: number } {
    const text = this.text;
    let j = dollar + 2;
    if (j >= text.length || !text.includes('}', j)) throw this.syntaxError(dollar, text.length, 'missing closing "}"');
    if (!isNameStart(text.charCodeAt(j))) {
      throw this.syntaxError(dollar, this.closeOf(dollar), 'a variable name must start with a letter or "_" and hold only letters, digits and "_"');
    }
    while (j < text.length && isNameChar(text.charCodeAt(j))) j++;
    const name = text.slice(dollar + 2, j);
    if (text[j] === '}') return { ref: { name, operator: '', offset: dollar }, end: j };
    const operator = OPERATORS.find((op) => text.startsWith(op, j));
    if (!operator) {
      throw this.syntaxError(dollar, this.closeOf(dollar), `unexpected ${JSON.stringify(text[j])} after the variable name; expected "}" or one of :- - :? ? :+ +`);
    }
    const argStart = j + operator.length;
    const { parts, end } = this.parse(argStart, true);
    if (end < 0) throw this.syntaxError(dollar, text.length, 'missing closing "}"');
    return { ref: { name, operator, argument: parts, argumentText: text.slice(argStart, end), offset: dollar }, end };
  }

  /** Index just past the `}` that most plausibly closes the `${` at `dollar` (for messages). */
  private closeOf(dollar: number): number {
    const close = this.text.indexOf('}', dollar);
    return close < 0 ? this.text.length : close + 1;
  }

  private syntaxError(dollar: number, end: number, reason: string): TemplateError {
    const MAX = 60;
    let fragment = this.text.slice(dollar, end);
    if (fragment.length > MAX) fragment = `${fragment.slice(0, MAX)}…`;
    return new TemplateError(`invalid interpolation format ${JSON.stringify(fragment)}: ${reason} (write "$$" for a literal "$")`, dollar, 'syntax');
  }
}

function evaluate(parts: readonly Part[], lookup: (name: string) => string | undefined, uses: VariableUse[]): string {
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    out += typeof p === 'string' ? p : resolve(p, lookup, uses);
  }
  return out;
}

function resolve(ref: Reference, lookup: (name: string) => string | undefined, uses: VariableUse[]): string {
  const raw = lookup(ref.name);
  const set = raw !== undefined;
  const empty = raw === undefined || raw === '';
  const argument = (): string => evaluate(ref.argument ?? [], lookup, uses);
  let value = raw ?? '';
  let usedDefault = false;
  switch (ref.operator) {
    case ':-':
    case '-':
      if (ref.operator === ':-' ? empty : !set) {
        value = argument();
        usedDefault = true;
      }
      break;
    case ':+':
    case '+':
      if (ref.operator === ':+' ? !empty : set) {
        value = argument();
        usedDefault = true;
      } else {
        value = '';
      }
      break;
    case ':?':
    case '?':
      if (ref.operator === ':?' ? empty : !set) {
        const reason = argument();
        throw new TemplateError(
          `required variable ${ref.name} is missing a value${reason ? `: ${reason}` : ''}`,
          ref.offset,
          'required',
          ref.name,
        );
      }
      break;
    case '':
      break;
  }
  // The same object as `{ name, operator, ...(argument), set, value, usedDefault, offset }`,
  // written out (thousands of uses in a large model).
  const { name, operator, argumentText, offset } = ref;
  uses.push(
    argumentText !== undefined
      ? { name, operator, argument: argumentText, set, value, usedDefault, offset }
      : { name, operator, set, value, usedDefault, offset },
  );
  return value;
}
