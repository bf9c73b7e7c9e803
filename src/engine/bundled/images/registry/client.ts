/**
 * The OCI distribution client: resolves an image reference to the manifest
 * for a platform (through an index or manifest list when there is one) and
 * streams blobs, verifying every digest.
 *
 * Per endpoint (see endpoints.ts: mirrors, Docker Hub, insecure fallbacks) it
 * pings `/v2/` once to learn the authentication challenge, authenticates each
 * request (auth.ts), follows redirects (never carrying the Authorization
 * header to another host), and retries with exponential back-off on 5xx,
 * resets and timeouts. A broken blob download is resumed with `Range` from
 * the last byte received. When an endpoint fails, the next one is tried; the
 * error reported is the most telling one (not found, refused … over
 * unreachable), naming the registry, the image and the cause.
 */
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { ImageRef, Platform } from '../../../engine';
import { InvalidArgumentError } from '../../../errors';
import { DEFAULT_DOMAIN, digestProblem } from '../../../image-reference';
import { Authenticator, parseAuthenticate, pullScope, type AuthChallenge, type AuthTarget, type Authorization } from './auth';
import type { RegistryConfig } from './config';
import { noCredentials, type CredentialStore } from './credentials';
import { endpointsFor, isInsecureHost, type Endpoint } from './endpoints';
import { RegistryError } from './errors';
import { CONFIG_TYPES, configPlatform, MANIFEST_ACCEPT, ManifestError, parseManifest, type Descriptor, type ParsedManifest } from './manifest';
import { formatPlatform, matchPlatform } from './platform';
import { BodyTooLargeError, isAbortError, isRetryableNetworkError, readBody, TimeoutError, Transport, type HttpResponse } from './transport';

export type { Descriptor } from './manifest';

export interface ResolvedImage {
  /** As asked (normalized). */
  readonly ref: ImageRef;
  /** Digest of the platform manifest actually used. */
  readonly manifestDigest: string;
  /** Digest of the index/list when there was one (what `docker pull` prints as Digest). */
  readonly indexDigest?: string;
  readonly manifestMediaType: string;
  /** Raw, verified. */
  readonly manifestBytes: Buffer;
  readonly config: Descriptor;
  /** Raw, verified. */
  readonly configBytes: Buffer;
  readonly layers: readonly Descriptor[];
  /** The platform the image config declares (else the index entry's, else the one asked for). */
  readonly platform: Platform;
  /** Which endpoint answered: `mirror http://127.0.0.1:5000`, `registry ghcr.io`. */
  readonly source: string;
}

export interface RegistryClientOptions {
  readonly config: RegistryConfig;
  /** Where credentials come from (default: none; the engine passes `dockerConfigCredentials`). */
  readonly credentials?: CredentialStore;
  /** A connection idle this long (connecting, waiting for headers, or mid-body) is dropped and retried. Default 30 s. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt, per request (a resumed blob counts retries without progress). Default 5. */
  readonly retries?: number;
  /** First back-off delay, doubled per retry with ±25 % jitter. Default 500 ms. */
  readonly retryDelayMs?: number;
  /** Longest back-off delay. Default 10 s. */
  readonly maxRetryDelayMs?: number;
  /** Largest manifest or index accepted. Default 4 MiB. */
  readonly maxManifestBytes?: number;
  /** Largest image config accepted. Default 32 MiB. */
  readonly maxConfigBytes?: number;
  /** Connections per host. Default 16. */
  readonly maxSockets?: number;
}

interface Ctx {
  readonly ref: ImageRef;
  readonly image: string;
  readonly ep: Endpoint;
  readonly target: AuthTarget;
  readonly scopes: readonly string[];
}

interface FetchedManifest {
  readonly bytes: Buffer;
  readonly digest: string;
  readonly parsed: ParsedManifest;
}

const MAX_REDIRECTS = 5;
const MAX_INDEX_DEPTH = 2;

