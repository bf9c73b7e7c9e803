import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadProjectEnvironment, parseComposeEnvFiles } from '../../../../src/compose/loader/environment';
import { NotFoundError, ValidationError } from '../../../../src/compose/errors';
import { CONFORMANCE } from '../../../shared';

const TYPES_FIXTURES = path.join(CONFORMANCE, 'compose-go/types/fixtures');

function load(shell: Record<string, string | undefined>, files: Record<string, string>, envFiles: Array<[string, boolean]>) {
  return loadProjectEnvironment({
    shell,
    envFiles: envFiles.map(([p, required]) => ({ path: p, required })),
    readFile: (p) => files[p],
  });
}

describe('loadProjectEnvironment', () => {
  it('lets the shell win over env files, and a later file win over an earlier one', () => {
    const env = load(
      { A: 'shell', EMPTY: '', GONE: undefined },
      { '/p/one.env': 'A=one\nB=one\nC=one\nEMPTY=file\nGONE=file', '/p/two.env': 'B=two\nD=two' },
      [
        ['/p/one.env', true],
        ['/p/two.env', true],
      ],
    );
    expect(env.toRecord()).toEqual({ A: 'shell', B: 'two', C: 'one', D: 'two', EMPTY: '', GONE: 'file' });
    expect(env.get('A')).toBe('shell');
    expect(env.get('EMPTY')).toBe('');
    expect(env.get('NOPE')).toBeUndefined();
    expect(env.has('EMPTY')).toBe(true);
    expect(env.names().sort()).toEqual(['A', 'B', 'C', 'D', 'EMPTY', 'GONE']);
    expect(env.files).toEqual(['/p/one.env', '/p/two.env']);
  });

  it('knows where each value came from', () => {
    const env = load({ A: 'shell' }, { '/p/one.env': '# c\nA=one\nB=one\n', '/p/two.env': '\nB=two\nC=two' }, [
      ['/p/one.env', true],
      ['/p/two.env', true],
    ]);
    expect(env.origin('A')).toEqual({ kind: 'shell' });
    expect(env.origin('B')).toEqual({ kind: 'env-file', file: '/p/two.env', line: 2 });
    expect(env.origin('C')).toEqual({ kind: 'env-file', file: '/p/two.env', line: 3 });
    expect(env.origin('Z')).toBeUndefined();
    expect(env.explain('A')).toEqual({
      name: 'A',
      value: 'shell',
      origin: { kind: 'shell' },
      overridden: [{ value: 'one', origin: { kind: 'env-file', file: '/p/one.env', line: 2 } }],
      rule: 'the shell environment overrides env files',
    });
    expect(env.explain('B')?.rule).toBe('a later env file overrides an earlier one');
    expect(env.explain('B')?.overridden).toEqual([{ value: 'one', origin: { kind: 'env-file', file: '/p/one.env', line: 3 } }]);
    expect(env.explain('C')?.rule).toBe('set in an env file');
    expect(env.explain('Z')).toBeUndefined();
  });

  it('interpolates inside env files with the shell first, then the file itself, then earlier files', () => {
    const env = load(
      { HOST: 'shell-host' },
      {
        '/p/local.env': 'HOSTNAME=localhost\nURL="http://${HOSTNAME}"\nVIA_SHELL=${HOST}',
        '/p/dev.env': 'HOSTNAME=dev.example.com\nURL="http://${HOSTNAME}"\nKEEP=${VIA_SHELL}/x\nHOST=file-host',
      },
      [
        ['/p/local.env', true],
        ['/p/dev.env', true],
      ],
    );
    expect(env.get('URL')).toBe('http://dev.example.com');
    expect(env.get('KEEP')).toBe('shell-host/x');
    expect(env.get('HOST')).toBe('shell-host');
  });

  it('reads compose-go types/fixtures base.env then override.env', () => {
    const read = (p: string): string | undefined => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined);
    const env = loadProjectEnvironment({
      shell: { ZOT: 'zot_from_shell' },
      envFiles: [
        { path: path.join(TYPES_FIXTURES, 'base.env'), required: true },
        { path: path.join(TYPES_FIXTURES, 'override.env'), required: true },
      ],
      readFile: read,
    });
    expect(env.get('FOO')).toBe('foo_from_override.env');
    expect(env.get('INTERPOLATED_FOO')).toBe('foo_from_override.env');
    expect(env.get('BAR')).toBe('bar_from_override.env');
    expect(env.get('INTERPOLATED_BAR')).toBe('bar_from_override.env');
    expect(env.get('ZOT')).toBe('zot_from_shell');
    expect(env.get('INTERPOLATED_ZOT')).toBe('zot_from_shell');
    expect(env.origin('INTERPOLATED_FOO')).toEqual({ kind: 'env-file', file: path.join(TYPES_FIXTURES, 'override.env'), line: 2 });
  });

  it('a bare KEY in an env file inherits from the shell or an earlier file', () => {
    const env = load({ S: 'from-shell' }, { '/a.env': 'E=earlier', '/b.env': 'S\nE\nMISSING' }, [
      ['/a.env', true],
      ['/b.env', true],
    ]);
    expect(env.toRecord()).toEqual({ S: 'from-shell', E: 'earlier' });
  });

  it('fails on a missing required file, naming it; skips a missing optional one', () => {
    expect(() => load({}, {}, [['/p/custom.env', true]])).toThrow(NotFoundError);
    expect(() => load({}, {}, [['/p/custom.env', true]])).toThrow('/p/custom.env');
    const env = load({ A: '1' }, {}, [['/p/.env', false]]);
    expect(env.toRecord()).toEqual({ A: '1' });
    expect(env.files).toEqual([]);
  });

  it('reports the problems of every env file at once', () => {
    let error: unknown;
    try {
      load({}, { '/a.env': 'bad key=1', '/b.env': 'X=${' }, [
        ['/a.env', true],
        ['/b.env', true],
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).diagnostics.map((d) => `${d.pos?.file}:${d.pos?.line}:${d.pos?.col}`)).toEqual(['/a.env:1:1', '/b.env:1:3']);
  });
});

describe('parseComposeEnvFiles', () => {
  it('splits COMPOSE_ENV_FILES on commas', () => {
    expect(parseComposeEnvFiles('a.env, ./b.env,,c.env ')).toEqual(['a.env', './b.env', 'c.env']);
    expect(parseComposeEnvFiles(undefined)).toEqual([]);
    expect(parseComposeEnvFiles('')).toEqual([]);
  });
});
