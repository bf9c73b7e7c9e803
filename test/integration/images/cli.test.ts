/**
 * `tscompose image …` as a person runs it: the built CLI (`npm run build` first) against the
 * local registry of stand-in images (127.0.0.1:5000, mirror-only), each test run in an
 * engine root of its own that is removed afterwards.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CLI = path.resolve(__dirname, '../../../dist/cli/main.js');
const MIRROR = 'http://127.0.0.1:5000';

jest.setTimeout(120_000);

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let root: string;
let env: NodeJS.ProcessEnv;

function tscompose(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...env, ...extraEnv }, encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Every file under `dir`, relative, to show nothing half-written was left. */
function leftovers(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-image-cli-'));
  env = {
    PATH: process.env.PATH,
    HOME: root, // no ~/.docker/config.json of the machine's
    TSCOMPOSE_ROOT: path.join(root, 'engine'),
    TSCOMPOSE_REGISTRY_MIRROR: MIRROR,
    TSCOMPOSE_REGISTRY_MIRROR_ONLY: '1',
  };
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('tscompose image', () => {
  it('pull prints Docker’s lines, ls lists the image, inspect shows its config, rm removes it and its layer', async () => {
    const pulled = await tscompose(['image', 'pull', 'busybox']);
    expect(pulled).toMatchObject({ code: 0, stdout: 'docker.io/library/busybox:latest\n' });
    expect(pulled.stderr).toMatch(/^latest: Pulling from library\/busybox\n/);
    expect(pulled.stderr).toMatch(/^[0-9a-f]{12}: Pull complete$/m);
    expect(pulled.stderr).toMatch(/^Digest: sha256:[0-9a-f]{64}$/m);
    expect(pulled.stderr).toMatch(/^Status: Downloaded newer image for busybox:latest$/m);

    const again = await tscompose(['image', 'pull', 'busybox:latest']);
    expect(again.stderr).toMatch(/^Status: Image is up to date for busybox:latest$/m);
    expect(again.stderr).toMatch(/^[0-9a-f]{12}: Already exists$/m);

    const ls = await tscompose(['image', 'ls']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE\nbusybox +latest +[0-9a-f]{12} +.+ ago +[\d.]+[kM]B\n$/);

    const inspect = await tscompose(['image', 'inspect', 'busybox']);
    const [image] = JSON.parse(inspect.stdout) as Array<{ Id: string; RepoTags: string[]; Config: { Cmd: string[] }; RootFS: { Layers: string[] } }>;
    expect(image?.RepoTags).toEqual(['busybox:latest']);
    expect(image?.Config.Cmd).toEqual(['sh']);
    expect((await tscompose(['image', 'ls', '-q', '--no-trunc'])).stdout).toBe(`${image?.Id}\n`);

    const rm = await tscompose(['image', 'rm', 'busybox']);
    expect(rm.code).toBe(0);
    expect(rm.stdout).toContain('Untagged: busybox:latest\n');
    expect(rm.stdout).toContain(`Deleted: ${image?.Id}\n`);
    expect((await tscompose(['image', 'ls', '-q'])).stdout).toBe('');
    expect(fs.readdirSync(path.join(root, 'engine', 'layers')).filter((n) => !n.startsWith('.'))).toEqual([]);
  });

  it('the debian layer is stored once for mysql and wordpress', async () => {
    expect((await tscompose(['image', 'pull', '-q', 'mysql:5.7'])).code).toBe(0);
    const wp = await tscompose(['image', 'pull', 'wordpress:php7.4']);
    expect(wp.code).toBe(0);
    expect(wp.stderr.match(/: Already exists$/gm)).toHaveLength(1);
    const inspect = JSON.parse((await tscompose(['image', 'inspect', 'mysql:5.7', 'wordpress:php7.4'])).stdout) as Array<{ RootFS: { Layers: string[] } }>;
    const [mysql, wordpress] = inspect.map((i) => i.RootFS.Layers);
    expect(mysql?.[0]).toBe(wordpress?.[0]);
    // three layers on disk: debian, mysql's and wordpress's own
    expect(fs.readdirSync(path.join(root, 'engine', 'layers')).filter((n) => !n.startsWith('.'))).toHaveLength(3);
  });

  it('bad input and unreachable registries fail with one clear line, exit 1, and leave nothing behind', async () => {
    const bad = await tscompose(['image', 'pull', 'Busybox:latest']);
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(bad.stderr).toBe('error: invalid image reference "Busybox:latest": repository name "library/Busybox" must be lowercase\n');

    const missing = await tscompose(['image', 'pull', 'busybox:no-such-tag']);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(/^error: image not found: busybox:no-such-tag .*manifest unknown/m);
    expect(missing.stderr).not.toMatch(/Pulling from/);

    const down = await tscompose(['image', 'pull', 'busybox'], { TSCOMPOSE_REGISTRY_MIRROR: 'http://127.0.0.1:9' });
    expect(down).toMatchObject({ code: 1, stdout: '' });
    expect(down.stderr).toMatch(/^error: cannot reach mirror http:\/\/127\.0\.0\.1:9 to pull busybox:latest: .*ECONNREFUSED/m);

    expect(leftovers(path.join(root, 'engine')).filter((f) => !f.endsWith('repositories.json'))).toEqual([]);
    const noStack = [bad, missing, down].map((o) => o.stderr).join('');
    expect(noStack).not.toMatch(/\n\s+at /);
  });

  it('inspect and rm of an unknown image name it and still handle the others', async () => {
    expect((await tscompose(['image', 'pull', '-q', 'busybox'])).code).toBe(0);
    const inspect = await tscompose(['image', 'inspect', 'nope', 'busybox']);
    expect(inspect.code).toBe(1);
    expect(inspect.stderr).toBe('error: No such image: nope\n');
    expect((JSON.parse(inspect.stdout) as unknown[]).length).toBe(1);

    const rm = await tscompose(['image', 'rm', 'nope', 'busybox']);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toBe('error: No such image: nope\n');
    expect(rm.stdout).toContain('Untagged: busybox:latest\n');
  });

  it('save writes a docker save tar that load reads into another engine; a failed save leaves no file', async () => {
    expect((await tscompose(['image', 'pull', '-q', 'busybox'])).code).toBe(0);
    const out = path.join(root, 'busybox.tar');
    const saved = await tscompose(['image', 'save', '-o', out, 'busybox']);
    expect(saved).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(fs.statSync(out).size).toBeGreaterThan(1 << 20);
    const other = { TSCOMPOSE_ROOT: path.join(root, 'other-engine') };
    const loaded = await tscompose(['image', 'load', '-i', out], other);
    expect(loaded).toMatchObject({ code: 0, stdout: 'Loaded image: busybox:latest\n' });
    const ids = async (extra: NodeJS.ProcessEnv = {}): Promise<string> => (await tscompose(['image', 'ls', '-q', '--no-trunc'], extra)).stdout;
    expect(await ids(other)).toBe(await ids());

    const failed = await tscompose(['image', 'save', '-o', path.join(root, 'nope.tar'), 'busybox', 'no-such-image']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^error: .*no-such-image/m);
    expect(fs.readdirSync(root).filter((n) => n.includes('nope.tar'))).toEqual([]);
  });
});