export class RegistryClient {
  private readonly transport: Transport;
  private readonly authenticator: Authenticator;
  private readonly credentials: CredentialStore;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly maxManifestBytes: number;
  private readonly maxConfigBytes: number;
  /** Per endpoint base: the challenges `/v2/` answered (a pending or settled ping). */
  private readonly pings = new Map<string, Promise<AuthChallenge[]>>();
  /** Per repository (`domain/path`): the endpoint that last resolved it, tried first for its blobs. */
  private readonly preferred = new Map<string, Endpoint>();

  constructor(private readonly options: RegistryClientOptions) {
    this.transport = new Transport(options.timeoutMs ?? 30_000, options.maxSockets ?? 16);
    this.credentials = options.credentials ?? noCredentials;
    this.retries = options.retries ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 10_000;
    this.maxManifestBytes = options.maxManifestBytes ?? 4 * 1024 * 1024;
    this.maxConfigBytes = options.maxConfigBytes ?? 32 * 1024 * 1024;
    this.authenticator = new Authenticator({
      credentials: this.credentials,
      fetchToken: (url, init, signal) => this.fetchToken(url, init, signal),
    });
  }

  /** Closes idle keep-alive connections. The client stays usable. */
  close(): void {
    this.transport.close();
  }

  /** The manifest, config and layer list of `ref` for `platform`, all verified. */
  async resolve(ref: ImageRef, platform: Platform, signal?: AbortSignal): Promise<ResolvedImage> {
    // Mirrors are always tried in the configured order; for an insecure registry, the scheme
    // (HTTPS or HTTP) that answered last time comes first.
    const endpoints = this.orderedEndpoints(ref, false);
    const errors: RegistryError[] = [];
    for (const ep of endpoints) {
      try {
        const resolved = await this.resolveAt(this.context(ref, ep), platform, signal);
        this.preferred.set(repoKey(ref), ep);
        return resolved;
      } catch (e) {
        if (isAbortError(e) || signal?.aborted === true || !(e instanceof RegistryError)) throw e;
        errors.push(e);
      }
    }
    throw combineErrors(errors);
  }

  /**
   * The blob's bytes as stored (compressed), verified against desc.digest: the
   * stream errors (RegistryError "digest mismatch …") instead of ending when
   * the bytes don't match. Retries with back-off and resumes with Range after
   * a reset, transparently. `onBytes` gets the number of new bytes of each chunk.
   * Rejects (instead of returning a stream) when no endpoint serves the blob.
   */
  async openBlob(
    ref: ImageRef,
    desc: Descriptor,
    options: { signal?: AbortSignal; onBytes?: (n: number) => void } = {},
  ): Promise<NodeJS.ReadableStream> {
    const problem = digestProblem(desc.digest);
    if (problem !== undefined) throw new InvalidArgumentError(`cannot fetch a blob of ${ref.familiar}: ${problem}`);
    const errors: RegistryError[] = [];
    for (const ep of this.orderedEndpoints(ref)) {
      const ctx = this.context(ref, ep);
      let res: HttpResponse;
      try {
        res = await this.requestBlob(ctx, desc, 0, options.signal);
      } catch (e) {
        if (isAbortError(e) || options.signal?.aborted === true || !(e instanceof RegistryError)) throw e;
        errors.push(e);
        continue;
      }
      const out = new PassThrough({ highWaterMark: 1024 * 1024 });
      void this.pumpBlob(ctx, desc, res, out, options);
      return out;
    }
    throw combineErrors(errors);
  }

  // ---------------------------------------------------------------- resolve

