import { lineStarts } from '../../../../src/compose/loader/line-starts';

describe('lineStarts', () => {
  it('gives 0 and the offset after every line feed', () => {
    expect(Array.from(lineStarts('a\nbc\n\nd'))).toEqual([0, 2, 5, 6]);
    expect(Array.from(lineStarts(''))).toEqual([0]);
    expect(Array.from(lineStarts('\n'))).toEqual([0, 1]);
    expect(Array.from(lineStarts('a\r\nb'))).toEqual([0, 3]);
  });

  it('answers the same text again without counting anew, and another text for itself', () => {
    const text = 'x\ny\n';
    const first = lineStarts(text);
    expect(lineStarts(text)).toBe(first);
    expect(Array.from(lineStarts('p\nq\nr'))).toEqual([0, 2, 4]);
    expect(Array.from(lineStarts(text))).toEqual([0, 2, 4]);
  });
});
