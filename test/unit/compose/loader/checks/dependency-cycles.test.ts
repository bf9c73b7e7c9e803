import { checkDependencyCycles } from '../../../../../src/compose/loader/checks/dependency-cycles';
import { lines, tree } from './helpers';

describe('checkDependencyCycles', () => {
  it('accepts a DAG', () => {
    const t = tree(`services:
  web: {image: web, depends_on: {api: {condition: service_started, required: true}}}
  api: {image: api, depends_on: {db: {condition: service_healthy, required: true}}}
  db: {image: db}
`);
    expect(checkDependencyCycles(t)).toEqual([]);
  });

  it('names a cycle at the entry that closes it', () => {
    const t = tree(`services:
  a:
    image: a
    depends_on: {b: {condition: service_started, required: true}}
  b:
    image: b
    depends_on:
      c: {condition: service_started, required: true}
  c:
    image: c
    depends_on:
      a: {condition: service_healthy, required: true}
`);
    expect(lines(checkDependencyCycles(t))).toEqual([
      'c.yaml:12:7  services.c.depends_on.a  dependency cycle detected: a -> b -> c -> a; remove one of these depends_on entries',
    ]);
  });

  it('finds cycles through implicit dependencies and self-references', () => {
    const t = tree(`services:
  a: {image: a, links: [b]}
  b: {image: b, network_mode: "service:a"}
  c: {image: c, volumes_from: [c]}
`);
    expect(checkDependencyCycles(t).map((d) => `${d.path}: ${d.message}`)).toEqual([
      'services.c.depends_on.c: service "c" depends on itself: remove "c" from its depends_on',
    ]);
    const t2 = tree(`services:
  a: {image: a, links: [b]}
  b: {image: b, network_mode: "service:a"}
`);
    expect(lines(checkDependencyCycles(t2))).toEqual([
      'c.yaml:3:31  services.b.depends_on.a  dependency cycle detected: a -> b -> a; remove one of these depends_on entries',
    ]);
  });

  it('ignores references to unknown services (another check reports them)', () => {
    const t = tree(`services:
  a: {image: a, depends_on: {ghost: {condition: service_started, required: true}}}
`);
    expect(checkDependencyCycles(t)).toEqual([]);
  });
});
