import { entryComponents, symlinkClimbsOut } from '../../../../../../src/engine/bundled/containers/archive/entry-name';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';

describe('entryComponents (names of a tar extracted into a container)', () => {
  it.each([
    ['a/b/c', ['a', 'b', 'c']],
    ['./a//b/', ['a', 'b']],
    ['/etc/passwd', ['etc', 'passwd']], // absolute names are relative to the extraction directory
    ['a/../b', ['b']],
    ['.', []],
    ['./', []],
    ['', []],
    ['.wh.x', ['.wh.x']], // no whiteout meaning: just a name
    ['a/.wh..wh..opq', ['a', '.wh..wh..opq']],
  ])('%s', (name, expected) => {
    expect(entryComponents(name, '/tmp')).toEqual(expected);
  });

  it.each(['../escape', 'a/../../escape', '/../escape', './..', 'a/b/../../../c'])('refuses %s: outside of the extraction directory', (name) => {
    expect(() => entryComponents(name, '/tmp')).toThrow(InvalidArgumentError);
    expect(() => entryComponents(name, '/tmp')).toThrow(/is outside of "\/tmp"/);
  });

  it('refuses a NUL byte', () => {
    expect(() => entryComponents('a\0b', '/tmp')).toThrow(/NUL/);
  });
});

describe('symlinkClimbsOut (Docker’s "invalid symlink" check)', () => {
  it.each([
    [['link'], '../x', true],
    [['a', 'link'], '../x', false],
    [['a', 'link'], '../../x', true],
    [['a', 'link'], 'b/../../x', false],
    [['a', 'link'], 'b/../../../x', true],
    [['link'], '/etc/passwd', false], // absolute: read inside the container, never here
    [['link'], '/../../..', false],
    [['link'], '.', false],
    [['link'], 'x/y', false],
  ])('%j -> %s: %s', (entry, target, climbs) => {
    expect(symlinkClimbsOut(entry, target)).toBe(climbs);
  });
});
