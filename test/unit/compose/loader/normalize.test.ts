import { parse } from 'yaml';
import { formatDiagnostic, ValidationError, type Diagnostic } from '../../../../src/compose/errors';
import { normalize, type NormalizeContext } from '../../../../src/compose/loader/normalize';
import { parseYaml } from '../../../../src/compose/loader/parse';
import { keyPos, locate, stripOrigins, type TreeMap } from '../../../../src/compose/loader/tree';

interface Run {
  tree: TreeMap;
  warnings: string[];
}

function run(source: string, overrides: Partial<NormalizeContext> & { files?: Record<string, string>; env?: Record<string, string> } = {}): Run {
  const warnings: Diagnostic[] = [];
  const files = overrides.files ?? {};
  const env = overrides.env ?? {};
  const tree = normalize(parseYaml(source, '/p/compose.yaml').tree, {
    projectName: 'proj',
    projectDir: '/p',
    resolvePaths: true,
    readFile: (p) => files[p],
    lookupEnv: (n) => env[n],
    warn: (d) => warnings.push(d),
    ...overrides,
  });
  return { tree, warnings: warnings.map(formatDiagnostic) };
}

const plain = (r: Run): unknown => stripOrigins(r.tree);

function errorsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ValidationError) return e.diagnostics.map(formatDiagnostic);
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('normalize: environment and env_file', () => {
  const files = {
    '/p/one.env': 'FOO=foo_from_1\nBAR=bar_from_1\nBAZ=baz_from_1\nREF=${FROM_SHELL}\n',
    '/p/two.env': 'BAR=bar_from_2\nCHAIN=${BAR}-x\n',
  };

  it('reads env files in order, environment wins, valueless entries come from the project environment', () => {
    const r = run(
      `services:
  web:
    image: a
    env_file: [one.env, {path: two.env, required: true}, {path: missing.env, required: false}]
    environment:
      BAZ: from_service
      QUX:
      UNSET:
`,
      { files, env: { QUX: 'qux_from_shell', FROM_SHELL: 'shell' }, implicitDefaults: false },
    );
    expect((plain(r) as { services: { web: unknown } }).services.web).toEqual(
      parse(`image: a
env_file: [{path: /p/one.env, required: true}, {path: /p/two.env, required: true}, {path: /p/missing.env, required: false}]
environment:
  FOO: foo_from_1
  BAR: bar_from_2
  BAZ: from_service
  REF: shell
  CHAIN: bar_from_2-x
  QUX: qux_from_shell
  UNSET: null
`),
    );
  });

  it('reports a missing required env file where it is listed', () => {
    expect(errorsOf(() => run('services:\n  web:\n    image: a\n    env_file:\n      - nope.env\n'))).toEqual([
      '/p/compose.yaml:5:9  services.web.env_file[0]  cannot read env file /p/nope.env: it does not exist or is not readable (mark it required: false if it is optional)',
    ]);
  });

  it('reads label files in order; labels win', () => {
    const r = run('services:\n  web:\n    image: a\n    labels: {B: own}\n    label_file: [./a.label, b.label]\n', {
      files: { '/p/a.label': 'A=1\nB=2\nC=3\n', '/p/b.label': 'C=${A}-c\n' },
      implicitDefaults: false,
    });
    expect((plain(r) as { services: { web: { labels: unknown } } }).services.web.labels).toEqual({ A: '1', B: 'own', C: '1-c' });
  });

  it('keeps positions: an environment key from the file points at the env_file entry', () => {
    const r = run('services:\n  web:\n    image: a\n    env_file: [one.env]\n    environment: {BAZ: x}\n', { files, implicitDefaults: false });
    const env = ((r.tree.services as TreeMap).web as TreeMap).environment as TreeMap;
    expect(keyPos(env, 'FOO', 'key')).toEqual({ file: '/p/compose.yaml', line: 4, col: 16 });
    expect(keyPos(env, 'BAZ', 'key')).toEqual({ file: '/p/compose.yaml', line: 5, col: 19 });
  });
});

describe('normalize: positions', () => {
  it('keeps every rebuilt value where it was written', () => {
    const r = run('services:\n  web:\n    image: a\n    ports:\n      - "80"\n      - "8080-8081:80-81"\n    volumes:\n      - ./x:/x\n    depends_on: [db]\n  db: {image: b}\n');
    const at = (...path: (string | number)[]): string | undefined => {
      const p = locate(r.tree, path);
      return p && `${p.line}:${p.col}`;
    };
    expect(at('services', 'web', 'ports', 2, 'target')).toBe('6:9');
    expect(at('services', 'web', 'volumes', 0, 'source')).toBe('8:9');
    expect(at('services', 'web', 'depends_on', 'db', 'condition')).toBe('9:18');
    expect(at('services', 'web', 'networks', 'default')).toBe('3:5');
  });
});

