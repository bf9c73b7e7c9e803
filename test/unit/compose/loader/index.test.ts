/** The pipeline as a whole, on a fake file system: which files, which environment, which services. */
import * as path from 'node:path';
import { loadProject, type LoadOptions } from '../../../../src/compose/loader';
import type { FileSystem } from '../../../../src/compose/loader/files';
import { stripOrigins } from '../../../../src/compose/loader/tree';
import { ValidationError, type Diagnostic } from '../../../../src/compose/errors';

function fakeFs(files: Record<string, string>): FileSystem {
  return { readFile: (p) => files[p], isFile: (p) => p in files };
}

function load(files: Record<string, string>, opts: Partial<LoadOptions> & { workingDir: string }) {
  const warnings: Diagnostic[] = [];
  const r = loadProject({ env: {}, fs: fakeFs(files), onWarning: (d) => warnings.push(d), ...opts });
  const services = stripOrigins(r.tree).services as Record<string, Record<string, unknown>>;
  return { r, services, warnings: warnings.map((w) => `${w.path} ${w.message}`) };
}

describe('loadProject', () => {
  it('finds the file in a parent directory; the working directory .env wins over the project one', () => {
    const { r, services } = load(
      {
        '/p/compose.yaml': 'services:\n  a:\n    image: "x:${TAG}"\n    environment: {WHO: "${WHO}"}\n',
        '/p/.env': 'TAG=root\nWHO=root\n',
        '/p/sub/.env': 'WHO=sub\n',
      },
      { workingDir: '/p/sub' },
    );
    expect(r.projectDir).toBe('/p');
    expect(r.name.name).toBe('p');
    expect(services.a.image).toBe('x:root');
    expect(services.a.environment).toEqual({ WHO: 'sub' });
  });

  it('lets the shell win over every .env, and reads COMPOSE_FILE and COMPOSE_PROFILES from .env', () => {
    const { r, services } = load(
      {
        '/w/.env': 'COMPOSE_FILE=one.yml:two.yml\nCOMPOSE_PROFILES=dev\nTAG=env\n',
        '/w/one.yml': 'services:\n  a: {image: "a:${TAG}"}\n  d: {image: d, profiles: [dev]}\n  p: {image: p, profiles: [prod]}\n',
        '/w/two.yml': 'services:\n  a: {environment: [X=1]}\n',
      },
      { workingDir: '/w', env: { TAG: 'shell' } },
    );
    expect(r.files).toEqual(['/w/one.yml', '/w/two.yml']);
    expect(Object.keys(services).sort()).toEqual(['a', 'd']);
    expect(services.a).toMatchObject({ image: 'a:shell', environment: { X: '1' } });
    expect(r.allProfiles).toEqual(['dev', 'prod']);
    expect(r.disabledServices).toEqual(['p']);
  });

  it('keeps only the named services and their dependencies, and never reads the others’ env files', () => {
    const { services } = load(
      {
        '/w/compose.yaml':
          'services:\n  web: {image: w, depends_on: [db]}\n  db: {image: d}\n  broken: {image: b, env_file: /nowhere/.env}\n',
      },
      { workingDir: '/w', services: ['web'] },
    );
    expect(Object.keys(services).sort()).toEqual(['db', 'web']);
  });

  it('warns once per unset variable and about the obsolete version, and still loads', () => {
    const { warnings, services } = load(
      { '/w/compose.yaml': 'version: "3"\nservices:\n  a: {image: "i${X}", command: "echo ${X} ${Y:-y}"}\n' },
      { workingDir: '/w' },
    );
    expect(warnings).toEqual(['services.a.image variable X is not set; using an empty string', 'version the top-level "version" is obsolete and ignored']);
    expect(services.a.command).toEqual(['echo', 'y']);
  });

  it('reads stdin for -f -, with the working directory as project directory', () => {
    const { r, services } = load({}, { workingDir: '/w/app', files: ['-'], readStdin: () => 'services:\n  a:\n    image: x\n    volumes: [./data:/data]\n' });
    expect(r.name.name).toBe('app');
    expect((services.a.volumes as Array<{ source: string }>)[0].source).toBe(path.join('/w/app', 'data'));
  });

  it('gives ${COMPOSE_PROJECT_NAME} the name from -p or name:', () => {
    const files = { '/w/compose.yaml': 'name: fromfile\nservices:\n  a: {image: "${COMPOSE_PROJECT_NAME}-img"}\n' };
    expect(load(files, { workingDir: '/w' }).services.a.image).toBe('fromfile-img');
    expect(load(files, { workingDir: '/w', projectName: 'flag' }).services.a.image).toBe('flag-img');
  });

  it('reports a file’s template and schema problems in one go, not twice for one value', () => {
    const files = { '/w/compose.yaml': 'services:\n  a:\n    imagee: x\n    mem_limit: ${B\n    command: ${C:?needed}\n' };
    let messages: string[] = [];
    try {
      load(files, { workingDir: '/w' });
    } catch (e) {
      messages = (e as ValidationError).diagnostics.map((d) => `${d.pos?.line} ${d.path}`);
    }
    expect(messages).toEqual(['3 services.a.imagee', '4 services.a.mem_limit', '5 services.a.command']);
  });
});
