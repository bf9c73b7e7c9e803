/**
 * Registry authentication (distribution's token spec and RFC 7235):
 *
 * - `WWW-Authenticate: Bearer realm="https://auth.example.com/token",service="registry",scope="repository:lib/app:pull"`
 *   → `GET <realm>?service=…&scope=…` (with Basic credentials when we have
 *   them, anonymously otherwise) → `{"token"|"access_token", "expires_in"}`
 *   → `Authorization: Bearer <token>`. An identity (refresh) token is
 *   exchanged with `POST <realm>` (`grant_type=refresh_token`) instead.
 * - `WWW-Authenticate: Basic realm="…"` → `Authorization: Basic base64(user:password)`.
 *
 * Tokens are cached per (registry, realm, service, scopes) until shortly
 * before they expire (60 s when the server gives no lifetime); concurrent
 * requests for the same token share one fetch.
 */
import type { CredentialStore, RegistryCredentials } from './credentials';
import { RegistryError } from './errors';

export interface AuthChallenge {
  /** Lower-cased: `bearer`, `basic`. */
  readonly scheme: string;
  /** Parameter names lower-cased. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parses one or more `WWW-Authenticate` headers (each possibly holding several
 * comma-separated challenges). Unparseable text is skipped, never thrown.
 */
export function parseAuthenticate(header: string | readonly string[] | undefined): AuthChallenge[] {
  if (header === undefined) return [];
  const headers = typeof header === 'string' ? [header] : header;
  const out: AuthChallenge[] = [];
  for (const h of headers) out.push(...parseOneHeader(h));
  return out;
}

function parseOneHeader(s: string): AuthChallenge[] {
  const out: { scheme: string; params: Record<string, string> }[] = [];
  let i = 0;
  const skipSpace = (): void => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < s.length && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(s[i])) i++;
    return s.slice(start, i);
  };
  while (i < s.length) {
    skipSpace();
    if (s[i] === ',') {
      i++;
      continue;
    }
    const name = token();
    if (name === '') {
      i++; // not a token character: skip it
      continue;
    }
    skipSpace();
    if (s[i] === '=' && out.length > 0) {
      // a parameter of the current challenge
      i++;
      skipSpace();
      let value = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i];
          i++;
        }
        i++; // closing quote
      } else {
        const start = i;
        while (i < s.length && s[i] !== ',' && s[i] !== ' ' && s[i] !== '\t') i++;
        value = s.slice(start, i);
      }
      out[out.length - 1].params[name.toLowerCase()] = value;
    } else {
      out.push({ scheme: name.toLowerCase(), params: {} });
    }
  }
  return out;
}

/** `repository:library/mysql:pull` */
export function pullScope(repositoryPath: string): string {
  return `repository:${repositoryPath}:pull`;
}

/** What the authenticator needs to know about the registry being talked to. */
export interface AuthTarget {
  /** `127.0.0.1:5000`, `registry-1.docker.io`: the key of the token cache and the name in messages. */
  readonly host: string;
  /** The host whose stored credentials apply (`docker.io` for Docker Hub). */
  readonly credentialHost: string;
  /** `registry 127.0.0.1:5000` / `mirror http://…`, for messages. */
  readonly label: string;
  /** The image being pulled, for messages. */
  readonly image: string;
}

/** One HTTP exchange with a token server, done by the client's transport (TLS, timeouts, redirects). */
export type TokenFetcher = (
  url: URL,
  init: { readonly method: 'GET' | 'POST'; readonly headers: Readonly<Record<string, string>>; readonly body?: string },
  signal?: AbortSignal,
) => Promise<{ readonly status: number; readonly body: Buffer }>;

export interface Authorization {
  /** The `Authorization` header value, undefined when the registry asked for nothing. */
  readonly header?: string;
  /** Whether stored credentials went into it (a later 401 then means they are wrong). */
  readonly withCredentials: boolean;
}

export interface AuthenticatorOptions {
  readonly credentials: CredentialStore;
  readonly fetchToken: TokenFetcher;
  /** Milliseconds clock (default Date.now). */
  readonly now?: () => number;
  /** Sent as `client_id` to token servers. */
  readonly clientId?: string;
}

interface CachedToken {
  readonly header: string;
  readonly withCredentials: boolean;
  readonly expiresAt: number;
}

const DEFAULT_TOKEN_LIFETIME_S = 60;

export class Authenticator {
  private readonly tokens = new Map<string, Promise<CachedToken>>();
  private readonly now: () => number;

