import { LayerError } from '../../../../../../src/engine/bundled/images/unpack/layer-error';
import { isZeroBlock, parseNumber, parseTarHeader } from '../../../../../../src/engine/bundled/images/unpack/tar-header';
import { headerBlock } from './tar-builder';

const field = (bytes: number[] | string, length: number): Buffer => {
  const b = Buffer.alloc(length);
  if (typeof bytes === 'string') b.write(bytes, 'latin1');
  else Buffer.from(bytes).copy(b);
  return b;
};

describe('parseNumber', () => {
  test.each([
    ['0000644\0', 0o644],
    ['   644 \0', 0o644],
    ['644\0\0\0\0\0', 0o644],
    ['\0\0\0\0\0\0\0\0', 0],
    ['        ', 0],
    ['77777777777\0', 0o77777777777],
  ])('octal %j', (text, value) => {
    expect(parseNumber(field(text, text.length), 0, text.length, 'h', 'f')).toBe(value);
  });

  test('GNU base-256, positive and negative', () => {
    expect(parseNumber(field([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0], 12), 0, 12, 'h', 'size')).toBe(65536);
    expect(parseNumber(field([0x80, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0], 12), 0, 12, 'h', 'size')).toBe(2 ** 37);
    expect(parseNumber(field(Array(12).fill(0xff), 12), 0, 12, 'h', 'mtime')).toBe(-1);
    expect(parseNumber(field([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe], 12), 0, 12, 'h', 'mtime')).toBe(-2);
  });

  test('garbage is refused', () => {
    expect(() => parseNumber(field('12x4\0', 8), 0, 8, 'tar header at byte 0', 'mode')).toThrow(/mode is not an octal number/);
    expect(() => parseNumber(field('0008\0', 8), 0, 8, 'h', 'uid')).toThrow(LayerError);
    expect(() => parseNumber(field('12\0 34', 8), 0, 8, 'h', 'uid')).toThrow(LayerError);
    expect(() => parseNumber(field([0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 12), 0, 12, 'h', 'size')).toThrow(
      /out of range/,
    );
  });
});

describe('parseTarHeader', () => {
  test('a ustar header', () => {
    const h = parseTarHeader(headerBlock({ name: 'dir/file', mode: 0o104755, uid: 1, gid: 2, mtime: 3 }, 10), 0);
    expect(h).toMatchObject({ typeflag: '0', mode: 0o4755, uid: 1, gid: 2, size: 10, mtime: 3 });
    expect(h.name.toString()).toBe('dir/file');
  });

  test('the ustar prefix is joined to the name', () => {
    const name = `${'a'.repeat(120)}/${'b'.repeat(90)}`;
    expect(parseTarHeader(headerBlock({ name }, 0), 0).name.toString()).toBe(name);
  });

  test('a GNU header has no prefix (those bytes are its atime)', () => {
    const block = headerBlock({ name: 'f', format: 'gnu' }, 0);
    block.write('00000000017\0', 345, 'latin1'); // atime 15, fix the checksum
    block.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of block) sum += b;
    block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    const h = parseTarHeader(block, 0);
    expect(h.name.toString()).toBe('f');
    expect(h.atime).toBe(15);
  });

  test('device numbers', () => {
    expect(parseTarHeader(headerBlock({ name: 'n', type: 'char', devmajor: 1, devminor: 3 }, 0), 0)).toMatchObject({ typeflag: '3', devmajor: 1, devminor: 3 });
  });

  test('a wrong checksum is refused with the offset', () => {
    const block = headerBlock({ name: 'f' }, 0);
    block[0] = 0x67;
    expect(() => parseTarHeader(block, 1536)).toThrow('invalid tar header at byte 1536: checksum mismatch');
  });

  test('zero blocks', () => {
    expect(isZeroBlock(Buffer.alloc(512))).toBe(true);
    const b = Buffer.alloc(512);
    b[511] = 1;
    expect(isZeroBlock(b)).toBe(false);
  });
});
