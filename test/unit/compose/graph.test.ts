import * as fs from 'node:fs';
import * as path from 'node:path';
import { DependencyGraph, graphServicesOf, implicitDependencies, type GraphService } from '../../../src/compose/graph';
import { ValidationError, formatDiagnostic } from '../../../src/compose/errors';
import { parseYaml } from '../../../src/compose/loader/parse';
import { originOf, withOrigin, type TreeMap } from '../../../src/compose/loader/tree';
import { CONFORMANCE } from '../../shared';

const TESTDATA = path.join(CONFORMANCE, 'compose-go/loader/testdata');

function errorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

const svc = (name: string, ...deps: string[]): GraphService => ({ name, dependsOn: Object.fromEntries(deps.map((d) => [d, {}])) });

describe('DependencyGraph', () => {
  // web -> api -> db, web -> cache, worker -> db, standalone
  const g = DependencyGraph.fromServices([svc('web', 'api', 'cache'), svc('api', 'db'), svc('cache'), svc('db'), svc('worker', 'db'), svc('standalone')]);

  it('orders dependencies before dependents', () => {
    const order = g.dependencyOrder();
    expect(order).toHaveLength(6);
    const before = (a: string, b: string): boolean => order.indexOf(a) < order.indexOf(b);
    expect(before('db', 'api')).toBe(true);
    expect(before('api', 'web')).toBe(true);
    expect(before('cache', 'web')).toBe(true);
    expect(before('db', 'worker')).toBe(true);
    expect(order).toEqual(['db', 'api', 'cache', 'web', 'worker', 'standalone']);
  });

  it('gives the reverse order for stopping', () => {
    expect(g.reverseOrder()).toEqual(['standalone', 'worker', 'web', 'cache', 'api', 'db']);
  });

  it('lists direct and transitive dependencies and dependents', () => {
    expect(g.dependenciesOf('web')).toEqual(['api', 'cache']);
    expect(g.dependenciesOf('web', true)).toEqual(['db', 'api', 'cache']);
    expect(g.dependenciesOf('db')).toEqual([]);
    expect(g.dependentsOf('db')).toEqual(['api', 'worker']);
    expect(g.dependentsOf('db', true)).toEqual(['api', 'web', 'worker']);
    expect(g.dependentsOf('web')).toEqual([]);
    expect(() => g.dependenciesOf('nope')).toThrow(/no such service/);
  });

  it('groups services into levels that can start in parallel', () => {
    expect(g.levels()).toEqual([['db', 'cache', 'standalone'], ['api', 'worker'], ['web']]);
  });

  it('puts a service at the level after its deepest dependency', () => {
    const d = DependencyGraph.fromServices([svc('a', 'b', 'd'), svc('b', 'c'), svc('c', 'd'), svc('d')]);
    expect(d.levels()).toEqual([['d'], ['c'], ['b'], ['a']]);
  });

  it('gives the closure of some services in start order', () => {
    expect(g.closureOf(['web'])).toEqual(['db', 'api', 'cache', 'web']);
    expect(g.closureOf(['worker', 'standalone'])).toEqual(['db', 'worker', 'standalone']);
  });

  it('fills in defaults for condition, required and restart', () => {
    const d = DependencyGraph.fromServices([
      { name: 'a', dependsOn: { b: {}, c: { condition: 'service_healthy', restart: true }, e: { condition: 'service_completed_successfully', required: false } } },
      svc('b'),
      svc('c'),
      svc('e'),
    ]);
    expect(d.dependency('a', 'b')).toEqual({ condition: 'service_started', required: true, restart: false });
    expect(d.dependency('a', 'c')).toEqual({ condition: 'service_healthy', required: true, restart: true });
    expect(d.dependency('a', 'e')).toEqual({ condition: 'service_completed_successfully', required: false, restart: false });
    expect(d.dependency('b', 'a')).toBeUndefined();
  });

  it('skips an optional dependency on an absent service, rejects a required one', () => {
    const d = DependencyGraph.fromServices([{ name: 'a', dependsOn: { gone: { required: false } } }]);
    expect(d.dependenciesOf('a')).toEqual([]);
    const e = errorOf(() => DependencyGraph.fromServices([{ name: 'a', dependsOn: { gone: {} } }]));
    expect(e.diagnostics.map((x) => x.message)).toEqual(['service "a" depends on undefined service "gone"']);
    expect(e.diagnostics[0].path).toBe('services.a.depends_on.gone');
  });

  it('rejects an unknown condition', () => {
    const e = errorOf(() =>
      DependencyGraph.fromServices([{ name: 'a', dependsOn: { b: { condition: 'service_ready' as never } } }, svc('b')]),
    );
    expect(e.diagnostics[0].message).toMatch(/unknown condition "service_ready": use one of service_started, service_healthy/);
  });

  it('names a cycle', () => {
    const e = errorOf(() => DependencyGraph.fromServices([svc('a', 'b'), svc('b', 'c'), svc('c', 'a'), svc('d', 'a')]));
    expect(e.diagnostics).toHaveLength(1);
    expect(e.diagnostics[0].message).toMatch(/^dependency cycle detected: a -> b -> c -> a\b/);
    expect(e.diagnostics[0].path).toBe('services.c.depends_on.a');
  });

  it('reports each distinct cycle once', () => {
    const e = errorOf(() => DependencyGraph.fromServices([svc('a', 'b'), svc('b', 'a'), svc('x', 'y'), svc('y', 'x'), svc('z', 'a', 'x')]));
    expect(e.diagnostics.map((d) => d.message.split(';')[0])).toEqual([
      'dependency cycle detected: a -> b -> a',
      'dependency cycle detected: x -> y -> x',
    ]);
  });

  it('rejects a service that depends on itself', () => {
    const e = errorOf(() => DependencyGraph.fromServices([svc('a', 'a')]));
    expect(e.diagnostics[0].message).toBe('service "a" depends on itself: remove "a" from its depends_on');
  });

  it('handles a long chain without recursion trouble', () => {
    const n = 5000;
    const services = Array.from({ length: n }, (_, i) => (i === n - 1 ? svc(`s${i}`) : svc(`s${i}`, `s${i + 1}`)));
    const d = DependencyGraph.fromServices(services);
    expect(d.dependencyOrder()[0]).toBe(`s${n - 1}`);
    expect(d.levels()).toHaveLength(n);
  });
});