  constructor(private readonly options: AuthenticatorOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The authorization for a request to `target` needing `scopes`, answering `challenges`. */
  async authorize(
    target: AuthTarget,
    challenges: readonly AuthChallenge[],
    scopes: readonly string[],
    signal?: AbortSignal,
  ): Promise<Authorization> {
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    if (bearer !== undefined) return this.bearer(target, bearer, scopes, signal);
    if (basic !== undefined) {
      const creds = await this.options.credentials.get(target.credentialHost);
      if (creds?.username === undefined) return { withCredentials: false };
      const encoded = Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64');
      return { header: `Basic ${encoded}`, withCredentials: true };
    }
    return { withCredentials: false };
  }

  /** Drops cached tokens for `target` and `scopes` (after the registry refused one). */
  forget(target: AuthTarget, challenge: AuthChallenge | undefined, scopes: readonly string[]): void {
    if (challenge === undefined) return;
    this.tokens.delete(cacheKey(target, challenge, scopes));
  }

  private async bearer(
    target: AuthTarget,
    challenge: AuthChallenge,
    scopes: readonly string[],
    signal?: AbortSignal,
  ): Promise<Authorization> {
    const key = cacheKey(target, challenge, scopes);
    const cached = this.tokens.get(key);
    if (cached !== undefined) {
      try {
        const t = await cached;
        if (t.expiresAt > this.now()) return { header: t.header, withCredentials: t.withCredentials };
      } catch {
        // a failed fetch: fetch again below
      }
      if (this.tokens.get(key) === cached) this.tokens.delete(key);
    }
    let pending = this.tokens.get(key);
    if (pending === undefined) {
      pending = this.fetchToken(target, challenge, scopes, signal);
      this.tokens.set(key, pending);
      pending.catch(() => {
        if (this.tokens.get(key) === pending) this.tokens.delete(key);
      });
    }
    const t = await pending;
    return { header: t.header, withCredentials: t.withCredentials };
  }

  private async fetchToken(
    target: AuthTarget,
    challenge: AuthChallenge,
    scopes: readonly string[],
    signal?: AbortSignal,
  ): Promise<CachedToken> {
    const realm = challenge.params.realm;
    if (realm === undefined || realm === '') {
      throw new RegistryError(
        `${target.label} asked for a bearer token without saying where to get one (no realm in WWW-Authenticate)`,
        'bad-response',
        target.label,
      );
    }
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryError(`${target.label} named an invalid token realm ${JSON.stringify(realm)}`, 'bad-response', target.label);
    }
    const creds: RegistryCredentials | undefined = await this.options.credentials.get(target.credentialHost);
    const started = this.now();
    if (creds?.registryToken !== undefined) {
      return { header: `Bearer ${creds.registryToken}`, withCredentials: true, expiresAt: Number.POSITIVE_INFINITY };
    }
    const allScopes = [...new Set([...(challenge.params.scope?.split(' ').filter((s) => s !== '') ?? []), ...scopes])];
    const service = challenge.params.service;
    const withCredentials = creds !== undefined && (creds.identityToken !== undefined || creds.username !== undefined);
    let answer: { status: number; body: Buffer };
    if (creds?.identityToken !== undefined) {
      const form = new URLSearchParams();
      form.set('grant_type', 'refresh_token');
      form.set('refresh_token', creds.identityToken);
      form.set('client_id', this.options.clientId ?? 'tscompose');
      if (service !== undefined) form.set('service', service);
      if (allScopes.length > 0) form.set('scope', allScopes.join(' '));
      answer = await this.options.fetchToken(
        url,
        { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() },
        signal,
      );
    } else {
      if (service !== undefined) url.searchParams.set('service', service);
      for (const s of allScopes) url.searchParams.append('scope', s);
      const headers: Record<string, string> = {};
      if (creds?.username !== undefined) {
        headers.Authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')}`;
      } else {
        url.searchParams.set('client_id', this.options.clientId ?? 'tscompose');
      }
      answer = await this.options.fetchToken(url, { method: 'GET', headers }, signal);
    }

    if (answer.status === 401 || answer.status === 403) {
      if (withCredentials) {
        throw new RegistryError(
          `wrong credentials for ${target.host}: its token server ${url.host} refused them (HTTP ${answer.status}) ` +
            `while pulling ${target.image}; check \`docker login ${target.credentialHost}\``,
          'unauthorized',
          target.label,
        );
      }
      throw new RegistryError(
        `authentication required for ${target.host} to pull ${target.image}: its token server ${url.host} ` +
          `refused anonymous access (HTTP ${answer.status}) and no credentials are stored for ${target.credentialHost} ` +
          `(run \`docker login ${target.credentialHost}\`)`,
        'unauthorized',
        target.label,
      );
    }
    if (answer.status < 200 || answer.status >= 300) {
      throw new RegistryError(
        `the token server ${url.host} of ${target.host} answered HTTP ${answer.status} while pulling ${target.image}`,
        'bad-response',
        target.label,
        answer.status >= 500,
      );
    }
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new RegistryError(`the token server ${url.host} of ${target.host} did not answer JSON`, 'bad-response', target.label);
    }
    const token =
      typeof json.token === 'string' && json.token !== ''
        ? json.token
        : typeof json.access_token === 'string' && json.access_token !== ''
          ? json.access_token
          : undefined;
    if (token === undefined) {
      throw new RegistryError(`the token server ${url.host} of ${target.host} answered without a token`, 'bad-response', target.label);
    }
    const lifetimeS =
      typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : DEFAULT_TOKEN_LIFETIME_S;
    const margin = Math.min(10_000, lifetimeS * 100); // 10 s, or a tenth of a short lifetime
    return { header: `Bearer ${token}`, withCredentials, expiresAt: started + lifetimeS * 1000 - margin };
  }
}

function cacheKey(target: AuthTarget, challenge: AuthChallenge, scopes: readonly string[]): string {
  return JSON.stringify([target.host, challenge.params.realm ?? '', challenge.params.service ?? '', [...scopes].sort()]);
}
