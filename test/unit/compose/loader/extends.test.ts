import { formatDiagnostic, ValidationError } from '../../../../src/compose/errors';
import { resolveExtends } from '../../../../src/compose/loader/extends';
import { parseYaml } from '../../../../src/compose/loader/parse';
import { locate, stripOrigins, type TreeMap } from '../../../../src/compose/loader/tree';

function yaml(src: string): string {
  const lines = src.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** A small project on a fake file system: absolute path → YAML. */
function project(files: Record<string, string>) {
  const loads: string[] = [];
  const trees = new Map<string, TreeMap>();
  const loadFile = (abs: string): TreeMap => {
    loads.push(abs);
    const text = files[abs];
    if (text === undefined) throw new ValidationError([{ path: '', message: 'cannot read this file', file: abs }]);
    if (!trees.has(abs)) trees.set(abs, parseYaml(yaml(text), abs).tree);
    return trees.get(abs)!;
  };
  const run = (file = '/p/compose.yaml'): TreeMap => resolveExtends(loadFile(file), { file, loadFile });
  return { run, loads, loadFile };
}

function services(files: Record<string, string>): unknown {
  return stripOrigins(project(files).run()).services;
}

function errors(files: Record<string, string>): string[] {
  try {
    project(files).run();
  } catch (e) {
    if (e instanceof ValidationError) return e.diagnostics.map(formatDiagnostic);
    throw e;
  }
  return [];
}

describe('extends stage', () => {
  it('merges the local definition over a service of the same file (05-services.md example)', () => {
    expect(
      services({
        '/p/compose.yaml': `
          services:
            common:
              image: busybox
              environment:
                TZ: utc
                PORT: 80
            cli:
              extends:
                service: common
              environment:
                - PORT=8080
        `,
      }),
    ).toEqual({
      common: { image: 'busybox', environment: { TZ: 'utc', PORT: 80 } },
      cli: { image: 'busybox', environment: { TZ: 'utc', PORT: '8080' } },
    });
  });

  it('follows chains, in the string form too, until no extends is left', () => {
    expect(
      services({
        '/p/compose.yaml': `
          services:
            cli:
              extends: common
            common:
              image: busybox
              extends:
                service: base
            base:
              image: busybox
              user: root
        `,
      }),
    ).toEqual({
      cli: { image: 'busybox', user: 'root' },
      common: { image: 'busybox', user: 'root' },
      base: { image: 'busybox', user: 'root' },
    });
  });

  it('replaces volumes with the same target (05-services.md example)', () => {
    expect(
      services({
        '/p/compose.yaml': `
          services:
            common:
              image: busybox
              volumes:
                - common-volume:/var/lib/backup/data:rw
            cli:
              extends: {service: common}
              volumes:
                - cli-volume:/var/lib/backup/data:ro
        `,
      }),
    ).toMatchObject({ cli: { image: 'busybox', volumes: ['cli-volume:/var/lib/backup/data:ro'] } });
  });

  it('takes a service from another file, resolving its paths against that file', () => {
    const p = project({
      '/p/compose.yaml': `
        services:
          web:
            extends:
              file: common/base.yml
              service: webapp
            volumes: [./local:/local]
            environment: {DEBUG: "1"}
      `,
      '/p/common/base.yml': `
        services:
          webapp:
            build: .
            env_file: ./extra.env
            volumes: [./data:/data]
            environment: {DEBUG: "0", MODE: prod}
      `,
    });
    expect(stripOrigins(p.run()).services).toEqual({
      web: {
        build: '/p/common',
        env_file: '/p/common/extra.env',
        volumes: ['/p/common/data:/data', './local:/local'],
        environment: { DEBUG: '1', MODE: 'prod' },
      },
    });
  });

  it('resolves files relative to the file that declares the extends, along a chain of files', () => {
    const p = project({
      '/p/compose.yaml': `
        services:
          app:
            extends: {file: sub/a.yml, service: a}
          app2:
            extends: {file: ./sub/a.yml, service: a}
      `,
      '/p/sub/a.yml': `
        services:
          a:
            extends: {file: ../lib/b.yml, service: b}
            image: a
          unrelated:
            extends: {file: nowhere.yml, service: x}
      `,
      '/p/lib/b.yml': `
        services:
          b:
            build: {context: ., dockerfile: Dockerfile}
            image: b
      `,
    });
    const out = stripOrigins(p.run()).services as TreeMap;
    expect(out.app).toEqual({ build: { context: '/p/lib', dockerfile: 'Dockerfile' }, image: 'a' });
    expect(out.app2).toEqual(out.app);
    // each file is asked for once; services of other files that are not used are not resolved
    expect(p.loads.filter((f) => f === '/p/sub/a.yml')).toHaveLength(1);
    expect(p.loads).not.toContain('/p/sub/nowhere.yml');
  });

  it('honours !reset and !override in the extending service', () => {
    expect(
      services({
        '/p/compose.yaml': `
          services:
            init:
              image: alpine:latest
              command: "sleep infinity"
              ports: ["80:80"]
            base:
              extends: { service: init }
              command: !reset
              ports: !override ["81:81"]
        `,
      }),
    ).toMatchObject({ base: { image: 'alpine:latest', ports: ['81:81'] } });
    expect(
      (services({
        '/p/compose.yaml': 'services:\n  i: {image: a, command: x}\n  b:\n    extends: i\n    command: !reset\n',
      }) as TreeMap).b,
    ).toEqual({ image: 'a' });
  });

  it('copies references to other services as they are (they must exist in the extending model)', () => {
    expect(
      services({
        '/p/compose.yaml': `
          services:
            service_a:
              image: a
              depends_on: [service_c]
              network_mode: "service:service_c"
            service_b:
              extends: service_a
              depends_on: !override [service_a]
            service_c:
              image: c
        `,
      }),
    ).toMatchObject({ service_b: { image: 'a', depends_on: ['service_a'], network_mode: 'service:service_c' } });
  });

  it('applies !override at every level of a chain across files (docker/compose#13298)', () => {
    const p = project({
      '/p/compose.yaml': `
        services:
          test:
            image: test
            extends: {file: ./override.yaml, service: override}
            volumes: [/zot:/zot]
            networks: !override [zot]
      `,
      '/p/override.yaml': `
        services:
          override:
            extends: {file: ./base.yaml, service: base}
            volumes: !override [/bar:/bar]
            networks: !override [bar]
      `,
      '/p/base.yaml': 'services:\n  base:\n    volumes: [/foo:/foo]\n    networks: [foo]\n',
    });
    expect(stripOrigins(p.run()).services).toEqual({ test: { image: 'test', volumes: ['/bar:/bar', '/zot:/zot'], networks: ['zot'] } });
  });

  it('merges depends_on along a chain after an !override in the middle (docker/compose#13346)', () => {
    expect(
      (services({
        '/p/compose.yaml': `
          services:
            main_one:
              image: nginx
              depends_on: [depend_one]
            main_two:
              extends: main_one
              depends_on: !override [depend_two]
            main:
              extends: {service: main_two}
              depends_on: [depend_base]
        `,
      }) as TreeMap).main,
    ).toEqual({
      image: 'nginx',
      depends_on: { depend_two: { condition: 'service_started', required: true }, depend_base: { condition: 'service_started', required: true } },
    });
  });

  it('accepts a base service that is empty', () => {
    expect(services({ '/p/compose.yaml': 'services:\n  nil:\n  t:\n    image: x\n    extends: nil\n' })).toEqual({ nil: null, t: { image: 'x' } });
  });

  it('keeps where each value was written, in the base file or the local one', () => {
    const p = project({
      '/p/compose.yaml': 'services:\n  web:\n    extends: {file: base.yml, service: b}\n    image: local\n',
      '/p/base.yml': 'services:\n  b:\n    image: base\n    restart: always\n',
    });
    const out = p.run();
    expect(locate(out, ['services', 'web', 'image'])).toEqual({ file: '/p/compose.yaml', line: 4, col: 12 });
    expect(locate(out, ['services', 'web', 'restart'])).toEqual({ file: '/p/base.yml', line: 4, col: 14 });
  });

  it('never changes the trees it is given', () => {
    const p = project({ '/p/compose.yaml': 'services:\n  a: {image: x, ports: ["1:1"]}\n  b: {extends: a, ports: ["2:2"]}\n' });
    const before = stripOrigins(p.loadFile('/p/compose.yaml'));
    p.run();
    expect(stripOrigins(p.loadFile('/p/compose.yaml'))).toEqual(before);
  });

  it('reports a cycle, naming the chain, at the extends key', () => {
    expect(
      errors({
        '/p/compose.yaml': `
          services:
            web:
              extends: base
            base:
              extends:
                service: web
            self:
              extends: self
        `,
      }),
    ).toEqual(['/p/compose.yaml:5:5  services.base.extends  extends cycle: web -> base -> web', '/p/compose.yaml:8:5  services.self.extends  extends cycle: self -> self']);
  });

  it('names the files of a cycle that crosses files', () => {
    expect(
      errors({
        '/p/compose.yaml': 'services:\n  a:\n    extends: {file: other.yml, service: b}\n',
        '/p/other.yml': 'services:\n  b:\n    extends: {file: compose.yaml, service: a}\n',
      }),
    ).toEqual(['/p/other.yml:3:5  services.b.extends  extends cycle: a -> b (other.yml) -> a']);
  });

  it('reports unknown services and unreadable files at the extends key, all at once', () => {
    expect(
      errors({
        '/p/compose.yaml': `
          services:
            a:
              extends: nope
            b:
              extends:
                service: ghost
                file: other.yml
            c:
              extends:
                file: missing.yml
                service: x
            d:
              extends: a
        `,
        '/p/other.yml': 'services:\n  real: {image: x}\n',
      }),
    ).toEqual([
      '/p/compose.yaml:3:14  services.a.extends  cannot extend service "nope": no such service in this file (services there: a, b, c, d)',
      '/p/compose.yaml:6:16  services.b.extends.service  cannot extend service "ghost": no such service in other.yml (services there: real)',
      '/p/compose.yaml:10:13  services.c.extends.file  cannot read the extended file missing.yml (/p/missing.yml): cannot read this file',
    ]);
  });

  it('passes on problems found inside the extended file with their own positions', () => {
    const problem = { pos: { file: '/p/bad.yml', line: 2, col: 3 }, path: 'services.x.image', message: 'must be a string' };
    const loadFile = (abs: string): TreeMap => {
      if (abs === '/p/bad.yml') throw new ValidationError([problem]);
      throw new Error('unexpected');
    };
    const tree = parseYaml('services:\n  a:\n    extends: {file: bad.yml, service: x}\n', '/p/compose.yaml').tree;
    expect(() => resolveExtends(tree, { file: '/p/compose.yaml', loadFile })).toThrow(ValidationError);
    try {
      resolveExtends(tree, { file: '/p/compose.yaml', loadFile });
    } catch (e) {
      expect((e as ValidationError).diagnostics).toEqual([problem]);
    }
  });
});