describe('DependencyGraph.fromTree', () => {
  it('reads normalized depends_on with conditions and positions', () => {
    const tree = parseYaml(
      `services:
  web:
    image: web
    depends_on:
      db: {condition: service_healthy, required: true, restart: true}
      migrate:
        condition: service_completed_successfully
        required: false
  db: {image: db}
  migrate: {image: migrate, depends_on: {db: {condition: service_healthy, required: true}}}
`,
      'compose.yaml',
    ).tree;
    const g = DependencyGraph.fromTree(tree);
    expect(g.dependencyOrder()).toEqual(['db', 'migrate', 'web']);
    expect(g.dependency('web', 'db')).toEqual({ condition: 'service_healthy', required: true, restart: true });
    expect(g.dependency('web', 'migrate')).toEqual({ condition: 'service_completed_successfully', required: false, restart: false });
    expect(graphServicesOf(tree)[0].positions?.migrate).toEqual({ file: 'compose.yaml', line: 6, col: 7 });
  });

  it('adds implicit dependencies from links, service namespaces and volumes_from', () => {
    const tree = parseYaml(
      `services:
  web:
    image: web
    links: ["db:database"]
    network_mode: "service:vpn"
    pid: "service:tracer"
    ipc: shareable
    volumes_from: ["data:ro", "container:outside"]
  db: {image: db}
  vpn: {image: vpn}
  tracer: {image: tracer}
  data: {image: data}
`,
      'compose.yaml',
    ).tree;
    expect(implicitDependencies((tree.services as TreeMap).web as TreeMap).map((r) => r.service)).toEqual(['db', 'vpn', 'tracer', 'data']);
    const g = DependencyGraph.fromTree(tree);
    expect(g.dependenciesOf('web')).toEqual(['db', 'vpn', 'tracer', 'data']);
    expect(g.dependency('web', 'vpn')).toEqual({ condition: 'service_started', required: true, restart: false });
  });

  it('places a depends_on entry implied by a link at the link', () => {
    const tree = parseYaml(
      `services:
  a:
    image: a
    depends_on: {b: {condition: service_started, required: true}}
  b:
    image: b
    links: ["a:alias"]
`,
      'compose.yaml',
    ).tree;
    const b = (tree.services as TreeMap).b as TreeMap;
    b.depends_on = withOrigin({ a: { condition: 'service_started', required: true, restart: true } }, originOf(b));
    const e = errorOf(() => DependencyGraph.fromTree(tree));
    expect(formatDiagnostic(e.diagnostics[0])).toBe(
      'compose.yaml:7:13  services.b.depends_on.a  dependency cycle detected: a -> b -> a; remove one of these depends_on entries',
    );
  });

  it('rejects the conformance cycle, at the depends_on entry that closes it', () => {
    const file = path.join(TESTDATA, 'compose-depends-on-cycle.yaml');
    const tree = parseYaml(fs.readFileSync(file, 'utf8'), file).tree;
    const e = errorOf(() => DependencyGraph.fromTree(tree));
    expect(e.diagnostics).toHaveLength(1);
    expect(formatDiagnostic(e.diagnostics[0])).toBe(
      `${file}:14:9  services.service3.depends_on.service1  dependency cycle detected: service1 -> service2 -> service3 -> service1; remove one of these depends_on entries`,
    );
    expect(e.diagnostics[0].pos).toEqual({ file, line: 14, col: 9 });
    expect(e.diagnostics[0].message).toMatch(/service1 -> service2 -> service3 -> service1/);
  });

  it('rejects the conformance self-dependency', () => {
    const file = path.join(TESTDATA, 'compose-depends-on-self.yaml');
    const tree = parseYaml(fs.readFileSync(file, 'utf8'), file).tree;
    const e = errorOf(() => DependencyGraph.fromTree(tree));
    expect(e.diagnostics).toHaveLength(1);
    expect(e.diagnostics[0].pos).toEqual({ file, line: 6, col: 9 });
    expect(e.diagnostics[0].path).toBe('services.service1.depends_on.service1');
    expect(e.diagnostics[0].message).toMatch(/depends on itself/);
  });
});
