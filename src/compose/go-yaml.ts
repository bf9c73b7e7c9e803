/**
 * YAML text as Go's yaml.v3 encoder writes it (what `docker compose config`
 * prints): block style with 2-space indentation, sequences indented under
 * their key, `{}` / `[]` for empty collections, no line wrapping; a string is
 * plain unless it would read back as something else (`"3000"`, `"true"`,
 * `""`, `"0440"`) or holds characters plain text cannot (then single, or
 * double quotes with escapes); multi-line strings are literal blocks (`|`).
 * Map keys are written in the order given; `goYamlKeyLess` is yaml.v3's own
 * key order, for callers that sort.
 */

export type YamlValue = string | number | boolean | null | readonly YamlValue[] | { readonly [k: string]: YamlValue };

export function emitYaml(value: YamlValue): string {
  const lines: string[] = [];
  if (isObject(value) && Object.keys(value).length > 0) writeMap(value, 0, lines);
  else if (Array.isArray(value) && value.length > 0) writeSeq(value, 0, lines);
  else lines.push(inline(value, 0));
  return lines.join('\n') + '\n';
}

function isObject(v: YamlValue): v is { readonly [k: string]: YamlValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isBlockCollection(v: YamlValue): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v !== 'object' || v === null) return false;
  for (const _ in v) return true;
  return false;
}

/** Indentation strings, made once per width. */
const spaces: string[] = [];
export function indentOf(n: number): string {
  return (spaces[n] ??= ' '.repeat(n));
}

/** Writes `key: value` lines at `indent`. The first line may be prefixed by the caller (`- `). */
export function writeMap(map: { readonly [k: string]: YamlValue }, indent: number, lines: string[], firstPrefix?: string): void {
  let first = true;
  for (const key of Object.keys(map)) {
    const value = map[key];
    const lead = first && firstPrefix !== undefined ? firstPrefix : indentOf(indent);
    first = false;
    const k = scalarText(key, true, indent);
    if (isBlockCollection(value)) {
      lines.push(`${lead}${k}:`);
      if (Array.isArray(value)) writeSeq(value, indent + 2, lines);
      else writeMap(value as { readonly [k: string]: YamlValue }, indent + 2, lines);
    } else {
      lines.push(`${lead}${k}: ${inline(value, indent)}`);
    }
  }
}

export function writeSeq(seq: readonly YamlValue[], indent: number, lines: string[]): void {
  for (const item of seq) {
    const dash = `${indentOf(indent)}- `;
    if (isObject(item) && Object.keys(item).length > 0) writeMap(item, indent + 2, lines, dash);
    else if (Array.isArray(item) && item.length > 0) {
      const nested: string[] = [];
      writeSeq(item, indent + 2, nested);
      nested[0] = dash + nested[0].slice(indent + 2);
      lines.push(...nested);
    } else lines.push(`${dash}${inline(item, indent)}`);
  }
}

/** A scalar or empty collection on the current line; `indent` is the owning key's (or dash's) column. */
export function inline(v: YamlValue, indent: number): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return scalarText(v, false, indent);
  if (Array.isArray(v)) return '[]';
  return '{}';
}

/** Go's `strconv.FormatFloat(f, 'g', -1, 64)` for non-integers; integers as digits. */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return '.nan';
  if (n === Infinity) return '.inf';
  if (n === -Infinity) return '-.inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  const [mantissa, expText] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 21 || (!Number.isInteger(n) && exp >= 6)) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(n);
}

// ------------------------------------------------------------ string styles

/** Characters of plain text that needs no analysis (see `simple`): 1 = anywhere, 2 = first too. */
const SIMPLE_CHARS = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz/') SIMPLE_CHARS[c.charCodeAt(0)] = 2;
for (const c of '0123456789_.@+=,;()<>$^~-:') SIMPLE_CHARS[c.charCodeAt(0)] = 1;

/**
 * Plain text that needs no analysis: starts with a letter or `/`, then only
 * "safe" characters, `:` among them but never last (with no spaces, never `: `
 * nor ` #`): `nginx`, `/var/lib`, `registry.example.com/app:1.2`, `127.0.0.1:80`.
 */