  private async resolveAt(ctx: Ctx, platform: Platform, signal?: AbortSignal): Promise<ResolvedImage> {
    const { ref } = ctx;
    const reference = ref.digest ?? ref.tag ?? 'latest';
    let current = await this.fetchManifest(ctx, reference, ref.digest, undefined, signal);
    let indexDigest: string | undefined;
    let entryPlatform: Platform | undefined;
    for (let depth = 0; current.parsed.kind === 'index'; depth++) {
      if (depth >= MAX_INDEX_DEPTH) {
        throw new RegistryError(`${ctx.image}: indexes nested more than ${MAX_INDEX_DEPTH} deep on ${ctx.ep.label}`, 'bad-response', ctx.ep.label);
      }
      indexDigest ??= current.digest;
      const entries = current.parsed.manifests;
      const entry = matchPlatform(entries, platform);
      if (entry === undefined) {
        const offered = entries
          .filter((e) => e.platform !== undefined && e.platform.os !== 'unknown')
          .map((e) => formatPlatform(e.platform as Platform));
        throw new RegistryError(
          `no matching manifest for ${formatPlatform(platform)} in the manifest list entries of ${ctx.image}` +
            (offered.length > 0 ? ` (it has ${[...new Set(offered)].join(', ')})` : ''),
          'no-platform',
          ctx.ep.label,
        );
      }
      entryPlatform = entry.platform;
      current = await this.fetchManifest(ctx, entry.digest, entry.digest, indexDigest, signal);
    }
    const manifest = current.parsed;
    if (!CONFIG_TYPES.has(manifest.config.mediaType)) {
      throw new RegistryError(
        `${ctx.image} is not a container image: its config has media type ${manifest.config.mediaType}`,
        'bad-response',
        ctx.ep.label,
      );
    }
    const configBytes = await this.fetchSmallBlob(ctx, manifest.config, this.maxConfigBytes, 'config', signal);
    let declared: Platform | undefined;
    try {
      declared = configPlatform(configBytes);
    } catch (e) {
      throw new RegistryError(`the config of ${ctx.image} from ${ctx.ep.label}: ${(e as Error).message}`, 'bad-response', ctx.ep.label);
    }
    return {
      ref,
      manifestDigest: current.digest,
      ...(indexDigest !== undefined ? { indexDigest } : {}),
      manifestMediaType: manifest.mediaType,
      manifestBytes: current.bytes,
      config: manifest.config,
      configBytes,
      layers: manifest.layers,
      platform: declared ?? entryPlatform ?? platform,
      source: ctx.ep.label,
    };
  }

  /** GET a manifest by tag or digest, verified against `expected` (or the registry's Docker-Content-Digest). */
  private fetchManifest(
    ctx: Ctx,
    reference: string,
    expected: string | undefined,
    fromIndex: string | undefined,
    signal?: AbortSignal,
  ): Promise<FetchedManifest> {
    const what = fromIndex !== undefined ? `the manifest ${reference} listed in the index of ${ctx.image}` : `the manifest of ${ctx.image}`;
    return this.withRetries(ctx, signal, async () => {
      const res = await this.send(ctx, `/manifests/${reference}`, { Accept: MANIFEST_ACCEPT }, signal);
      if (res.status === 404) {
        const said = await registryMessage(res);
        throw new RegistryError(
          fromIndex !== undefined
            ? `${what} is missing on ${ctx.ep.label}${said}`
            : `image not found: ${ctx.image} (${ctx.ep.label}${said !== '' ? said.replace(/^:/, ' answered') : ' has no such manifest'})`,
          'not-found',
          ctx.ep.label,
        );
      }
      if (res.status !== 200) throw await unexpectedStatus(res, ctx, what);
      const bytes = await this.readLimited(res, this.maxManifestBytes, ctx, what);
      const headerDigest = firstHeader(res.headers['docker-content-digest']);
      if (expected !== undefined) {
        const actual = digestOf(bytes, algorithmOf(expected));
        if (actual !== expected) throw mismatch(ctx, what, expected, actual);
      } else if (headerDigest !== undefined && digestProblem(headerDigest) === undefined) {
        const actual = digestOf(bytes, algorithmOf(headerDigest));
        if (actual !== headerDigest) throw mismatch(ctx, `${what} (per its Docker-Content-Digest header)`, headerDigest, actual);
      }
      let parsed: ParsedManifest;
      try {
        parsed = parseManifest(bytes, firstHeader(res.headers['content-type']));
      } catch (e) {
        if (!(e instanceof ManifestError)) throw e;
        throw new RegistryError(`${what} from ${ctx.ep.label} is unusable: ${e.message}`, 'bad-response', ctx.ep.label);
      }
      return { bytes, digest: expected ?? digestOf(bytes, 'sha256'), parsed };
    });
  }

