/**
 * One HTTP exchange over node:http / node:https, with what the registry
 * client needs and fetch does not give: TLS verification switchable per
 * request, keep-alive agents the client owns (and closes), an inactivity
 * timeout covering connect, headers and body, and the response body as a
 * stream. Redirects are not followed here.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { VERSION } from '../../../../version';

export interface HttpRequest {
  readonly url: URL;
  readonly method?: 'GET' | 'HEAD' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** false: accept any certificate (insecure registries). */
  readonly verifyTls: boolean;
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly url: URL;
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** The body; read it, or call `discard()`. */
  readonly body: http.IncomingMessage;
  discard(): void;
}

/** Raised when an established connection was idle longer than the timeout (worth a retry). */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'ETIMEDOUT';
}

/** Raised when a connection could not be established within the timeout (the host is unreachable). */
export class ConnectTimeoutError extends Error {
  override readonly name = 'ConnectTimeoutError';
  readonly code = 'ECONNECTTIMEOUT';
}

export class Transport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly insecureAgent: https.Agent;

  constructor(private readonly timeoutMs: number, maxSockets = 16) {
    const common = { keepAlive: true, maxSockets, scheduling: 'lifo' as const };
    this.httpAgent = new http.Agent(common);
    this.httpsAgent = new https.Agent(common);
    this.insecureAgent = new https.Agent({ ...common, rejectUnauthorized: false });
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      const isHttps = req.url.protocol === 'https:';
      const headers: Record<string, string> = { 'User-Agent': `tscompose/${VERSION}`, ...req.headers };
      if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
      const options: https.RequestOptions = {
        method: req.method ?? 'GET',
        headers,
        agent: isHttps ? (req.verifyTls ? this.httpsAgent : this.insecureAgent) : this.httpAgent,
        ...(req.signal !== undefined ? { signal: req.signal } : {}),
      };
      const r = (isHttps ? https : http).request(req.url, options, (res) => {
        resolve({
          url: req.url,
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: res,
          discard: () => {
            // Reading to the end keeps the connection reusable; a large body is cut instead.
            const length = Number(res.headers['content-length'] ?? NaN);
            if (Number.isFinite(length) && length <= 64 * 1024) res.resume();
            else res.destroy();
          },
        });
      });
      r.setTimeout(this.timeoutMs, () => {
        const seconds = Math.round(this.timeoutMs / 100) / 10;
        r.destroy(
          r.socket?.connecting === true
            ? new ConnectTimeoutError(`connecting to ${req.url.host} timed out after ${seconds} s`)
            : new TimeoutError(`no data for ${seconds} s from ${req.url.host}`),
        );
      });
      r.on('error', reject);
      r.end(req.body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.insecureAgent.destroy();
  }
}

/** Reads a whole (small) body; rejects when it grows past `limit` bytes or the connection breaks. */
export async function readBody(res: HttpResponse, limit: number): Promise<Buffer> {
  const declared = Number(res.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    res.body.destroy();
    throw new BodyTooLargeError(`the answer is ${declared} bytes, more than the ${limit} allowed`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      res.body.destroy();
      throw new BodyTooLargeError(`the answer is more than the ${limit} bytes allowed`);
    }
    chunks.push(chunk);
  }
  if (!res.body.complete) throw Object.assign(new Error('connection closed before the end of the answer'), { code: 'ECONNRESET' });
  return Buffer.concat(chunks, size);
}

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

/** Whether a network error is worth a retry (a reset or timeout, not a refusal or a TLS failure). */
export function isRetryableNetworkError(err: unknown): boolean {
  if (err instanceof TimeoutError) return true;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && RETRYABLE_CODES.has(code)) return true;
  const message = (err as Error | undefined)?.message ?? '';
  return message === 'socket hang up' || message === 'aborted';
}

export function isAbortError(err: unknown): boolean {
  return (err as Error | undefined)?.name === 'AbortError';
}