function simple(s: string): boolean {
  const n = s.length;
  if (n === 0 || s.charCodeAt(n - 1) === 0x3a /* : */) return false;
  const first = s.charCodeAt(0);
  if (first >= 128 || SIMPLE_CHARS[first] !== 2) return false;
  for (let i = 1; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || SIMPLE_CHARS[c] === 0) return false;
  }
  return true;
}

/** How a string is written: plain, quoted or as a literal block. */
export function scalarText(s: string, isKey: boolean, indent: number): string {
  if (simple(s) && !OLD_BOOLS.has(s) && !RESOLVED.has(s)) return s;
  if (s.includes('\n')) {
    const a = analyze(s);
    if (!isKey && a.blockAllowed) return literal(s, indent);
    return doubleQuoted(s);
  }
  // On one line, how a string is written depends on the string alone: remember it
  // (a model repeats its values: `"3"`, `10s`, `tcp`).
  let text = oneLine.get(s);
  if (text === undefined) {
    text = oneLineText(s);
    if (oneLine.size >= MAX_ONE_LINE) oneLine.clear();
    oneLine.set(s, text);
  }
  return text;
}

/** `scalarText(key, true, …)`: how a map key is written depends on the key alone, and a model repeats its keys. */
export function keyText(key: string): string {
  let text = keys.get(key);
  if (text === undefined) {
    text = scalarText(key, true, 0);
    if (keys.size >= MAX_ONE_LINE) keys.clear();
    keys.set(key, text);
  }
  return text;
}

const keys = new Map<string, string>();
const oneLine = new Map<string, string>();
const MAX_ONE_LINE = 10_000;

function oneLineText(s: string): string {
  if (!resolvesToString(s) || isBase60Float(s) || OLD_BOOLS.has(s)) return doubleQuoted(s);
  const a = analyze(s);
  if (a.blockPlainAllowed) return s;
  if (a.singleQuotedAllowed) return `'${s.replace(/'/g, "''")}'`;
  return doubleQuoted(s);
}

function literal(s: string, indent: number): string {
  let header = '|';
  if (s[0] === ' ' || isBreak(s[0])) header += '2';
  const last = s[s.length - 1];
  if (!isBreak(last)) header += '-';
  else if (s.length === 1 || isBreak(s[s.length - 2])) header += '+';
  const pad = ' '.repeat(indent + 2);
  const body = (isBreak(last) ? s.slice(0, -1) : s).split('\n').map((line) => (line === '' ? '' : pad + line));
  return [header, ...body].join('\n');
}

const ESCAPES: Readonly<Record<number, string>> = {
  0x00: '0',
  0x07: 'a',
  0x08: 'b',
  0x09: 't',
  0x0a: 'n',
  0x0b: 'v',
  0x0c: 'f',
  0x0d: 'r',
  0x1b: 'e',
  0x22: '"',
  0x5c: '\\',
  0x85: 'N',
  0xa0: '_',
  0x2028: 'L',
  0x2029: 'P',
};

function doubleQuoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (!isPrintable(cp) || cp === 0xfeff || isBreak(ch) || ch === '"' || ch === '\\') {
      const esc = ESCAPES[cp];
      if (esc !== undefined) out += `\\${esc}`;
      else if (cp <= 0xff) out += `\\x${cp.toString(16).toUpperCase().padStart(2, '0')}`;
      else if (cp <= 0xffff) out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
      else out += `\\U${cp.toString(16).toUpperCase().padStart(8, '0')}`;
    } else {
      out += ch;
    }
  }
  return out + '"';
}

function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}

function isBreak(ch: string | undefined): boolean {
  return ch === '\n' || ch === '\r' || ch === '\u0085' || ch === '\u2028' || ch === '\u2029';
}

function isBlankOrEnd(ch: string | undefined): boolean {
  return ch === undefined || ch === ' ' || ch === '\t' || isBreak(ch);
}

interface Analysis {
  readonly blockPlainAllowed: boolean;
  readonly singleQuotedAllowed: boolean;
  readonly blockAllowed: boolean;
}

