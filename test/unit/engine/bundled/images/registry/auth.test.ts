import { Authenticator, parseAuthenticate, pullScope, type AuthTarget, type TokenFetcher } from '../../../../../../src/engine/bundled/images/registry/auth';
import { staticCredentials, noCredentials } from '../../../../../../src/engine/bundled/images/registry/credentials';
import { RegistryError } from '../../../../../../src/engine/bundled/images/registry/errors';

describe('parseAuthenticate', () => {
  test.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/mysql:pull"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/mysql:pull' } }],
    ],
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    ['basic', [{ scheme: 'basic', params: {} }]],
    [
      'Bearer realm=https://r/token, service=reg , scope="repository:a:pull,push"',
      [{ scheme: 'bearer', params: { realm: 'https://r/token', service: 'reg', scope: 'repository:a:pull,push' } }],
    ],
    [
      'Basic realm="a, b", Bearer realm="https://t/x",Service="S"',
      [
        { scheme: 'basic', params: { realm: 'a, b' } },
        { scheme: 'bearer', params: { realm: 'https://t/x', service: 'S' } },
      ],
    ],
    ['Bearer realm="quoted \\"q\\" here"', [{ scheme: 'bearer', params: { realm: 'quoted "q" here' } }]],
    ['', []],
  ])('%s', (header, expected) => {
    expect(parseAuthenticate(header)).toEqual(expected);
  });

  test('several headers', () => {
    expect(parseAuthenticate(['Basic realm="x"', 'Bearer realm="y"']).map((c) => c.scheme)).toEqual(['basic', 'bearer']);
    expect(parseAuthenticate(undefined)).toEqual([]);
  });
});

const target: AuthTarget = { host: 'reg.example:5000', credentialHost: 'reg.example:5000', label: 'registry reg.example:5000', image: 'reg.example:5000/a:1' };
const bearer = parseAuthenticate('Bearer realm="https://auth.example/token",service="svc"');

function fakeTokenServer(answers: { status: number; body?: unknown }[]) {
  const calls: { url: URL; method: string; headers: Readonly<Record<string, string>>; body?: string }[] = [];
  const fetchToken: TokenFetcher = async (url, init) => {
    calls.push({ url, method: init.method, headers: init.headers, ...(init.body !== undefined ? { body: init.body } : {}) });
    const a = answers[Math.min(calls.length - 1, answers.length - 1)];
    return { status: a.status, body: Buffer.from(JSON.stringify(a.body ?? {})) };
  };
  return { calls, fetchToken };
}