  /** A small blob (the image config) read whole and verified. */
  private fetchSmallBlob(ctx: Ctx, desc: Descriptor, limit: number, kind: string, signal?: AbortSignal): Promise<Buffer> {
    const what = `the ${kind} ${desc.digest} of ${ctx.image}`;
    if (desc.size > limit) {
      return Promise.reject(new RegistryError(`${what} is ${desc.size} bytes, more than the ${limit} allowed`, 'bad-response', ctx.ep.label));
    }
    return this.withRetries(ctx, signal, async () => {
      const res = await this.requestBlob(ctx, desc, 0, signal, kind);
      const bytes = await this.readLimited(res, desc.size, ctx, what, true);
      const actual = digestOf(bytes, algorithmOf(desc.digest));
      if (bytes.length !== desc.size || actual !== desc.digest) {
        throw mismatch(ctx, what, desc.digest, actual, bytes.length !== desc.size ? `${bytes.length} bytes instead of ${desc.size}` : undefined);
      }
      return bytes;
    });
  }

  // ---------------------------------------------------------------- blobs

  /** GET a blob (from `offset` with Range), with retries; the response is 200 or 206. */
  private requestBlob(ctx: Ctx, desc: Descriptor, offset: number, signal?: AbortSignal, kind = 'blob'): Promise<HttpResponse> {
    const what = `${kind} ${desc.digest} of ${ctx.image}`;
    return this.withRetries(ctx, signal, async () => {
      const headers: Record<string, string> = { Accept: '*/*' };
      if (offset > 0) headers.Range = `bytes=${offset}-`;
      const res = await this.send(ctx, `/blobs/${desc.digest}`, headers, signal);
      if (res.status === 200 || (res.status === 206 && offset > 0)) return res;
      if (res.status === 404) {
        const said = await registryMessage(res);
        throw new RegistryError(`${what} not found on ${ctx.ep.label}${said}`, 'not-found', ctx.ep.label);
      }
      if (res.status === 416) {
        res.discard();
        throw new RegistryError(
          `digest mismatch for ${what} from ${ctx.ep.label}: the registry has fewer than the ${desc.size} bytes the manifest announces`,
          'digest-mismatch',
          ctx.ep.label,
        );
      }
      throw await unexpectedStatus(res, ctx, what);
    });
  }