/** libyaml's `yaml_emitter_analyze_scalar`, for block context. */
function analyze(s: string): Analysis {
  if (s === '') return { blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  // Code points; a string without surrogates is its own list of code points.
  const chars: ArrayLike<string> = /[\ud800-\udfff]/.test(s) ? [...s] : s;
  let blockIndicators = s.startsWith('---') || s.startsWith('...');
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    const followedByWhitespace = isBlankOrEnd(chars[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true;
      if ((c === '?' || c === ':') && followedByWhitespace) blockIndicators = true;
      if (c === '-' && followedByWhitespace) blockIndicators = true;
    } else {
      if (c === ':' && followedByWhitespace) blockIndicators = true;
      if (c === '#' && precededByWhitespace) blockIndicators = true;
    }
    const cp = c.codePointAt(0) as number;
    if (!isPrintable(cp)) special = true;
    if (isBreak(c)) lineBreaks = true;
    if (c === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankOrEnd(c);
  }
  let blockPlain = true;
  let single = true;
  let block = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlain = false;
  if (trailingSpace) block = false;
  if (breakSpace) {
    blockPlain = false;
    single = false;
  }
  if (spaceBreak || special) {
    blockPlain = false;
    single = false;
    block = false;
  }
  if (lineBreaks) blockPlain = false;
  if (blockIndicators) blockPlain = false;
  return { blockPlainAllowed: blockPlain, singleQuotedAllowed: single, blockAllowed: block };
}

// ------------------------------------------------------------ what a plain scalar would read back as

const RESOLVED: ReadonlySet<string> = new Set([
  'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
  '', '~', 'null', 'Null', 'NULL',
  '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF',
]);
const OLD_BOOLS: ReadonlySet<string> = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);
const INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;
const TIMESTAMP = /^\d{4}-\d{1,2}-\d{1,2}(?:(?:[Tt]|[ \t]+)\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d{1,2}(?::\d{2})?))?)?$/;

/** yaml.v3's resolver: would `s`, written plain, read back as a string? */
function resolvesToString(s: string): boolean {
  if (RESOLVED.has(s)) return false;
  const c = s[0];
  if (c === '.') return !DOT_FLOAT.test(s);
  if (c === '+' || c === '-' || (c >= '0' && c <= '9')) {
    if (TIMESTAMP.test(s)) return false;
    const plain = s.replace(/_/g, '');
    return !(INT.test(plain) || FLOAT.test(plain));
  }
  return true;
}

const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

function isBase60Float(s: string): boolean {
  return BASE60_FLOAT.test(s);
}

/**
 * yaml.v3's map key order: digit runs compare as numbers, letters after other
 * characters except after digits. (Compares UTF-16 units; letters outside the
 * Basic Multilingual Plane count as non-letters, a harmless simplification.)
 */
export function goYamlKeyLess(a: string, b: string): boolean {
  let digits = false;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ac = a.charCodeAt(i);
    const bc = b.charCodeAt(i);
    if (ac === bc) {
      digits = isDigitCode(ac);
      continue;
    }
    const al = isLetterCode(ac);
    const bl = isLetterCode(bc);
    if (al && bl) return ac < bc;
    if (al || bl) return digits ? al : bl;
    let an = 0;
    let bn = 0;
    if (ac === 48 || bc === 48) {
      for (let j = i - 1; j >= 0 && isDigitCode(a.charCodeAt(j)); j--) {
        if (a.charCodeAt(j) !== 48) {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < a.length && isDigitCode(a.charCodeAt(ai)); ai++) an = an * 10 + (a.charCodeAt(ai) - 48);
    let bi = i;
    for (; bi < b.length && isDigitCode(b.charCodeAt(bi)); bi++) bn = bn * 10 + (b.charCodeAt(bi) - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ac < bc;
  }
  return a.length < b.length;
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetterCode(c: number): boolean {
  if (c < 128) return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  if (c >= 0xd800 && c <= 0xdfff) return false;
  return /\p{L}/u.test(String.fromCharCode(c));
}
