import { LayerError } from './layer-error';

/**
 * The records of a pax extended header (`<length> <key>=<value>\n` …), in order, values as
 * raw bytes (xattr values are binary). Throws LayerError on a malformed record.
 */
export function parsePax(body: Buffer, where: string): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  let pos = 0;
  while (pos < body.length) {
    // Some writers pad the body with NULs.
    if (body[pos] === 0) break;
    const space = body.indexOf(0x20, pos);
    const lengthText = space === -1 ? '' : body.toString('latin1', pos, space);
    if (!/^[0-9]{1,10}$/.test(lengthText)) throw new LayerError(`malformed pax header at ${where}: bad record length`);
    const length = Number(lengthText);
    const end = pos + length;
    if (length <= space - pos + 1 || end > body.length || body[end - 1] !== 0x0a) {
      throw new LayerError(`malformed pax header at ${where}: record overruns the header`);
    }
    const eq = body.indexOf(0x3d, space + 1);
    if (eq === -1 || eq >= end - 1) throw new LayerError(`malformed pax header at ${where}: record without "="`);
    const key = body.toString('utf8', space + 1, eq);
    if (key === '') throw new LayerError(`malformed pax header at ${where}: empty key`);
    records.set(key, body.subarray(eq + 1, end - 1));
    pos = end;
  }
  return records;
}
