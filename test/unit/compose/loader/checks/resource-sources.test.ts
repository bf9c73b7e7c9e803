import { checkResourceSources } from '../../../../../src/compose/loader/checks/resource-sources';
import { lines, tree } from './helpers';

describe('checkResourceSources', () => {
  it('accepts one source, or external', () => {
    const t = tree(`configs:
  a: {file: ./a.conf}
  b: {environment: B}
  c: {content: "hello"}
  d: {external: true, name: real}
secrets:
  s: {file: ./s.txt}
  e: {environment: TOKEN}
  x: {external: true}
  v: {driver: vault, file: ./v.txt}
`);
    expect(checkResourceSources(t)).toEqual([]);
  });

  it('rejects two sources and no source', () => {
    const t = tree(`configs:
  a:
    file: ./a.conf
    content: hello
  empty: {}
secrets:
  s:
    environment: TOKEN
    file: ./s.txt
  none: {labels: {a: b}}
`);
    expect(lines(checkResourceSources(t))).toEqual([
      'c.yaml:4:5  configs.a.content  config "a" sets both "file" and "content": its data comes from exactly one of file, environment or content',
      'c.yaml:5:3  configs.empty  config "empty" has no data: set one of file, environment or content, or "external: true" for one that already exists',
      'c.yaml:9:5  secrets.s.file  secret "s" sets both "environment" and "file": its data comes from exactly one of file or environment',
      'c.yaml:10:3  secrets.none  secret "none" has no data: set one of file or environment, or "external: true" for one that already exists',
    ]);
  });

  it('rejects a driver without a source, for secrets and configs alike (TestSecretDriver)', () => {
    const t = tree(`configs:
  c: {driver: vault, driver_opts: {path: x}}
secrets:
  secret:
    name: secret
    driver: secret-bucket
    driver_opts:
      OptionA: value for driver option A
`);
    expect(lines(checkResourceSources(t))).toEqual([
      'c.yaml:2:3  configs.c  config "c" has no data (a driver alone does not provide it): set one of file, environment or content, or "external: true" for one that already exists',
      'c.yaml:4:3  secrets.secret  secret "secret" has no data (a driver alone does not provide it): set one of file or environment, or "external: true" for one that already exists',
    ]);
  });
});
