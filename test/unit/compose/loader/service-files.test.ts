import { formatDiagnostic, type Diagnostic } from '../../../../src/compose/errors';
import { parseYaml } from '../../../../src/compose/loader/parse';
import { resolveServiceFiles } from '../../../../src/compose/loader/service-files';
import { isMap, stripOrigins, type TreeMap } from '../../../../src/compose/loader/tree';

interface Resolved {
  readonly environment: unknown;
  readonly errors: string[];
}

/** Resolves service `web` of `yaml` (env_file already in long form) with the given files and environment. */
function resolve(yaml: string, files: Record<string, string>, env: Record<string, string> = {}, lenient = false): Resolved {
  const tree = parseYaml(yaml, '/p/compose.yaml').tree;
  const services = tree.services as TreeMap;
  const web = services.web;
  if (!isMap(web)) throw new Error('no service web');
  const errors: Diagnostic[] = [];
  const out = resolveServiceFiles(web, 'web', {
    readFile: (p) => files[p],
    lookupEnv: (n) => env[n],
    resolvePath: (p) => (p.startsWith('/') ? p : `/p/${p}`),
    error: (d) => errors.push(d),
    lenient,
  });
  return { environment: (stripOrigins(out) as { environment?: unknown }).environment, errors: errors.map(formatDiagnostic) };
}

describe('resolveServiceFiles: env_file formats', () => {
  const files = {
    '/p/app.env': `JSON='{"key": "value"}'\nREF=$FROM_ENV\nESC="a\\tb"\n`,
    '/p/other.env': 'LATER=${JSON}\n',
  };

  it('reads format: raw as written — quotes kept, no interpolation, no escapes (TestRawEnvFile)', () => {
    const r = resolve(
      `services:
  web:
    image: a
    env_file:
      - {path: app.env, required: true, format: raw}
`,
      files,
      { FROM_ENV: 'env' },
    );
    expect(r).toEqual({ environment: { JSON: `'{"key": "value"}'`, REF: '$FROM_ENV', ESC: '"a\\tb"' }, errors: [] });
  });

  it('reads the default format (also named format: .env) with the .env syntax', () => {
    const yaml = (format: string) => `services:
  web:
    image: a
    env_file:
      - {path: app.env, required: true${format}}
      - {path: other.env, required: true}
`;
    const expected = { environment: { JSON: '{"key": "value"}', REF: 'env', ESC: 'a\tb', LATER: '{"key": "value"}' }, errors: [] };
    expect(resolve(yaml(''), files, { FROM_ENV: 'env' })).toEqual(expected);
    expect(resolve(yaml(', format: .env'), files, { FROM_ENV: 'env' })).toEqual(expected);
  });

  it('lets a later dotenv file refer to a raw one, and environment win over both', () => {
    const r = resolve(
      `services:
  web:
    image: a
    env_file:
      - {path: app.env, required: true, format: raw}
      - {path: other.env, required: true}
    environment: {REF: own}
`,
      files,
    );
    expect(r.environment).toEqual({ JSON: `'{"key": "value"}'`, REF: 'own', ESC: '"a\\tb"', LATER: `'{"key": "value"}'` });
  });

  it('refuses an unknown format once the file is read, at the entry; an absent optional file is not judged', () => {
    const r = resolve(
      `services:
  web:
    image: a
    env_file:
      - {path: app.env, required: true, format: RAW}
      - {path: missing.env, required: false, format: yaml}
      - {path: other.env, required: true, format: dotenv}
`,
      files,
    );
    expect(r.errors).toEqual([
      '/p/compose.yaml:5:9  services.web.env_file[0].format  unsupported env_file format "RAW": write "format: raw" to take values as written, or leave it out for the usual .env syntax',
      '/p/compose.yaml:7:9  services.web.env_file[2].format  unsupported env_file format "dotenv": write "format: raw" to take values as written, or leave it out for the usual .env syntax',
    ]);
  });

  it('does not refuse a format left uninterpolated (config --no-interpolate)', () => {
    const r = resolve('services:\n  web:\n    env_file: [{path: app.env, required: true, format: "${FORMAT}"}]\n', files, {}, true);
    expect(r.errors).toEqual([]);
  });

  it('reports a bad line of a raw file at its own position', () => {
    const r = resolve(
      `services:
  web:
    image: a
    env_file: [{path: bad.env, required: true, format: raw}]
`,
      { '/p/bad.env': 'OK=1\nDEBUG = true\n' },
    );
    expect(r.errors).toEqual([
      '/p/bad.env:2:1  DEBUG  variable name "DEBUG " cannot contain a blank (in a raw env file the name ends at the first "=")',
    ]);
  });
});