describe('Authenticator', () => {
  test('anonymous bearer token: service, scope and client_id in the query; cached until shortly before expiry', async () => {
    let now = 1_000_000;
    const server = fakeTokenServer([{ status: 200, body: { token: 't1', expires_in: 300 } }, { status: 200, body: { access_token: 't2' } }]);
    const auth = new Authenticator({ credentials: noCredentials, fetchToken: server.fetchToken, now: () => now });
    const scopes = [pullScope('a')];
    expect(await auth.authorize(target, bearer, scopes)).toEqual({ header: 'Bearer t1', withCredentials: false });
    expect(server.calls[0].url.searchParams.get('service')).toBe('svc');
    expect(server.calls[0].url.searchParams.getAll('scope')).toEqual(['repository:a:pull']);
    expect(server.calls[0].url.searchParams.get('client_id')).toBe('tscompose');
    expect(server.calls[0].headers.Authorization).toBeUndefined();
    now += 289_000; // within 300 s minus the 10 s margin
    expect((await auth.authorize(target, bearer, scopes)).header).toBe('Bearer t1');
    expect(server.calls).toHaveLength(1);
    now += 2_000;
    expect((await auth.authorize(target, bearer, scopes)).header).toBe('Bearer t2');
    expect(server.calls).toHaveLength(2);
  });

  test('concurrent requests share one token fetch; other scopes get their own', async () => {
    const server = fakeTokenServer([{ status: 200, body: { token: 't' } }]);
    const auth = new Authenticator({ credentials: noCredentials, fetchToken: server.fetchToken });
    await Promise.all([1, 2, 3].map(() => auth.authorize(target, bearer, ['repository:a:pull'])));
    expect(server.calls).toHaveLength(1);
    await auth.authorize(target, bearer, ['repository:b:pull']);
    expect(server.calls).toHaveLength(2);
  });

  test('forget drops the cached token', async () => {
    const server = fakeTokenServer([{ status: 200, body: { token: 't1' } }, { status: 200, body: { token: 't2' } }]);
    const auth = new Authenticator({ credentials: noCredentials, fetchToken: server.fetchToken });
    await auth.authorize(target, bearer, ['s']);
    auth.forget(target, bearer[0], ['s']);
    expect((await auth.authorize(target, bearer, ['s'])).header).toBe('Bearer t2');
  });

  test('a challenge scope is added to ours', async () => {
    const server = fakeTokenServer([{ status: 200, body: { token: 't' } }]);
    const auth = new Authenticator({ credentials: noCredentials, fetchToken: server.fetchToken });
    const ch = parseAuthenticate('Bearer realm="https://a/t",scope="repository:a:pull repository:b:pull"');
    await auth.authorize(target, ch, ['repository:a:pull']);
    expect(server.calls[0].url.searchParams.getAll('scope')).toEqual(['repository:a:pull', 'repository:b:pull']);
  });

  test('credentials go to the realm as Basic; a refusal means wrong credentials', async () => {
    const server = fakeTokenServer([{ status: 401 }]);
    const auth = new Authenticator({
      credentials: staticCredentials({ 'reg.example:5000': { username: 'u', password: 'p:w' } }),
      fetchToken: server.fetchToken,
    });
    const err = await auth.authorize(target, bearer, ['s']).catch((e: unknown) => e);
    expect(server.calls[0].headers.Authorization).toBe(`Basic ${Buffer.from('u:p:w').toString('base64')}`);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).reason).toBe('unauthorized');
    expect((err as RegistryError).message).toMatch(/^wrong credentials for reg\.example:5000: its token server auth\.example refused them \(HTTP 401\)/);
    // a failed fetch is not cached
    await auth.authorize(target, bearer, ['s']).catch(() => undefined);
    expect(server.calls).toHaveLength(2);
  });

  test('anonymous refusal says credentials are needed; 5xx from the token server is retryable', async () => {
    const refused = new Authenticator({ credentials: noCredentials, fetchToken: fakeTokenServer([{ status: 403 }]).fetchToken });
    await expect(refused.authorize(target, bearer, ['s'])).rejects.toThrow(
      /^authentication required for reg\.example:5000 to pull reg\.example:5000\/a:1: .*docker login reg\.example:5000/,
    );
    const broken = new Authenticator({ credentials: noCredentials, fetchToken: fakeTokenServer([{ status: 503 }]).fetchToken });
    const e = (await broken.authorize(target, bearer, ['s']).catch((x: unknown) => x)) as RegistryError;
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('answered HTTP 503');
  });

  test('a token answer without a token, and a challenge without realm', async () => {
    const noToken = new Authenticator({ credentials: noCredentials, fetchToken: fakeTokenServer([{ status: 200, body: {} }]).fetchToken });
    await expect(noToken.authorize(target, bearer, ['s'])).rejects.toThrow(/answered without a token/);
    await expect(noToken.authorize(target, parseAuthenticate('Bearer service="x"'), ['s'])).rejects.toThrow(/no realm/);
  });

  test('Basic challenges use the stored credentials directly; none without credentials', async () => {
    const server = fakeTokenServer([]);
    const basicCh = parseAuthenticate('Basic realm="r"');
    const withCreds = new Authenticator({ credentials: staticCredentials({ 'reg.example:5000': { username: 'u', password: 'p' } }), fetchToken: server.fetchToken });
    expect(await withCreds.authorize(target, basicCh, ['s'])).toEqual({ header: `Basic ${Buffer.from('u:p').toString('base64')}`, withCredentials: true });
    const without = new Authenticator({ credentials: noCredentials, fetchToken: server.fetchToken });
    expect(await without.authorize(target, basicCh, ['s'])).toEqual({ withCredentials: false });
    expect(await without.authorize(target, [], ['s'])).toEqual({ withCredentials: false });
    expect(server.calls).toHaveLength(0);
  });

  test('identity tokens are exchanged by POST; registry tokens are sent as they are', async () => {
    const server = fakeTokenServer([{ status: 200, body: { access_token: 'at', expires_in: 60 } }]);
    const auth = new Authenticator({ credentials: staticCredentials({ 'reg.example:5000': { identityToken: 'rt' } }), fetchToken: server.fetchToken });
    expect(await auth.authorize(target, bearer, ['repository:a:pull'])).toEqual({ header: 'Bearer at', withCredentials: true });
    expect(server.calls[0].method).toBe('POST');
    const form = new URLSearchParams(server.calls[0].body);
    expect(Object.fromEntries(form)).toEqual({ grant_type: 'refresh_token', refresh_token: 'rt', client_id: 'tscompose', service: 'svc', scope: 'repository:a:pull' });

    const direct = new Authenticator({ credentials: staticCredentials({ 'reg.example:5000': { registryToken: 'rtok' } }), fetchToken: server.fetchToken });
    expect((await direct.authorize(target, bearer, ['s'])).header).toBe('Bearer rtok');
    expect(server.calls).toHaveLength(1);
  });
});