  /** Copies a blob into `out`, hashing as it goes, resuming after breaks; ends `out` only when the digest matches. */
  private async pumpBlob(
    ctx: Ctx,
    desc: Descriptor,
    first: HttpResponse,
    out: PassThrough,
    options: { signal?: AbortSignal; onBytes?: (n: number) => void },
  ): Promise<void> {
    const { signal } = options;
    const what = `blob ${desc.digest} of ${ctx.image}`;
    const hash = createHash(algorithmOf(desc.digest));
    let res = first;
    let offset = 0;
    let failures = 0;
    const onAbort = (): void => {
      res.body.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        let skip = 0;
        if (offset > 0) {
          const start = res.status === 206 ? contentRangeStart(res.headers['content-range']) : 0;
          if (start === undefined || start > offset) {
            res.discard();
            throw new RegistryError(`${ctx.ep.label} answered a resumed download of ${what} with a bad Content-Range`, 'bad-response', ctx.ep.label);
          }
          skip = offset - start; // a registry that ignores Range sends it all again
        }
        try {
          for await (const chunk of res.body as AsyncIterable<Buffer>) {
            if (out.destroyed) {
              res.body.destroy();
              return;
            }
            let data = chunk;
            if (skip > 0) {
              if (data.length <= skip) {
                skip -= data.length;
                continue;
              }
              data = data.subarray(skip);
              skip = 0;
            }
            if (offset + data.length > desc.size) {
              res.body.destroy();
              throw mismatch(ctx, what, desc.digest, undefined, `more than the ${desc.size} bytes the manifest announces`);
            }
            offset += data.length;
            failures = 0;
            hash.update(data);
            options.onBytes?.(data.length);
            if (!out.write(data)) await drained(out);
          }
          if (!res.body.complete) throw Object.assign(new Error('the connection closed mid-download'), { code: 'ECONNRESET' });
          if (offset < desc.size) {
            throw new RegistryError(`${ctx.ep.label} ended ${what} after ${offset} of ${desc.size} bytes`, 'bad-response', ctx.ep.label, true);
          }
          break;
        } catch (e) {
          res.body.destroy();
          if (isAbortError(e) || signal?.aborted === true) throw abortReason(signal, e);
          const err = this.asRegistryError(e, ctx, `downloading ${what}`);
          if (!err.retryable) throw err;
          if (failures >= this.retries) throw gaveUp(err, failures + 1);
          await sleep(this.backoff(failures, undefined), signal);
          failures++;
          res = await this.requestBlob(ctx, desc, offset, signal);
        }
      }
      const actual = `${algorithmOf(desc.digest)}:${hash.digest('hex')}`;
      if (actual !== desc.digest) throw mismatch(ctx, what, desc.digest, actual);
      out.end();
    } catch (e) {
      out.destroy(e as Error);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  // ---------------------------------------------------------------- plumbing

  private context(ref: ImageRef, ep: Endpoint): Ctx {
    const image = ref.familiar;
    return {
      ref,
      image,
      ep,
      target: { host: ep.host, credentialHost: ep.credentialHost, label: ep.label, image },
      scopes: [pullScope(ref.path)],
    };
  }

  /** The endpoints for `ref`, the one that served the repository last first (for docker.io only when `mirrorsToo`). */
  private orderedEndpoints(ref: ImageRef, mirrorsToo = true): Endpoint[] {
    const all = endpointsFor(ref, this.options.config);
    const first = this.preferred.get(repoKey(ref));
    if (first === undefined || (!mirrorsToo && ref.domain === DEFAULT_DOMAIN)) return all;
    return [first, ...all.filter((e) => e.base !== first.base)];
  }

  /** `GET /v2/` once per endpoint: the challenges it answers with (none when it needs no auth). */
  private ping(ctx: Ctx, signal?: AbortSignal): Promise<AuthChallenge[]> {
    const key = ctx.ep.base;
    let pending = this.pings.get(key);
    if (pending === undefined) {
      pending = (async () => {
        const res = await this.fetchFollowing(ctx.ep, new URL(`${ctx.ep.base}/v2/`), {}, signal);
        res.discard();
        if (res.status === 401) return parseAuthenticate(res.headers['www-authenticate']);
        if (res.status >= 500) {
          throw new RegistryError(`${ctx.ep.label} answered HTTP ${res.status} to GET /v2/`, 'bad-response', ctx.ep.label, true);
        }
        if (res.status >= 400 && res.status !== 403) {
          throw new RegistryError(
            `${ctx.ep.label} does not speak the registry API v2 (GET /v2/ answered HTTP ${res.status})`,
            'bad-response',
            ctx.ep.label,
          );
        }
        return [];
      })();
      this.pings.set(key, pending);
      pending.catch(() => {
        if (this.pings.get(key) === pending) this.pings.delete(key);
      });
    }
    return pending;
  }

  /**
   * One authenticated request to `<base>/v2/<path><suffix>`; a 401 gets one
   * more try with fresh authorization. Throws RegistryError for 401, 403,
   * 429 and 5xx; returns any other answer.
   */
  private async send(ctx: Ctx, suffix: string, headers: Record<string, string>, signal?: AbortSignal): Promise<HttpResponse> {
    const url = new URL(`${ctx.ep.base}/v2/${ctx.ref.path}${suffix}`);
    let challenges = await this.ping(ctx, signal);
    let auth: Authorization = await this.authenticator.authorize(ctx.target, challenges, ctx.scopes, signal);
    for (let attempt = 0; ; attempt++) {
      const res = await this.fetchFollowing(
        ctx.ep,
        url,
        auth.header !== undefined ? { ...headers, Authorization: auth.header } : headers,
        signal,
      );
      if (res.status === 401) {
        res.discard();
        const fresh = parseAuthenticate(res.headers['www-authenticate']);
        if (attempt === 0) {
          const bearer = challenges.find((c) => c.scheme === 'bearer');
          this.authenticator.forget(ctx.target, bearer, ctx.scopes);
          if (fresh.length > 0) {
            challenges = fresh;
            this.pings.set(ctx.ep.base, Promise.resolve(fresh));
          }
          const again = await this.authenticator.authorize(ctx.target, challenges, ctx.scopes, signal);
          if (again.header !== undefined) {
            auth = again;
            continue;
          }
        }
        throw refused(ctx, auth, challenges, 401);
      }
      if (res.status === 403) {
        res.discard();
        throw refused(ctx, auth, challenges, 403);
      }
      if (res.status === 429) {
        res.discard();
        throw new RegistryError(
          `${ctx.ep.label} refused to serve ${ctx.image}: too many requests (HTTP 429, rate limited)` +
            (auth.withCredentials ? '' : `; logging in to ${ctx.ep.credentialHost} may raise the limit`),
          'rate-limited',
          ctx.ep.label,
        );
      }
      if (res.status >= 500) {
        const said = await registryMessage(res);
        const err = new RegistryError(
          `${ctx.ep.label} failed while serving ${ctx.image}: HTTP ${res.status}${said}`,
          'bad-response',
          ctx.ep.label,
          true,
        );
        throw Object.assign(err, { retryAfterMs: retryAfter(res.headers['retry-after']) });
      }
      return res;
    }
  }

  /** A request following redirects; Authorization is dropped when a redirect leaves the host. */
  private async fetchFollowing(
    ep: Endpoint,
    start: URL,
    headers: Readonly<Record<string, string>>,
    signal?: AbortSignal,
  ): Promise<HttpResponse> {
    let url = start;
    let hdrs = headers;
    for (let hops = 0; ; hops++) {
      const sameHost = url.host === start.host && url.protocol === start.protocol;
      const res = await this.transport.request({
        url,
        headers: hdrs,
        verifyTls: sameHost ? ep.verifyTls : !isInsecureHost(url.host, this.options.config),
        ...(signal !== undefined ? { signal } : {}),
      });
      const location = firstHeader(res.headers.location);
      if (![301, 302, 303, 307, 308].includes(res.status) || location === undefined) return res;
      res.discard();
      if (hops >= MAX_REDIRECTS) {
        throw new RegistryError(`${ep.label} redirected more than ${MAX_REDIRECTS} times for ${start.pathname}`, 'bad-response', ep.label);
      }
      url = new URL(location, url);
      if (url.host !== start.host && 'Authorization' in hdrs) {
        const { Authorization: _dropped, ...rest } = hdrs;
        hdrs = rest;
      }
    }
  }

  private async fetchToken(
    url: URL,
    init: { readonly method: 'GET' | 'POST'; readonly headers: Readonly<Record<string, string>>; readonly body?: string },
    signal?: AbortSignal,
  ): Promise<{ status: number; body: Buffer }> {
    let res: HttpResponse;
    try {
      res = await this.transport.request({
        url,
        method: init.method,
        headers: init.headers,
        ...(init.body !== undefined ? { body: init.body } : {}),
        verifyTls: !isInsecureHost(url.host, this.options.config),
        ...(signal !== undefined ? { signal } : {}),
      });
    } catch (e) {
      if (isAbortError(e)) throw e;
      throw new RegistryError(
        `cannot reach the token server ${url.host}: ${(e as Error).message}`,
        'unreachable',
        `token server ${url.host}`,
        isRetryableNetworkError(e),
        { cause: e },
      );
    }
    if (res.status < 200 || res.status >= 300) {
      res.discard();
      return { status: res.status, body: Buffer.alloc(0) };
    }
    return { status: res.status, body: await readBody(res, 1024 * 1024) };
  }

  private async readLimited(res: HttpResponse, limit: number, ctx: Ctx, what: string, exact = false): Promise<Buffer> {
    try {
      return await readBody(res, limit);
    } catch (e) {
      if (e instanceof BodyTooLargeError) {
        if (exact) throw mismatch(ctx, what, undefined, undefined, `more bytes than the ${limit} announced`);
        throw new RegistryError(`${what} from ${ctx.ep.label} is too large: ${e.message}`, 'bad-response', ctx.ep.label);
      }
      throw e;
    }
  }

  /** Runs `fn`, retrying (with back-off) what may succeed on another try. */
  private async withRetries<T>(ctx: Ctx, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (isAbortError(e) || signal?.aborted === true) throw abortReason(signal, e);
        const err = this.asRegistryError(e, ctx, `pulling ${ctx.image}`);
        if (!err.retryable) throw err;
        if (attempt >= this.retries) throw gaveUp(err, attempt + 1);
        await sleep(this.backoff(attempt, (err as { retryAfterMs?: number }).retryAfterMs), signal);
      }
    }
  }

  private asRegistryError(e: unknown, ctx: Ctx, doing: string): RegistryError {
    if (e instanceof RegistryError) return e;
    const message = (e as Error | undefined)?.message ?? String(e);
    if (isRetryableNetworkError(e)) {
      const why = e instanceof TimeoutError ? message : `connection broken (${message})`;
      return new RegistryError(`${ctx.ep.label}: ${why} while ${doing}`, 'unreachable', ctx.ep.label, true, { cause: e });
    }
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    if (code !== undefined) {
      return new RegistryError(`cannot reach ${ctx.ep.label} to pull ${ctx.image}: ${message}`, 'unreachable', ctx.ep.label, false, { cause: e });
    }
    return new RegistryError(`${ctx.ep.label}: ${message} while ${doing}`, 'bad-response', ctx.ep.label, false, { cause: e });
  }

  private backoff(attempt: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return Math.min(retryAfterMs, this.maxRetryDelayMs);
    const base = Math.min(this.maxRetryDelayMs, this.retryDelayMs * 2 ** attempt);
    return base * (0.75 + Math.random() * 0.5);
  }
}

