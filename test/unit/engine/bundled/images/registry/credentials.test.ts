import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  dockerConfigCredentials,
  dockerConfigPath,
  keyHost,
  runCredentialHelper,
} from '../../../../../../src/engine/bundled/images/registry/credentials';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-creds-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeConfig(config: unknown, where = path.join(dir, 'docker')): string {
  fs.mkdirSync(where, { recursive: true });
  fs.writeFileSync(path.join(where, 'config.json'), JSON.stringify(config));
  return where;
}

/** A docker-credential-<name> script answering from a table (server URL → JSON), logging what it was asked. */
function writeHelper(name: string, answers: Record<string, unknown>, exitCode = 0): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const table = path.join(dir, `${name}.json`);
  fs.writeFileSync(table, JSON.stringify(answers));
  const script = path.join(bin, `docker-credential-${name}`);
  fs.writeFileSync(
    script,
    `#!/bin/sh
[ "$1" = get ] || { echo "bad verb $1" >&2; exit 2; }
url=$(cat)
echo "$url" >> "${dir}/${name}.log"
[ ${exitCode} -eq 0 ] || { echo "helper broke" >&2; exit ${exitCode}; }
node -e 'const t=require(process.argv[1]); const a=t[process.argv[2]]; if(!a){console.log("credentials not found in native keychain"); process.exit(1)} console.log(JSON.stringify(a))' "${table}" "$url"
`,
    { mode: 0o755 },
  );
  return bin;
}

describe('dockerConfigPath', () => {
  test('DOCKER_CONFIG wins over HOME', () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: '/cfg', HOME: '/home/u' })).toBe('/cfg/config.json');
    expect(dockerConfigPath({ HOME: '/home/u' })).toBe('/home/u/.docker/config.json');
    expect(dockerConfigPath({})).toBeUndefined();
  });
});

describe('keyHost', () => {
  test.each([
    ['https://index.docker.io/v1/', 'index.docker.io'],
    ['http://reg:5000/x/y', 'reg:5000'],
    ['ghcr.io', 'ghcr.io'],
    ['GHCR.io/', 'ghcr.io'],
  ])('%s → %s', (key, host) => expect(keyHost(key)).toBe(host));
});

describe('dockerConfigCredentials from auths', () => {
  test('base64 auth, username/password, Docker Hub key, hosts written as URLs', async () => {
    const cfg = writeConfig({
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hubuser:hub:pass') },
        'https://ghcr.io': { username: 'gh', password: 'tok' },
        '127.0.0.1:5001': { auth: b64('local:pw') },
        'reg.example': { identitytoken: 'refresh' },
        'empty.example': {},
      },
    });
    const store = dockerConfigCredentials({ env: { DOCKER_CONFIG: cfg, HOME: '/nonexistent' } });
    expect(await store.get('docker.io')).toEqual({ username: 'hubuser', password: 'hub:pass' });
    expect(await store.get('ghcr.io')).toEqual({ username: 'gh', password: 'tok' });
    expect(await store.get('127.0.0.1:5001')).toEqual({ username: 'local', password: 'pw' });
    expect(await store.get('reg.example')).toEqual({ identityToken: 'refresh' });
    expect(await store.get('empty.example')).toBeUndefined();
    expect(await store.get('quay.io')).toBeUndefined();
  });

  test('HOME/.docker/config.json when DOCKER_CONFIG is not set; nothing when there is no file', async () => {
    writeConfig({ auths: { 'r.example': { auth: b64('a:b') } } }, path.join(dir, 'home', '.docker'));
    expect(await dockerConfigCredentials({ env: { HOME: path.join(dir, 'home') } }).get('r.example')).toEqual({ username: 'a', password: 'b' });
    expect(await dockerConfigCredentials({ env: { HOME: path.join(dir, 'nobody') } }).get('r.example')).toBeUndefined();
  });

  test('a broken config.json is an error naming the file', async () => {
    fs.mkdirSync(path.join(dir, 'bad'));
    fs.writeFileSync(path.join(dir, 'bad', 'config.json'), '{ not json');
    await expect(dockerConfigCredentials({ env: { DOCKER_CONFIG: path.join(dir, 'bad') } }).get('x')).rejects.toThrow(
      new RegExp(`${path.join(dir, 'bad', 'config.json').replace(/[.]/g, '\\.')}: not valid JSON`),
    );
    writeConfig({ auths: { x: { auth: b64('nocolon') } } }, path.join(dir, 'bad2'));
    await expect(dockerConfigCredentials({ env: { DOCKER_CONFIG: path.join(dir, 'bad2') } }).get('x')).rejects.toThrow(
      /the "auth" of x is not base64 of "user:password"/,
    );
  });
});

