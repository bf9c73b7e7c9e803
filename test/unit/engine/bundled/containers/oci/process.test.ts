import type { ContainerSpec } from '../../../../../../src/engine/containers';
import type { ImageConfig } from '../../../../../../src/engine/engine';
import { mergeEnv, resolveProcess } from '../../../../../../src/engine/bundled/containers/oci/process';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';

const spec = (over: Partial<ContainerSpec> = {}): ContainerSpec => ({ name: 'web-1', image: 'app', ...over });
const image: ImageConfig = { entrypoint: ['/entry.sh'], cmd: ['serve', '--port', '80'], env: ['PATH=/app/bin:/bin', 'MODE=prod', 'LANG=C'], workingDir: '/srv' };

describe('resolveProcess', () => {
  it("runs the image's entrypoint with its cmd when the service sets neither", () => {
    expect(resolveProcess(spec(), image)).toEqual({ args: ['/entry.sh', 'serve', '--port', '80'], env: image.env, cwd: '/srv' });
  });

  it("replaces the image's cmd with the command, keeping the entrypoint", () => {
    expect(resolveProcess(spec({ command: ['migrate'] }), image).args).toEqual(['/entry.sh', 'migrate']);
  });

  it("drops the image's cmd when only the entrypoint is given", () => {
    expect(resolveProcess(spec({ entrypoint: ['/bin/sh', '-c'] }), image).args).toEqual(['/bin/sh', '-c']);
    expect(resolveProcess(spec({ entrypoint: ['/bin/sh', '-c'], command: ['echo hi'] }), image).args).toEqual(['/bin/sh', '-c', 'echo hi']);
  });

  it("clears the image's entrypoint with an empty one ([] or [''])", () => {
    expect(resolveProcess(spec({ entrypoint: [], command: ['ls'] }), image).args).toEqual(['ls']);
    expect(resolveProcess(spec({ entrypoint: [''], command: ['ls', '-l'] }), image).args).toEqual(['ls', '-l']);
  });

  it('says "no command specified" when nothing is left to run', () => {
    expect(() => resolveProcess(spec({ entrypoint: [] }), image)).toThrow(InvalidArgumentError);
    expect(() => resolveProcess(spec({ entrypoint: [] }), image)).toThrow(/^no command specified/);
    expect(() => resolveProcess(spec(), {})).toThrow('no command specified');
    expect(() => resolveProcess(spec({ command: [] }), { cmd: ['x'] })).toThrow('no command specified');
  });

  it("overrides the image's env by key, in place, appending new keys", () => {
    const env = resolveProcess(spec({ env: ['MODE=dev', 'EXTRA=1', 'PATH=/usr/bin'] }), image).env;
    expect(env).toEqual(['PATH=/usr/bin', 'MODE=dev', 'LANG=C', 'EXTRA=1']);
  });

  it('removes a variable given without a value, and keeps values with "="', () => {
    expect(mergeEnv(['A=1', 'B=2'], ['A', 'C=x=y', 'B='])).toEqual(['B=', 'C=x=y']);
    expect(() => mergeEnv([], ['=oops'])).toThrow('no variable name');
  });

  it("resolves the working dir: the service's, relative to the image's, else the image's, else /", () => {
    expect(resolveProcess(spec({ workingDir: '/data' }), image).cwd).toBe('/data');
    expect(resolveProcess(spec({ workingDir: 'sub/dir/' }), image).cwd).toBe('/srv/sub/dir');
    expect(resolveProcess(spec({ workingDir: '../etc' }), image).cwd).toBe('/etc');
    expect(resolveProcess(spec(), { cmd: ['x'] }).cwd).toBe('/');
    expect(resolveProcess(spec({ workingDir: 'rel' }), { cmd: ['x'] }).cwd).toBe('/rel');
    expect(resolveProcess(spec(), { cmd: ['x'], workingDir: 'app' }).cwd).toBe('/app');
  });
});