// ------------------------------------------------------------------ helpers

function repoKey(ref: ImageRef): string {
  return `${ref.domain}/${ref.path}`;
}

function algorithmOf(digest: string): string {
  return digest.slice(0, digest.indexOf(':'));
}

function digestOf(bytes: Buffer, algorithm: string): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function contentRangeStart(v: string | undefined): number | undefined {
  const m = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(v?.trim() ?? '');
  return m === null ? undefined : Number(m[1]);
}

function retryAfter(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const s = Number(v);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : undefined;
}

function mismatch(ctx: Ctx, what: string, expected: string | undefined, actual: string | undefined, detail?: string): RegistryError {
  const parts = [`digest mismatch for ${what} from ${ctx.ep.label}`];
  if (detail !== undefined) parts.push(detail);
  else parts.push(`expected ${expected}, got ${actual}`);
  return new RegistryError(parts.join(': '), 'digest-mismatch', ctx.ep.label);
}

function gaveUp(err: RegistryError, attempts: number): RegistryError {
  return new RegistryError(`${err.message} (gave up after ${attempts} attempts)`, err.reason, err.registry, false, { cause: err });
}

function refused(ctx: Ctx, auth: Authorization, challenges: readonly AuthChallenge[], status: number): RegistryError {
  const host = ctx.ep.host;
  const login = `run \`docker login ${ctx.ep.credentialHost}\``;
  if (challenges.some((c) => c.scheme === 'bearer')) {
    if (auth.withCredentials) {
      return new RegistryError(
        `pull access denied for ${ctx.image} on ${host} (HTTP ${status}): the stored credentials for ${ctx.ep.credentialHost} ` +
          `give no access to it, or the repository does not exist`,
        'denied',
        ctx.ep.label,
      );
    }
    return new RegistryError(
      `pull access denied for ${ctx.image} on ${host} (HTTP ${status}): the repository does not exist or needs credentials (${login})`,
      'denied',
      ctx.ep.label,
    );
  }
  if (auth.withCredentials) {
    return new RegistryError(
      status === 401
        ? `wrong credentials for ${host}: it refused them (HTTP 401) while pulling ${ctx.image}; check \`docker login ${ctx.ep.credentialHost}\``
        : `pull access denied for ${ctx.image} on ${host} (HTTP 403): the stored credentials give no access to it`,
      status === 401 ? 'unauthorized' : 'denied',
      ctx.ep.label,
    );
  }
  return new RegistryError(
    status === 401
      ? `authentication required for ${host} to pull ${ctx.image}: no credentials are stored for ${ctx.ep.credentialHost} (${login})`
      : `pull access denied for ${ctx.image} on ${host} (HTTP 403)`,
    status === 401 ? 'unauthorized' : 'denied',
    ctx.ep.label,
  );
}