describe('credential helpers', () => {
  test('credHelpers[host] is run with the server URL on stdin; Docker Hub is asked as https://index.docker.io/v1/', async () => {
    const bin = writeHelper('fake', {
      'ghcr.io': { ServerURL: 'ghcr.io', Username: 'gh', Secret: 's1' },
      'https://index.docker.io/v1/': { ServerURL: 'https://index.docker.io/v1/', Username: 'hub', Secret: 's2' },
    });
    const cfg = writeConfig({ credHelpers: { 'ghcr.io': 'fake', 'https://index.docker.io/v1/': 'fake' }, auths: { 'quay.io': { auth: b64('q:r') } } });
    const store = dockerConfigCredentials({ env: { DOCKER_CONFIG: cfg, PATH: `${bin}:${process.env.PATH}` } });
    expect(await store.get('ghcr.io')).toEqual({ username: 'gh', password: 's1' });
    expect(await store.get('docker.io')).toEqual({ username: 'hub', password: 's2' });
    expect(await store.get('quay.io')).toEqual({ username: 'q', password: 'r' }); // no helper for it
    expect(fs.readFileSync(path.join(dir, 'fake.log'), 'utf8').split('\n').filter(Boolean)).toEqual(['ghcr.io', 'https://index.docker.io/v1/']);
  });

  test('credsStore for every host; "credentials not found" falls back to auths; <token> means an identity token', async () => {
    const bin = writeHelper('store', { 'a.example': { Username: '<token>', Secret: 'refresh' } });
    const cfg = writeConfig({ credsStore: 'store', auths: { 'b.example': { auth: b64('b:c') } } });
    const store = dockerConfigCredentials({ env: { DOCKER_CONFIG: cfg, PATH: `${bin}:${process.env.PATH}` } });
    expect(await store.get('a.example')).toEqual({ identityToken: 'refresh' });
    expect(await store.get('b.example')).toEqual({ username: 'b', password: 'c' });
    expect(await store.get('c.example')).toBeUndefined();
  });

  test('a missing helper and a failing helper are errors saying which helper', async () => {
    const cfg = writeConfig({ credsStore: 'nosuchhelper' });
    await expect(dockerConfigCredentials({ env: { DOCKER_CONFIG: cfg, PATH: path.join(dir, 'empty') } }).get('x')).rejects.toThrow(
      /credential helper docker-credential-nosuchhelper \(configured in Docker's config.json\) is not installed or not on PATH/,
    );
    const bin = writeHelper('broken', {}, 3);
    await expect(runCredentialHelper('broken', 'x.example', { PATH: `${bin}:${process.env.PATH}` })).rejects.toThrow(
      /credential helper docker-credential-broken failed for x\.example \(exit 3\): helper broke/,
    );
  });

  test('the helper runner can be replaced', async () => {
    const cfg = writeConfig({ credHelpers: { 'r.example': 'x' } });
    const asked: string[] = [];
    const store = dockerConfigCredentials({
      env: { DOCKER_CONFIG: cfg },
      runHelper: async (helper, url) => {
        asked.push(`${helper} ${url}`);
        return JSON.stringify({ Username: 'u', Secret: 'p' });
      },
    });
    expect(await store.get('r.example')).toEqual({ username: 'u', password: 'p' });
    expect(asked).toEqual(['x r.example']);
  });
});
