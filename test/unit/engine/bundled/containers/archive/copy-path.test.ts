import { parseCopyPath } from '../../../../../../src/engine/bundled/containers/archive/copy-path';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';

describe('parseCopyPath (Docker’s reading of an archive GET path)', () => {
  it.each([
    // path,            components,        followFinal, topName
    ['/etc/hostname', ['etc', 'hostname'], false, 'hostname'],
    ['etc/hostname', ['etc', 'hostname'], false, 'hostname'], // relative = from the root
    ['/etc', ['etc'], false, 'etc'],
    ['/etc/', ['etc'], true, 'etc'], // trailing slash: follow a final symlink, must be a directory
    ['/etc//', ['etc'], true, 'etc'],
    ['/etc/.', ['etc'], true, '.'], // contents only
    ['/etc/./', ['etc'], true, '.'],
    ['/', [], true, ''], // the root: entries start with "/"
    ['/.', [], true, '.'],
    ['.', [], true, '.'],
    ['/etc/..', [], true, ''],
    ['/a/b/../c', ['a', 'c'], false, 'c'], // `..` is lexical, before any lookup (as Docker cleans)
    ['/../../x', ['x'], false, 'x'], // never above the root
    ['/a/..b', ['a', '..b'], false, '..b'],
    ['/a/.b', ['a', '.b'], false, '.b'],
  ])('%s', (input, components, followFinal, topName) => {
    expect(parseCopyPath(input)).toEqual({ clean: `/${components.join('/')}`, components, followFinal, topName });
  });

  it('refuses an empty path and a NUL byte', () => {
    expect(() => parseCopyPath('')).toThrow(InvalidArgumentError);
    expect(() => parseCopyPath('/etc/\0x')).toThrow(/NUL/);
  });
});
