import { closestMatch, editDistance } from '../../../../src/compose/loader/suggest';

describe('closestMatch', () => {
  const keys = ['image', 'environment', 'env_file', 'depends_on', 'ports', 'expose', 'secrets', 'restart'];

  it('forgives one extra, missing or changed letter', () => {
    expect(closestMatch('imagee', keys)).toBe('image');
    expect(closestMatch('imag', keys)).toBe('image');
    expect(closestMatch('portz', keys)).toBe('ports');
  });

  it('forgives transposed letters, case and dashes', () => {
    expect(closestMatch('imgae', keys)).toBe('image');
    expect(closestMatch('Environment', keys)).toBe('environment');
    expect(closestMatch('depends-on', keys)).toBe('depends_on');
  });

  it('recognises a truncated word', () => {
    expect(closestMatch('environ', keys)).toBe('environment');
  });

  it('stays silent when nothing is close', () => {
    expect(closestMatch('zzz', keys)).toBeUndefined();
    expect(closestMatch('command', keys)).toBeUndefined();
    expect(closestMatch('x', [])).toBeUndefined();
  });

  it('prefers the nearest, then the alphabetically first', () => {
    expect(closestMatch('expost', keys)).toBe('expose');
    expect(closestMatch('ab', ['ac', 'aa'])).toBe('aa');
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent transpositions', () => {
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('same', 'same')).toBe(0);
  });
});
