import { linkTarget, memberName } from '../../../../../../src/engine/bundled/images/archive/member-name';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';

describe('memberName', () => {
  it.each([
    ['manifest.json', 'manifest.json'],
    ['./manifest.json', 'manifest.json'],
    ['./blobs//sha256/abc', 'blobs/sha256/abc'],
    ['blobs/sha256/', 'blobs/sha256'],
    ['./', ''],
    ['.', ''],
  ])('cleans %j to %j', (input, expected) => {
    expect(memberName(input)).toBe(expected);
  });

  it.each([
    ['../x', /image archive member "\.\.\/x": its name "\.\.\/x" contains "\.\.": it points outside the archive/],
    ['a/../../x', /contains "\.\."/],
    ['a/../b', /contains "\.\."/],
    ['/etc/passwd', /image archive member "\/etc\/passwd": its name "\/etc\/passwd" is absolute/],
    ['a\0b', /contains a NUL byte/],
  ])('refuses %j', (input, message) => {
    expect(() => memberName(input)).toThrow(InvalidArgumentError);
    expect(() => memberName(input)).toThrow(message);
  });

  it('names the referrer and what, for paths found in metadata', () => {
    expect(() => memberName('../../etc/passwd', 'manifest.json', 'image 1 Layers[0]')).toThrow(
      'image archive member "manifest.json": image 1 Layers[0] "../../etc/passwd" contains ".."',
    );
  });
});

describe('linkTarget', () => {
  it('resolves relative to the link directory, lexically', () => {
    expect(linkTarget('abc/layer.tar', '../def/layer.tar')).toBe('def/layer.tar');
    expect(linkTarget('abc/layer.tar', 'other.tar')).toBe('abc/other.tar');
    expect(linkTarget('a/b/c', '../../x')).toBe('x');
    expect(linkTarget('blobs', 'elsewhere/./x')).toBe('elsewhere/x');
  });

  it('refuses targets outside the archive', () => {
    expect(() => linkTarget('blobs', '/var/lib')).toThrow(/image archive member "blobs": a symbolic link to the absolute path "\/var\/lib"/);
    expect(() => linkTarget('abc/layer.tar', '../../x')).toThrow(/image archive member "abc\/layer.tar": a symbolic link to "..\/..\/x": it points outside/);
    expect(() => linkTarget('blobs', '..')).toThrow(InvalidArgumentError);
  });
});
