import { projectDirectoryOf, selectFiles, type FileSystem } from '../../../../src/compose/loader/files';
import { NotFoundError } from '../../../../src/compose/errors';

function fakeFs(paths: string[]): FileSystem {
  const set = new Set(paths);
  return { isFile: (p) => set.has(p), readFile: (p) => (set.has(p) ? '' : undefined) };
}

describe('files stage', () => {
  it('uses -f files in order, relative to the working directory', () => {
    const fs = fakeFs(['/w/a.yml', '/other/b.yml']);
    expect(selectFiles({ workingDir: '/w', files: ['a.yml', '/other/b.yml'], fs }).files).toEqual(['/w/a.yml', '/other/b.yml']);
  });

  it('keeps - for stdin and fails on a missing file, naming it', () => {
    const fs = fakeFs([]);
    expect(selectFiles({ workingDir: '/w', files: ['-'], fs }).files).toEqual(['-']);
    expect(() => selectFiles({ workingDir: '/w', files: ['nope.yml'], fs })).toThrow(/\/w\/nope\.yml: no such compose file/);
  });

  it('splits COMPOSE_FILE by the path separator', () => {
    const fs = fakeFs(['/w/a.yml', '/w/b.yml']);
    expect(selectFiles({ workingDir: '/w', composeFile: 'a.yml:b.yml', fs }).files).toEqual(['/w/a.yml', '/w/b.yml']);
    expect(selectFiles({ workingDir: '/w', composeFile: 'a.yml;b.yml', pathSeparator: ';', fs }).files).toEqual(['/w/a.yml', '/w/b.yml']);
  });

  it('prefers -f over COMPOSE_FILE', () => {
    const fs = fakeFs(['/w/a.yml', '/w/b.yml']);
    expect(selectFiles({ workingDir: '/w', files: ['b.yml'], composeFile: 'a.yml', fs }).files).toEqual(['/w/b.yml']);
  });

  it('discovers compose.yaml before docker-compose.yml, with its override, in the nearest parent', () => {
    const fs = fakeFs(['/p/compose.yaml', '/p/docker-compose.yml', '/p/compose.override.yaml']);
    const sel = selectFiles({ workingDir: '/p/sub/dir', fs });
    expect(sel.files).toEqual(['/p/compose.yaml', '/p/compose.override.yaml']);
    expect(sel.warnings.map((w) => w.message)).toEqual(['found several compose files (compose.yaml, docker-compose.yml); using compose.yaml']);
  });

  it('discovers docker-compose.yml with docker-compose.override.yml', () => {
    const fs = fakeFs(['/p/docker-compose.yml', '/p/docker-compose.override.yml']);
    expect(selectFiles({ workingDir: '/p', fs }).files).toEqual(['/p/docker-compose.yml', '/p/docker-compose.override.yml']);
  });

  it('says where it looked when nothing is found', () => {
    expect(() => selectFiles({ workingDir: '/p', fs: fakeFs([]) })).toThrow(NotFoundError);
    expect(() => selectFiles({ workingDir: '/p', fs: fakeFs([]) })).toThrow(/no compose file found in \/p/);
  });

  it('puts the project directory at --project-directory, else next to the first file', () => {
    expect(projectDirectoryOf({ workingDir: '/w', projectDirectory: 'x', files: ['/a/c.yml'] })).toBe('/w/x');
    expect(projectDirectoryOf({ workingDir: '/w', files: ['/a/c.yml', '/b/d.yml'] })).toBe('/a');
    expect(projectDirectoryOf({ workingDir: '/w', files: ['-'] })).toBe('/w');
  });
});