/** `: MANIFEST_UNKNOWN manifest unknown` from a registry's JSON error body, or ''. */
async function registryMessage(res: HttpResponse): Promise<string> {
  let body: Buffer;
  try {
    body = await readBody(res, 64 * 1024);
  } catch {
    return '';
  }
  try {
    const json = JSON.parse(body.toString('utf8')) as { errors?: { code?: unknown; message?: unknown }[] };
    const first = json.errors?.[0];
    if (first !== undefined) {
      const code = typeof first.code === 'string' ? first.code : '';
      const message = typeof first.message === 'string' ? first.message : '';
      const text = message !== '' ? message : code.toLowerCase().replace(/_/g, ' ');
      if (text !== '') return `: ${text}`;
    }
  } catch {
    // not JSON: use the text
  }
  const text = body.toString('utf8').trim().split('\n')[0].slice(0, 200);
  return text !== '' ? `: ${text}` : '';
}

async function unexpectedStatus(res: HttpResponse, ctx: Ctx, what: string): Promise<RegistryError> {
  const said = await registryMessage(res);
  return new RegistryError(`${ctx.ep.label} answered HTTP ${res.status} for ${what}${said}`, 'bad-response', ctx.ep.label);
}

/** The error that says most: the last one that is not "unreachable", with the other endpoints named. */
function combineErrors(errors: readonly RegistryError[]): RegistryError {
  if (errors.length === 1) return errors[0];
  const main = [...errors].reverse().find((e) => e.reason !== 'unreachable') ?? errors[errors.length - 1];
  const others = errors.filter((e) => e !== main && e.registry !== main.registry);
  if (others.length === 0) return main;
  const also = others.map((e) => `${e.registry}: ${e.message}`).join('; ');
  return new RegistryError(`${main.message} (also tried ${also})`, main.reason, main.registry, false, { cause: main });
}

function drained(out: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

function abortReason(signal: AbortSignal | undefined, e: unknown): unknown {
  if (signal?.aborted === true) {
    const reason: unknown = signal.reason;
    return reason instanceof Error ? reason : Object.assign(new Error('the pull was cancelled'), { name: 'AbortError' });
  }
  return e;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(abortReason(signal, undefined));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal, undefined));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
