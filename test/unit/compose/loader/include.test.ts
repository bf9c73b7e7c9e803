import { diagnostic, formatDiagnostic, ValidationError } from '../../../../src/compose/errors';
import { resolveIncludes, type IncludeRequest } from '../../../../src/compose/loader/include';
import { mergeTrees } from '../../../../src/compose/loader/merge';
import { parseYaml } from '../../../../src/compose/loader/parse';
import { locate, stripOrigins, type TreeMap } from '../../../../src/compose/loader/tree';

function yaml(src: string): string {
  const lines = src.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** Runs the include stage on /p/compose.yaml; `load` merges the requested files of a fake file system. */
function run(files: Record<string, string>, main = '/p/compose.yaml') {
  const requests: IncludeRequest[] = [];
  const load = (req: IncludeRequest): TreeMap => {
    requests.push(req);
    const trees = req.paths.map((p) => {
      if (files[p] === undefined) throw new ValidationError([diagnostic(undefined, '', 'cannot read this file', p)]);
      return parseYaml(yaml(files[p]), p).tree;
    });
    return trees.reduce((a, b) => mergeTrees(a, b));
  };
  const input = parseYaml(yaml(files[main]), main).tree;
  return { input, requests, out: () => resolveIncludes(input, { file: main, load }) };
}

function errors(files: Record<string, string>): string[] {
  try {
    run(files).out();
  } catch (e) {
    if (e instanceof ValidationError) return e.diagnostics.map(formatDiagnostic);
    throw e;
  }
  return [];
}

describe('include stage', () => {
  it('copies the resources of an included file (short syntax) and drops `include`', () => {
    const r = run({
      '/p/compose.yaml': `
        include:
          - sub/compose.yaml
        services:
          webapp:
            image: web
            depends_on: [db]
      `,
      '/p/sub/compose.yaml': `
        services:
          db: {image: postgres, volumes: [data:/var/lib/postgresql/data]}
        volumes:
          data: {}
        networks:
          back: {}
        name: ignored
      `,
    });
    expect(stripOrigins(r.out())).toEqual({
      services: { webapp: { image: 'web', depends_on: ['db'] }, db: { image: 'postgres', volumes: ['data:/var/lib/postgresql/data'] } },
      volumes: { data: {} },
      networks: { back: {} },
    });
    expect(r.requests).toEqual([
      {
        paths: ['/p/sub/compose.yaml'],
        projectDirectory: '/p/sub',
        envFiles: [],
        at: { file: '/p/compose.yaml', line: 2, col: 5 },
        keyPath: 'include[0]',
      },
    ]);
  });

  it('reads the long syntax: path list, project_directory and env_file, relative to the including file', () => {
    const r = run(
      {
        '/p/app/compose.yaml': `
          include:
            - path: [../commons/compose.yaml, ./commons-override.yaml]
              project_directory: ..
              env_file: ../another/.env
            - path: /abs/other.yaml
              env_file: [a.env, /etc/b.env]
        `,
        '/p/commons/compose.yaml': 'services:\n  c: {image: c}\n',
        '/p/app/commons-override.yaml': 'services:\n  c: {image: c2}\n',
        '/abs/other.yaml': 'services:\n  o: {image: o}\n',
      },
      '/p/app/compose.yaml',
    );
    expect(stripOrigins(r.out())).toEqual({ services: { c: { image: 'c2' }, o: { image: 'o' } } });
    expect(r.requests.map(({ at: _at, keyPath: _k, ...rest }) => rest)).toEqual([
      { paths: ['/p/commons/compose.yaml', '/p/app/commons-override.yaml'], projectDirectory: '/p', envFiles: ['/p/another/.env'] },
      { paths: ['/abs/other.yaml'], projectDirectory: '/abs', envFiles: ['/p/app/a.env', '/etc/b.env'] },
    ]);
    expect(r.requests.map((q) => `${q.at?.line}:${q.at?.col} ${q.keyPath}`)).toEqual(['2:5 include[0]', '5:5 include[1]']);
  });

  it('accepts a resource defined identically on both sides', () => {
    const r = run({
      '/p/compose.yaml': 'include: [inc.yaml]\nnetworks:\n  shared: {driver: bridge}\n',
      '/p/inc.yaml': 'networks:\n  shared:\n    driver: bridge\n',
    });
    expect(stripOrigins(r.out())).toEqual({ networks: { shared: { driver: 'bridge' } } });
  });

  it('reports every resource defined both here and in an included file, at the local definition', () => {
    expect(
      errors({
        '/p/compose.yaml': `
          include:
            - x.yml
            - other/y.yml
          services:
            web:
              image: mine
          secrets:
            token: {file: ./a}
        `,
        '/p/x.yml': 'services:\n  web: {image: theirs}\n  api: {image: api}\nsecrets:\n  token: {file: ./b}\n',
        '/p/other/y.yml': 'services:\n  api: {image: other-api}\n',
      }),
    ).toEqual([
      "/p/compose.yaml:5:3  services.web  defined both in compose.yaml and in included file x.yml (to change an included resource, list an override file in the include's path)",
      "/p/compose.yaml:8:3  secrets.token  defined both in compose.yaml and in included file x.yml (to change an included resource, list an override file in the include's path)",
      "/p/x.yml:3:3  services.api  defined both in x.yml and in included file other/y.yml (to change an included resource, list an override file in the include's path)",
    ]);
  });

  it('keeps where included resources were written', () => {
    const out = run({ '/p/compose.yaml': 'include: [inc.yaml]\n', '/p/inc.yaml': 'services:\n  db:\n    image: postgres\n' }).out();
    expect(locate(out, ['services', 'db', 'image'])).toEqual({ file: '/p/inc.yaml', line: 3, col: 12 });
    expect(locate(out, ['services', 'db'], 'key')).toEqual({ file: '/p/inc.yaml', line: 2, col: 3 });
  });

  it('passes on the problems of the included model, and rejects entries it cannot load', () => {
    expect(
      errors({
        '/p/compose.yaml': `
          include:
            - missing.yml
            - path: []
            - git@github.com:org/repo.git
            - {project_directory: x}
        `,
      }),
    ).toEqual([
      '/p/missing.yml  cannot read this file',
      '/p/compose.yaml:3:5  include[1]  include needs a `path`: a file, or a list of files merged together',
      '/p/compose.yaml:4:5  include[2]  remote include "git@github.com:org/repo.git" is not supported: only local files can be included',
      '/p/compose.yaml:5:5  include[3]  include needs a `path`: a file, or a list of files merged together',
    ]);
  });

  it('returns a model without include unchanged, and never changes its input', () => {
    const r = run({ '/p/compose.yaml': 'services:\n  a: {image: a}\n' });
    expect(r.out()).toBe(r.input);
    const r2 = run({ '/p/compose.yaml': 'include: [i.yaml]\nservices:\n  a: {image: a}\n', '/p/i.yaml': 'services:\n  b: {image: b}\n' });
    const before = stripOrigins(r2.input);
    r2.out();
    expect(stripOrigins(r2.input)).toEqual(before);
  });
});