describe('normalize: implicit defaults', () => {
  it('puts services without networks on the default network and names every resource', () => {
    const r = run(`services:
  a: {image: a}
  b: {image: b, networks: [back]}
  c: {image: c, network_mode: host}
  d: {image: d, networks: {}}
networks:
  back:
  ext: {external: true}
  named: {name: my-net}
volumes:
  data:
  old: {external: {name: legacy}}
secrets:
  s: {file: ./s}
configs:
  c: {external: true}
`);
    expect(plain(r)).toEqual(
      parse(`services:
  a: {image: a, networks: {default: null}}
  b: {image: b, networks: {back: null}}
  c: {image: c, network_mode: host}
  d: {image: d, networks: {default: null}}
networks:
  back: {name: proj_back}
  ext: {external: true, name: ext}
  named: {name: my-net}
  default: {name: proj_default}
volumes:
  data: {name: proj_data}
  old: {external: true, name: legacy}
secrets:
  s: {file: /p/s, name: proj_s}
configs:
  c: {external: true, name: c}
`),
    );
  });

  it('adds no default network when no service uses it', () => {
    expect(plain(run('services:\n  a: {image: a, network_mode: none}\n'))).toEqual(parse('services: {a: {image: a, network_mode: none}}'));
  });

  it('infers dependencies from links, volumes_from and service: namespaces', () => {
    const r = run(`services:
  web:
    image: w
    links: [db:database, cache]
    volumes_from: [data:ro, "container:other"]
    network_mode: service:vpn
    ipc: service:shm
    depends_on: [cache]
`);
    expect(((plain(r) as TreeMap).services as TreeMap).web).toEqual(
      parse(`image: w
links: [db:database, cache]
volumes_from: [data:ro, "container:other"]
network_mode: service:vpn
ipc: service:shm
depends_on:
  cache: {condition: service_started, required: true}
  db: {condition: service_started, restart: true, required: true}
  vpn: {condition: service_started, restart: true, required: true}
  shm: {condition: service_started, restart: true, required: true}
  data: {condition: service_started, restart: false, required: true}
`),
    );
  });

  it('completes build: Dockerfile by default, args from the environment or dropped', () => {
    const r = run('services:\n  a:\n    build:\n      context: .\n      args: [SET, UNSET, GIVEN=1]\n    pull_policy: if_not_present\n', {
      env: { SET: 'from-env' },
    });
    expect(((plain(r) as TreeMap).services as TreeMap).a).toEqual(
      parse('build: {context: /p, dockerfile: Dockerfile, args: {SET: from-env, GIVEN: "1"}}\npull_policy: missing\nnetworks: {default: null}'),
    );
  });

  it('skips all of it when asked (config --no-normalize semantics)', () => {
    const r = run('services:\n  a:\n    build: .\nvolumes:\n  v:\n', { implicitDefaults: false });
    expect(plain(r)).toEqual(parse('services: {a: {build: {context: /p}}}\nvolumes: {v: {}}'));
  });
});

describe('normalize: paths and errors', () => {
  it('keeps paths as written with resolvePaths false, and still reads env files from the project directory', () => {
    const r = run('services:\n  a:\n    image: a\n    env_file: x.env\n    volumes: ["./d:/d"]\n', {
      resolvePaths: false,
      implicitDefaults: false,
      files: { '/p/x.env': 'A=1\n' },
    });
    expect(plain(r)).toEqual(
      parse(`services:
  a:
    image: a
    env_file: [{path: x.env, required: true}]
    volumes: [{type: bind, source: ./d, target: /d, bind: {create_host_path: true}}]
    environment: {A: "1"}
`),
    );
  });

  it('expands ~ with the home directory given, or HOME from the project environment', () => {
    const src = 'services:\n  a: {image: a, volumes: ["~/x:/x"]}\n';
    const source = (r: Run): unknown => (((r.tree.services as TreeMap).a as TreeMap).volumes as TreeMap[])[0].source;
    expect(source(run(src, { homeDir: '/h1' }))).toBe('/h1/x');
    expect(source(run(src, { env: { HOME: '/h2' } }))).toBe('/h2/x');
  });

  it('reports every problem at once, each where it is written', () => {
    expect(
      errorsOf(() =>
        run(`services:
  a:
    image: a
    ports: ["80:x"]
    mem_limit: much
  b:
    image: b
    healthcheck: {interval: soon}
`),
      ),
    ).toEqual([
      '/p/compose.yaml:4:13  services.a.ports[0]  invalid port "80:x": invalid containerPort: x',
      '/p/compose.yaml:5:16  services.a.mem_limit  invalid size "much": use a number of bytes or a number with a unit (b, k, m, g), e.g. 512m',
      '/p/compose.yaml:8:29  services.b.healthcheck.interval  invalid duration "soon": use a number with a unit (ns, us, ms, s, m, h), e.g. 1m30s',
    ]);
  });

  it('keeps what it cannot parse when values were not interpolated (config --no-interpolate)', () => {
    const r = run('services:\n  a:\n    image: a\n    ports: ["${PORT:-8080}:80", "9000:9000"]\n    mem_limit: ${MEM}\n    env_file: ${ENV_FILE}\n', {
      interpolated: false,
      implicitDefaults: false,
    });
    expect(plain(r)).toEqual(
      parse(`services:
  a:
    image: a
    ports: ["\${PORT:-8080}:80", "9000:9000"]
    mem_limit: "\${MEM}"
    env_file: [{path: "/p/\${ENV_FILE}", required: true}]
`),
    );
  });

  it('does not modify its input', () => {
    const input = parseYaml('services:\n  a: {image: a, ports: ["80"], environment: [A=1]}\n', 'c.yaml').tree;
    const before = JSON.stringify(stripOrigins(input));
    run('x: 1', {});
    normalize(input, { projectName: 'p', projectDir: '/p', resolvePaths: true, readFile: () => undefined, lookupEnv: () => undefined, warn: () => {} });
    expect(JSON.stringify(stripOrigins(input))).toBe(before);
  });
});
