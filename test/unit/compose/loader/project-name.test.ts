import { normalizeProjectName, resolveProjectName } from '../../../../src/compose/loader/project-name';
import { parseYaml } from '../../../../src/compose/loader/parse';

describe('project name stage', () => {
  const tree = parseYaml('name: fromfile\nservices: {}\n', 'c.yaml').tree;

  it('follows -p, then COMPOSE_PROJECT_NAME, then name:, then the directory', () => {
    expect(resolveProjectName({ flag: 'flag', environment: 'env', tree, projectDir: '/x/dir' })).toEqual({ name: 'flag', source: 'flag' });
    expect(resolveProjectName({ environment: 'env', tree, projectDir: '/x/dir' })).toEqual({ name: 'env', source: 'environment' });
    expect(resolveProjectName({ tree, projectDir: '/x/dir' })).toEqual({ name: 'fromfile', source: 'file' });
    expect(resolveProjectName({ projectDir: '/x/My Dir.2' })).toEqual({ name: 'mydir2', source: 'directory' });
  });

  it('normalizes directory names as Docker Compose does', () => {
    expect(normalizeProjectName('UNNORMALIZED PATH')).toBe('unnormalizedpath');
    expect(normalizeProjectName('__a.b-C')).toBe('ab-c');
  });

  it('rejects an invalid explicit name, saying where it came from', () => {
    expect(() => resolveProjectName({ flag: 'Bad Name', projectDir: '/x' })).toThrow(/invalid project name "Bad Name" \(from -p\)/);
    expect(() => resolveProjectName({ environment: '-x', projectDir: '/x' })).toThrow(/COMPOSE_PROJECT_NAME/);
    const bad = parseYaml('name: "Upper"\n', 'c.yaml').tree;
    expect(() => resolveProjectName({ tree: bad, projectDir: '/x' })).toThrow(/^c\.yaml:1:7  name  invalid project name "Upper"/);
  });
});
