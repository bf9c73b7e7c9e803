/**
 * Docker Compose's `.env` syntax:
 *
 * - `KEY=VALUE` (or `KEY: VALUE`), an optional `export ` prefix, blanks
 *   around the separator; keys of letters, digits, `_ . - [ ]`.
 * - `#` starts a comment line; after an unquoted value, a blank followed by
 *   `#` starts an inline comment (`a#b` stays `a#b`).
 * - Unquoted values are trimmed and interpolated.
 * - Single quotes are literal (only `\'` is unescaped) and may span lines.
 * - Double quotes may span lines, understand the echo escapes `\a \b \f \n
 *   \r \t \v \\ \" \$ \0NNN` (others are kept as written) and are interpolated
 *   (a `$` written `\$` is not).
 * - Interpolation uses the full template grammar; a name resolves through the
 *   `priority` lookup (the shell), then the keys set earlier in this file,
 *   then `lookup` (earlier env files).
 * - A bare `KEY` line takes its value from the lookups, and is left out when
 *   they do not know it.
 * - A UTF-8 byte order mark is ignored; CRLF line ends are read as LF.
 *
 * `parseRawEnv` reads the other format Docker Compose knows, `format: raw`
 * (the `docker run --env-file` syntax): one `KEY=VALUE` per line, the value
 * exactly as written — quotes, `$`, backslashes and trailing blanks kept, no
 * interpolation, no comments after a value.
 */
import { diagnostic, ValidationError, type Diagnostic } from '../errors';
import { expandTemplate, TemplateError } from './template';
import type { Pos } from './tree';

export interface DotEnvEntry {
  readonly key: string;
  readonly value: string;
  /** Where the key is written (1-based). */
  readonly line: number;
  readonly col: number;
  /** True for a bare `KEY` line that took its value from the lookups. */
  readonly inherited: boolean;
}

export interface DotEnvOptions {
  /**
   * Consulted before the file's own earlier keys (Docker Compose: the shell
   * environment wins over the env file even inside it).
   */
  readonly priority?: (name: string) => string | undefined;
}

/** The variables an env file defines, last definition winning. */
export function parseDotEnv(
  source: string,
  file: string,
  lookup: (name: string) => string | undefined,
  options: DotEnvOptions = {},
): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of parseDotEnvEntries(source, file, lookup, options)) out.set(e.key, e.value);
  return out;
}

/** Every definition in an env file, in order, with its line. Throws ValidationError listing every problem. */
export function parseDotEnvEntries(
  source: string,
  file: string,
  lookup: (name: string) => string | undefined,
  options: DotEnvOptions = {},
): DotEnvEntry[] {
  return new DotEnvParser(stripBom(source).replace(/\r\n/g, '\n'), file, lookup, options.priority).run();
}

function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

/** Blanks that are not line breaks (Go's dotenv `isSpace`). */
function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\v' || c === '\f' || c === '\r' || c === '\u0085' || c === '\u00a0';
}

const KEY_CHAR = /^[\p{L}\p{N}_.\-[\]]$/u;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  $: '$',
};

class DotEnvParser {
  private i = 0;
  private readonly entries: DotEnvEntry[] = [];
  private readonly own = new Map<string, string>();
  private readonly problems: Diagnostic[] = [];
  /** Offsets where each line starts, for positions. */
  private readonly lineStarts: number[] = [0];

  constructor(
    private readonly src: string,
    private readonly file: string,
    private readonly lookup: (name: string) => string | undefined,
    private readonly priority: ((name: string) => string | undefined) | undefined,
  ) {
    for (let k = 0; k < src.length; k++) if (src[k] === '\n') this.lineStarts.push(k + 1);
  }

  run(): DotEnvEntry[] {
    while (this.nextStatement()) {
      try {
        this.statement();
      } catch (e) {
        if (!(e instanceof LineProblem)) throw e;
        this.problems.push(diagnostic(this.pos(e.offset), e.key, e.message));
        if (e.fatal) break;
        this.skipLine();
      }
    }
    if (this.problems.length > 0) throw new ValidationError(this.problems);
    return this.entries;
  }

