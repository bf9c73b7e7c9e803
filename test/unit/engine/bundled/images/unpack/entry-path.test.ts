import { entryPath } from '../../../../../../src/engine/bundled/images/unpack/entry-path';
import { LayerError } from '../../../../../../src/engine/bundled/images/unpack/layer-error';

test.each([
  ['etc/passwd', ['etc', 'passwd']],
  ['./etc//passwd/', ['etc', 'passwd']],
  ['/etc/passwd', ['etc', 'passwd']],
  ['//etc/./x/../passwd', ['etc', 'passwd']],
  ['a/b/../../c', ['c']],
  ['.', []],
  ['./', []],
  ['', []],
  ['a/..', []],
  ['.wh...', ['.wh...']],
  ['...', ['...']],
])('%j → %j', (name, comps) => {
  expect(entryPath(name)).toEqual(comps);
});

test.each(['..', '../x', 'a/../../x', '/../x', './..', 'a/b/../../../etc/passwd'])('%j escapes', (name) => {
  expect(() => entryPath(name)).toThrow(LayerError);
  expect(() => entryPath(name)).toThrow(/escapes the layer root/);
});

test('a NUL byte is refused; the error names the entry and what was checked', () => {
  expect(() => entryPath('a\0b')).toThrow(/contains a NUL byte/);
  expect(() => entryPath('../x', 'the-link', 'hard link target')).toThrow('layer entry "the-link": hard link target "../x" escapes');
});
