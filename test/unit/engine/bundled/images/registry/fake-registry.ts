/**
 * A small OCI distribution registry for tests, on 127.0.0.1 (random port):
 * manifests by tag or digest, blobs with Range, and optionally Basic or
 * Bearer-token authentication (its own realm endpoint at /token checks Basic
 * credentials and issues scoped tokens). Faults can be injected per request;
 * every request is logged.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';

export type FakeAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'basic'; readonly user: string; readonly pass: string }
  | {
      readonly kind: 'bearer';
      /** Credentials the token endpoint accepts; none means only anonymous tokens. */
      readonly user?: string;
      readonly pass?: string;
      /** Whether a token is issued without credentials. */
      readonly anonymous: boolean;
      readonly expiresIn?: number;
      /** Realm on another server (default this one). */
      readonly realm?: string;
    };

export interface LoggedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** Handles a request itself when it returns true. */
export type Fault = (req: http.IncomingMessage, res: http.ServerResponse, registry: FakeRegistry) => boolean;

export interface Blob {
  readonly digest: string;
  readonly size: number;
  readonly bytes: Buffer;
}

export const MT = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export class FakeRegistry {
  readonly requests: LoggedRequest[] = [];
  readonly tokenRequests: LoggedRequest[] = [];
  readonly blobs = new Map<string, Buffer>();
  /** `<repo>@<tag or digest>` → manifest. */
  readonly manifests = new Map<string, { mediaType: string; bytes: Buffer }>();
  auth: FakeAuth = { kind: 'none' };
  /** Whether GET /v2/ answers 401 (true) or 200 even when auth is on (some registries do). */
  challengeOnPing = true;
  /** Sent as Docker-Content-Digest instead of the real digest, per manifest key. */
  readonly wrongDigestHeader = new Map<string, string>();
  /** Whether Range requests are honoured. */
  honourRange = true;
  private faults: Fault[] = [];
  private readonly tokens = new Map<string, { scopes: string[]; expires: number }>();
  private tokenCounter = 0;

  private constructor(readonly server: http.Server | https.Server, readonly scheme: 'http' | 'https') {}

  static async start(tls?: { key: string; cert: string }): Promise<FakeRegistry> {
    let registry: FakeRegistry | undefined;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => registry!.handle(req, res);
    const server = tls !== undefined ? https.createServer(tls, handler) : http.createServer(handler);
    registry = new FakeRegistry(server, tls !== undefined ? 'https' : 'http');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return registry;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  get url(): string {
    return `${this.scheme}://${this.host}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Adds a fault, consulted before normal handling (in order). */
  fault(f: Fault): void {
    this.faults.push(f);
  }

  /** Requests whose path matches. */
  requestsTo(pattern: RegExp): LoggedRequest[] {
    return this.requests.filter((r) => pattern.test(r.url));
  }

  addBlob(bytes: Buffer): Blob {
    const digest = sha256(bytes);
    this.blobs.set(digest, bytes);
    return { digest, size: bytes.length, bytes };
  }

  putManifest(repo: string, tags: readonly string[], mediaType: string, doc: unknown): Blob {
    const bytes = Buffer.from(JSON.stringify(doc, null, 2));
    const digest = sha256(bytes);
    for (const ref of [...tags, digest]) this.manifests.set(`${repo}@${ref}`, { mediaType, bytes });
    return { digest, size: bytes.length, bytes };
  }

  /**
   * An image (config + layers) as a Docker schema 2 or OCI manifest under
   * `tags` (none: only by digest). Layer contents are arbitrary bytes.
   */
  addImage(
    repo: string,
    tags: readonly string[],
    options: { kind?: 'docker' | 'oci'; layers?: readonly Buffer[]; platform?: { os: string; architecture: string; variant?: string } } = {},
  ): { manifest: Blob; config: Blob; layers: Blob[]; mediaType: string } {
    const kind = options.kind ?? 'docker';
    const platform = options.platform ?? { os: 'linux', architecture: 'amd64' };
    const layers = (options.layers ?? [Buffer.from(`layer of ${repo} ${JSON.stringify(platform)}`)]).map((b) => this.addBlob(b));
    const config = this.addBlob(
      Buffer.from(
        JSON.stringify({
          ...platform,
          config: { Cmd: ['sh'] },
          rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
        }),
      ),
    );
    const mediaType = kind === 'docker' ? MT.dockerManifest : MT.ociManifest;
    const manifest = this.putManifest(repo, tags, mediaType, {
      schemaVersion: 2,
      mediaType,
      config: { mediaType: kind === 'docker' ? MT.dockerConfig : MT.ociConfig, digest: config.digest, size: config.size },
      layers: layers.map((l) => ({ mediaType: kind === 'docker' ? MT.dockerLayer : MT.ociLayer, digest: l.digest, size: l.size })),
    });
    return { manifest, config, layers, mediaType };
  }

  addIndex(
    repo: string,
    tags: readonly string[],
    kind: 'docker' | 'oci',
    entries: readonly { manifest: Blob; mediaType: string; platform?: { os: string; architecture: string; variant?: string } }[],
  ): Blob {
    const mediaType = kind === 'docker' ? MT.dockerList : MT.ociIndex;
    return this.putManifest(repo, tags, mediaType, {
      schemaVersion: 2,
      mediaType,
      manifests: entries.map((e) => ({
        mediaType: e.mediaType,
        digest: e.manifest.digest,
        size: e.manifest.size,
        ...(e.platform !== undefined ? { platform: e.platform } : {}),
      })),
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const logged = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
    const url = new URL(req.url ?? '/', `http://${this.host}`);
    if (url.pathname === '/token') {
      this.tokenRequests.push(logged);
      return this.issueToken(req, res, url);
    }
    this.requests.push(logged);
    for (const f of this.faults) if (f(req, res, this)) return;

    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      if (this.auth.kind !== 'none' && this.challengeOnPing && !this.authorized(req, undefined)) {
        return this.challenge(res, undefined);
      }
      return json(res, 200, {});
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (m === null) return json(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'not found' }] });
    const [, repo, kind, ref] = m;
    if (!this.authorized(req, repo)) return this.challenge(res, repo);
    if (kind === 'manifests') return this.serveManifest(req, res, repo, ref);
    return this.serveBlob(req, res, ref);
  }

  private serveManifest(req: http.IncomingMessage, res: http.ServerResponse, repo: string, ref: string): void {
    const key = `${repo}@${ref}`;
    const m = this.manifests.get(key);
    if (m === undefined) return json(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
    res.writeHead(200, {
      'Content-Type': m.mediaType,
      'Content-Length': m.bytes.length,
      'Docker-Content-Digest': this.wrongDigestHeader.get(key) ?? sha256(m.bytes),
    });
    res.end(req.method === 'HEAD' ? undefined : m.bytes);
  }

  private serveBlob(req: http.IncomingMessage, res: http.ServerResponse, digest: string): void {
    const bytes = this.blobs.get(digest);
    if (bytes === undefined) return json(res, 404, { errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }] });
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range !== null && this.honourRange) {
      const start = Number(range[1]);
      if (start >= bytes.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${bytes.length}` });
        return void res.end();
      }
      res.writeHead(206, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': bytes.length - start,
        'Content-Range': `bytes ${start}-${bytes.length - 1}/${bytes.length}`,
      });
      return void res.end(bytes.subarray(start));
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length, 'Docker-Content-Digest': digest });
    res.end(bytes);
  }

  private authorized(req: http.IncomingMessage, repo: string | undefined): boolean {
    const auth = this.auth;
    const header = req.headers.authorization ?? '';
    if (auth.kind === 'none') return true;
    if (auth.kind === 'basic') return header === basic(auth.user, auth.pass);
    const token = /^Bearer (.+)$/.exec(header)?.[1];
    if (token === undefined) return false;
    const t = this.tokens.get(token);
    if (t === undefined || t.expires < Date.now()) return false;
    return repo === undefined || t.scopes.includes(`repository:${repo}:pull`);
  }

  private challenge(res: http.ServerResponse, repo: string | undefined): void {
    const auth = this.auth;
    const header =
      auth.kind === 'basic'
        ? 'Basic realm="fake registry"'
        : auth.kind === 'bearer'
          ? `Bearer realm="${auth.realm ?? `${this.url}/token`}",service="fake-registry"` +
            (repo !== undefined ? `,scope="repository:${repo}:pull"` : '')
          : '';
    res.writeHead(401, { 'WWW-Authenticate': header, 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
  }

  /** The realm: checks Basic credentials (when the registry has some), issues a token for the asked scopes. */
  issueToken(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    const auth = this.auth;
    if (auth.kind !== 'bearer') return json(res, 404, {});
    const header = req.headers.authorization;
    if (header !== undefined) {
      if (auth.user === undefined || header !== basic(auth.user, auth.pass ?? '')) return json(res, 401, { details: 'bad credentials' });
    } else if (!auth.anonymous) {
      return json(res, 401, { details: 'login required' });
    }
    const token = `tok-${++this.tokenCounter}`;
    const expiresIn = auth.expiresIn ?? 300;
    this.tokens.set(token, { scopes: url.searchParams.getAll('scope'), expires: Date.now() + expiresIn * 1000 });
    json(res, 200, { token, expires_in: expiresIn, issued_at: new Date().toISOString() });
  }
}

export function basic(user: string, pass: string): string {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': bytes.length });
  res.end(bytes);
}

/** A fault: the first `times` requests matching `pattern` get `status`. */
export function failTimes(pattern: RegExp, status: number, times: number): Fault {
  let left = times;
  return (req, res) => {
    if (left <= 0 || !pattern.test(req.url ?? '')) return false;
    left--;
    json(res, status, { errors: [{ code: 'UNAVAILABLE', message: `injected ${status}` }] });
    return true;
  };
}

/** A fault: the first `times` full GETs of `digest` send `after` bytes, then the connection is reset. */
export function resetBlobAfter(registry: FakeRegistry, digest: string, after: number, times = 1): Fault {
  let left = times;
  return (req, res) => {
    if (left <= 0 || !(req.url ?? '').endsWith(`/blobs/${digest}`) || req.headers.range !== undefined) return false;
    left--;
    const bytes = registry.blobs.get(digest)!;
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length });
    res.write(bytes.subarray(0, after), () => setTimeout(() => res.socket?.destroy(), 20));
    return true;
  };
}

/** A fault: the first full GET of `digest` sends `after` bytes, then goes silent (the connection stays open). */
export function stallBlobAfter(registry: FakeRegistry, digest: string, after: number): Fault {
  let left = 1;
  return (req, res) => {
    if (left <= 0 || !(req.url ?? '').endsWith(`/blobs/${digest}`) || req.headers.range !== undefined) return false;
    left--;
    const bytes = registry.blobs.get(digest)!;
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length });
    res.write(bytes.subarray(0, after));
    return true;
  };
}

/** A fault: GETs of `digest` get `replacement` (same length unless given otherwise) instead of the real bytes. */
export function serveInstead(digest: string, replacement: Buffer): Fault {
  return (req, res) => {
    if (!(req.url ?? '').endsWith(`/blobs/${digest}`) && !(req.url ?? '').endsWith(`/manifests/${digest}`)) return false;
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': replacement.length });
    res.end(replacement);
    return true;
  };
}