  private pos(offset: number): Pos {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, col: offset - this.lineStarts[lo] + 1 };
  }

  private resolve = (name: string): string | undefined => {
    const first = this.priority?.(name);
    if (first !== undefined) return first;
    return this.own.has(name) ? this.own.get(name) : this.lookup(name);
  };

  /** Skips blanks, empty lines and comment lines; false at the end of the file. */
  private nextStatement(): boolean {
    const s = this.src;
    for (;;) {
      while (this.i < s.length && (isBlank(s[this.i]) || s[this.i] === '\n')) this.i++;
      if (this.i >= s.length) return false;
      if (s[this.i] !== '#') return true;
      this.skipLine();
    }
  }

  private skipLine(): void {
    const nl = this.src.indexOf('\n', this.i);
    this.i = nl < 0 ? this.src.length : nl + 1;
  }

  private statement(): void {
    const s = this.src;
    const exported = /^export[ \t]+/.exec(s.slice(this.i, this.i + 64));
    if (exported) this.i += exported[0].length;
    const keyStart = this.i;
    let sep = -1;
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === '=' || c === ':' || c === '\n') {
        sep = this.i;
        break;
      }
      if (!isBlank(c) && !KEY_CHAR.test(c)) {
        const lineText = s.slice(keyStart, s.indexOf('\n', keyStart) < 0 ? s.length : s.indexOf('\n', keyStart));
        throw new LineProblem(this.i, '', `unexpected character ${JSON.stringify(c)} in variable name ${JSON.stringify(lineText)}`);
      }
      this.i++;
    }
    const end = sep < 0 ? s.length : sep;
    const key = s.slice(keyStart, end).replace(/[\s\u0085\u00a0]+$/u, '');
    if (/[\s\u0085\u00a0]/u.test(key)) throw new LineProblem(keyStart, '', `variable name ${JSON.stringify(key)} cannot contain a space`);
    if (sep < 0 || s[sep] === '\n') {
      // A bare `KEY`: inherited from the environment, left out when unknown.
      this.i = sep < 0 ? s.length : sep + 1;
      if (key === '') return;
      const value = this.resolve(key);
      if (value !== undefined) this.define(key, value, keyStart, true);
      return;
    }
    if (key === '') throw new LineProblem(keyStart, '', `a variable name is missing before ${JSON.stringify(s[sep])}`);
    this.i = sep + 1;
    while (this.i < s.length && isBlank(s[this.i])) this.i++;
    const value = this.value(key);
    this.define(key, value, keyStart, false);
  }

  private define(key: string, value: string, at: number, inherited: boolean): void {
    const { line, col } = this.pos(at);
    this.entries.push({ key, value, line, col, inherited });
    this.own.set(key, value);
  }

  private value(key: string): string {
    const s = this.src;
    const quote = s[this.i];
    if (quote === "'" || quote === '"') {
      const open = this.i;
      const close = closingQuote(s, open);
      if (close < 0) {
        const nl = s.indexOf('\n', open);
        throw new LineProblem(open, key, `unterminated quoted value ${s.slice(open, nl < 0 ? s.length : nl)}`, true);
      }
      this.i = close + 1;
      const body = s.slice(open + 1, close);
      if (quote === "'") return body.replace(/\\'/g, "'");
      return this.interpolate(key, ...unescapeDouble(body, open + 1));
    }
    const nl = s.indexOf('\n', this.i);
    const lineEnd = nl < 0 ? s.length : nl;
    let raw = s.slice(this.i, lineEnd);
    const comment = /[ \t]#/.exec(raw);
    if (comment) raw = raw.slice(0, comment.index);
    raw = raw.replace(/\s+$/u, '');
    const start = this.i;
    this.i = lineEnd;
    return this.interpolate(key, raw, raw.split('').map((_, k) => start + k));
  }

  /** Expands `template`; `sources[k]` is the file offset of template character k. */
  private interpolate(key: string, template: string, sources: readonly number[]): string {
    try {
      return expandTemplate(template, this.resolve).value;
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      throw new LineProblem(sources[e.offset] ?? sources[0] ?? this.i, key, e.message);
    }
  }
}

