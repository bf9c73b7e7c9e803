/**
 * Where the lines of a text start: offset 0 and the offset after every `\n`.
 * The stages that place things in a file's text (parse, interpolate) ask for
 * the same file's lines one after the other: the last answer is kept.
 */
let lastText: string | undefined;
let lastStarts: Uint32Array | undefined;

export function lineStarts(text: string): ArrayLike<number> {
  if (text === lastText && lastStarts !== undefined) return lastStarts;
  let count = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  const starts = new Uint32Array(count);
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts[n++] = i + 1;
  lastText = text;
  lastStarts = starts;
  return starts;
}
