/**
 * Splits a `command` / `entrypoint` string into words the way Docker Compose
 * does (go-shellwords without variable or backtick expansion): blanks separate
 * words, single quotes keep everything, double quotes keep everything but
 * backslash escapes, and a backslash outside single quotes escapes the next
 * character. Like Docker Compose, parsing stops at an unquoted shell operator
 * (`;`, `&`, `|`, `<`, `>`); `rest` then holds what was left out.
 */

export interface ShellWords {
  readonly words: string[];
  /** The text from the first unquoted shell operator on, when there is one. */
  readonly rest?: string;
}

/** Throws an Error for an unterminated quote or a trailing backslash. */
export function splitShellWords(line: string): ShellWords {
  const words: string[] = [];
  let buf = '';
  let inWord = false;
  let escaped = false;
  let single = false;
  let double = false;
  const chars = [...line];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (escaped) {
      buf += c;
      escaped = false;
      inWord = true;
      continue;
    }
    if (c === '\\') {
      if (single) buf += c;
      else escaped = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      if (single || double) buf += c;
      else if (inWord) {
        words.push(buf);
        buf = '';
        inWord = false;
      }
      continue;
    }
    if (c === '"' && !single) {
      double = !double;
      inWord = true;
      continue;
    }
    if (c === "'" && !double) {
      single = !single;
      inWord = true;
      continue;
    }
    if (';&|<>'.includes(c) && !single && !double) {
      if (inWord) words.push(buf);
      return { words, rest: chars.slice(i).join('') };
    }
    buf += c;
    inWord = true;
  }
  if (escaped || single || double) throw new Error('unterminated quote or trailing backslash');
  if (inWord) words.push(buf);
  return { words };
}
