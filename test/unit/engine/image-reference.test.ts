import { makeReference, parseReference } from '../../../src/engine/image-reference';
import { InvalidArgumentError } from '../../../src/engine/errors';

const D = 'sha256:' + 'ab'.repeat(32);
const D512 = 'sha512:' + 'cd'.repeat(64);

// input → [domain, path, tag, digest, canonical, familiar]
const valid: [string, string, string, string | undefined, string | undefined, string, string][] = [
  ['mysql', 'docker.io', 'library/mysql', 'latest', undefined, 'docker.io/library/mysql:latest', 'mysql:latest'],
  ['mysql:5.7', 'docker.io', 'library/mysql', '5.7', undefined, 'docker.io/library/mysql:5.7', 'mysql:5.7'],
  ['library/mysql:5.7', 'docker.io', 'library/mysql', '5.7', undefined, 'docker.io/library/mysql:5.7', 'mysql:5.7'],
  ['docker.io/mysql', 'docker.io', 'library/mysql', 'latest', undefined, 'docker.io/library/mysql:latest', 'mysql:latest'],
  ['docker.io/library/mysql:8', 'docker.io', 'library/mysql', '8', undefined, 'docker.io/library/mysql:8', 'mysql:8'],
  ['index.docker.io/library/mysql', 'docker.io', 'library/mysql', 'latest', undefined, 'docker.io/library/mysql:latest', 'mysql:latest'],
  ['index.docker.io/mysql', 'docker.io', 'library/mysql', 'latest', undefined, 'docker.io/library/mysql:latest', 'mysql:latest'],
  ['user/app', 'docker.io', 'user/app', 'latest', undefined, 'docker.io/user/app:latest', 'user/app:latest'],
  ['docker.io/user/app:v1', 'docker.io', 'user/app', 'v1', undefined, 'docker.io/user/app:v1', 'user/app:v1'],
  ['library/foo/bar', 'docker.io', 'library/foo/bar', 'latest', undefined, 'docker.io/library/foo/bar:latest', 'library/foo/bar:latest'],
  ['test_com/foo', 'docker.io', 'test_com/foo', 'latest', undefined, 'docker.io/test_com/foo:latest', 'test_com/foo:latest'],
  ['localhost:5000/team/app:1.2', 'localhost:5000', 'team/app', '1.2', undefined, 'localhost:5000/team/app:1.2', 'localhost:5000/team/app:1.2'],
  ['localhost/app', 'localhost', 'app', 'latest', undefined, 'localhost/app:latest', 'localhost/app:latest'],
  ['127.0.0.1:5000/library/debian', '127.0.0.1:5000', 'library/debian', 'latest', undefined, '127.0.0.1:5000/library/debian:latest', '127.0.0.1:5000/library/debian:latest'],
  ['test-com:8080/foo', 'test-com:8080', 'foo', 'latest', undefined, 'test-com:8080/foo:latest', 'test-com:8080/foo:latest'],
  ['xn--n3h.com/foo', 'xn--n3h.com', 'foo', 'latest', undefined, 'xn--n3h.com/foo:latest', 'xn--n3h.com/foo:latest'],
  ['[fc00::1]:5000/docker/docker', '[fc00::1]:5000', 'docker/docker', 'latest', undefined, '[fc00::1]:5000/docker/docker:latest', '[fc00::1]:5000/docker/docker:latest'],
  ['Foo/bar', 'Foo', 'bar', 'latest', undefined, 'Foo/bar:latest', 'Foo/bar:latest'],
  [`ghcr.io/org/app@${D}`, 'ghcr.io', 'org/app', undefined, D, `ghcr.io/org/app@${D}`, `ghcr.io/org/app@${D}`],
  [`busybox:1.36@${D}`, 'docker.io', 'library/busybox', '1.36', D, `docker.io/library/busybox:1.36@${D}`, `busybox:1.36@${D}`],
  [`mysql@${D512}`, 'docker.io', 'library/mysql', undefined, D512, `docker.io/library/mysql@${D512}`, `mysql@${D512}`],
  ['192.168.0.1:80', 'docker.io', 'library/192.168.0.1', '80', undefined, 'docker.io/library/192.168.0.1:80', '192.168.0.1:80'],
  ['docker---rules/dock__er.x-y_z', 'docker.io', 'docker---rules/dock__er.x-y_z', 'latest', undefined, 'docker.io/docker---rules/dock__er.x-y_z:latest', 'docker---rules/dock__er.x-y_z:latest'],
  ['docker.io/' + 'a1'.repeat(32), 'docker.io', 'library/' + 'a1'.repeat(32), 'latest', undefined, `docker.io/library/${'a1'.repeat(32)}:latest`, `${'a1'.repeat(32)}:latest`],
  ['app:' + 'T'.repeat(128), 'docker.io', 'library/app', 'T'.repeat(128), undefined, `docker.io/library/app:${'T'.repeat(128)}`, `app:${'T'.repeat(128)}`],
  ['example.com/' + 'ab/'.repeat(80) + 'cde', 'example.com', 'ab/'.repeat(80) + 'cde', 'latest', undefined, `example.com/${'ab/'.repeat(80)}cde:latest`, `example.com/${'ab/'.repeat(80)}cde:latest`],
  ['app:_under.Score-1', 'docker.io', 'library/app', '_under.Score-1', undefined, 'docker.io/library/app:_under.Score-1', 'app:_under.Score-1'],
];

