import { didYouMean } from '../../../../../src/compose/loader/checks/did-you-mean';

describe('didYouMean', () => {
  it('suggests a close name', () => {
    expect(didYouMean('dbb', ['db', 'web'])).toBe(' — did you mean "db"?');
    expect(didYouMean('backnd', ['frontend', 'backend'])).toBe(' — did you mean "backend"?');
  });
  it('says nothing when no name is close', () => {
    expect(didYouMean('postgres', ['web', 'cache'])).toBe('');
    expect(didYouMean('x', [])).toBe('');
  });
});