/** A problem on the line being read; `fatal` stops the parse (nothing after it can be trusted). */
class LineProblem extends Error {
  constructor(
    readonly offset: number,
    readonly key: string,
    message: string,
    readonly fatal = false,
  ) {
    super(message);
  }
}

/** Index of the quote closing the one at `open`, skipping backslash-escaped characters; -1 if none. */
function closingQuote(s: string, open: number): number {
  const q = s[open];
  for (let k = open + 1; k < s.length; k++) {
    if (s[k] === '\\') {
      k++;
      continue;
    }
    if (s[k] === q) return k;
  }
  return -1;
}

/**
 * Applies the double-quote escapes. Returns the text as a template (a `$`
 * that came from an escape is written `$$` so it is not interpolated) and,
 * for each template character, the file offset it came from.
 */
function unescapeDouble(body: string, base: number): [string, number[]] {
  let out = '';
  const sources: number[] = [];
  const emit = (text: string, at: number): void => {
    for (const ch of text) {
      out += ch;
      sources.push(at);
      if (ch === '$') {
        out += '$';
        sources.push(at);
      }
    }
  };
  for (let k = 0; k < body.length; k++) {
    const c = body[k];
    if (c !== '\\' || k + 1 >= body.length) {
      if (c === '$') {
        out += c;
        sources.push(base + k);
      } else {
        emit(c, base + k);
      }
      continue;
    }
    const n = body[k + 1];
    if (n === '0') {
      const digits = /^[0-7]{0,3}/.exec(body.slice(k + 2))![0];
      emit(String.fromCharCode(digits ? parseInt(digits, 8) : 0), base + k);
      k += 1 + digits.length;
    } else if (n in SIMPLE_ESCAPES) {
      emit(SIMPLE_ESCAPES[n], base + k);
      k++;
    } else {
      emit(c, base + k);
    }
  }
  return [out, sources];
}

/**
 * An env file in the raw format (`env_file: [{path, format: raw}]`), as
 * `docker run --env-file` reads it: blanks at the start of a line are
 * skipped, a line starting with `#` is a comment, the key ends at the first
 * `=` and may not contain a blank, the value is the rest of the line as
 * written. A bare `KEY` takes its value from `lookup`, and is left out when
 * it has none. Throws ValidationError listing every bad line.
 */
export function parseRawEnv(source: string, file: string, lookup: (name: string) => string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const problems: Diagnostic[] = [];
  stripBom(source)
    .split('\n')
    .forEach((written, i) => {
      const raw = written.endsWith('\r') ? written.slice(0, -1) : written;
      const line = raw.replace(/^\s+/u, '');
      if (line === '' || line.startsWith('#')) return;
      const pos: Pos = { file, line: i + 1, col: raw.length - line.length + 1 };
      const eq = line.indexOf('=');
      const key = eq < 0 ? line : line.slice(0, eq);
      if (key === '') {
        problems.push(diagnostic(pos, '', `a variable name is missing before "=" in ${JSON.stringify(line)}`));
        return;
      }
      if (/[ \t]/.test(key)) {
        problems.push(diagnostic(pos, key.trim(), `variable name ${JSON.stringify(key)} cannot contain a blank (in a raw env file the name ends at the first "=")`));
        return;
      }
      if (eq >= 0) {
        out.set(key, line.slice(eq + 1));
        return;
      }
      const inherited = lookup(key);
      if (inherited !== undefined) out.set(key, inherited);
    });
  if (problems.length > 0) throw new ValidationError(problems);
  return out;
}