describe('parseReference: valid references normalize as Docker does', () => {
  test.each(valid)('%s', (input, domain, path, tag, digest, canonical, familiar) => {
    const ref = parseReference(input);
    expect(ref).toEqual({
      domain,
      path,
      ...(tag !== undefined ? { tag } : {}),
      ...(digest !== undefined ? { digest } : {}),
      canonical,
      familiar,
    });
    // normalizing again is a no-op
    expect(parseReference(ref.canonical)).toEqual(ref);
    expect(parseReference(ref.familiar)).toEqual(ref);
  });
});

// input → a fragment the message must contain
const invalid: [string, RegExp][] = [
  ['', /empty/],
  ['MySQL', /must be lowercase/],
  ['docker/Docker', /must be lowercase/],
  ['docker.io/docker/Docker', /must be lowercase/],
  ['-docker', /component "-docker"/],
  ['docker-/docker', /component "docker-"/],
  ['_docker/_docker', /component/],
  ['dock..er/docker', /"dock..er" is not a valid registry host/],
  ['team/dock..er', /component "dock..er"/],
  ['team/dock_.er', /component "dock_.er"/],
  ['team/dock-.er', /component "dock-.er"/],
  ['team/dock___er', /component "dock___er"/],
  ['____/____', /component/],
  ['docker///docker', /empty path component/],
  ['docker/', /empty path component/],
  ['https://github.com/docker/docker', /not a valid registry host/],
  ['fc00::1:5000/debian', /not a valid registry host/],
  ['[fe80::1%eth0]:5000/debian', /not a valid registry host/],
  ['-docker.io/docker/docker', /not a valid registry host/],
  ['[fc00::1]', /tag/],
  ['mysql:', /tag after ":" is empty/],
  ['mysql:.hidden', /must not start with '.' or '-'/],
  ['mysql:-x', /must not start with '.' or '-'/],
  ['mysql:a/b', /"mysql:a" is not a valid registry host/],
  ['mysql:' + 'x'.repeat(129), /129 characters long, at most 128/],
  ['mysql@', /must have the form <algorithm>:<hex>/],
  ['mysql@sha256', /must have the form/],
  ['mysql@sha256:abc', /64 hexadecimal characters/],
  ['mysql@sha256:' + 'AB'.repeat(32), /lowercase hexadecimal/],
  ['mysql@sha256:' + 'ab'.repeat(33), /has 66/],
  ['mysql@md5:' + 'ab'.repeat(16), /unsupported digest algorithm "md5"/],
  ['mysql@sha256:' + 'ab'.repeat(32) + '@x', /lowercase hexadecimal/],
  ['ab'.repeat(32), /image ID/],
  ['my app', /white space/],
  [':latest', /repository name is empty/],
  ['a/' + 'b'.repeat(255), /longer than 255 characters/],
  ['example.com/' + 'ab/'.repeat(81) + 'c', /longer than 255/],
];

describe('parseReference: invalid references are rejected with the reason', () => {
  test.each(invalid)('%j', (input, reason) => {
    let caught: unknown;
    try {
      parseReference(input);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect((caught as Error).message).toContain(JSON.stringify(input));
    expect((caught as Error).message).toMatch(reason);
  });
});

describe('makeReference', () => {
  test('builds the same reference the parser does', () => {
    expect(makeReference('docker.io', 'library/mysql', undefined, D)).toEqual(parseReference(`mysql@${D}`));
    expect(makeReference('ghcr.io', 'org/app', 'v1')).toEqual(parseReference('ghcr.io/org/app:v1'));
  });
});
