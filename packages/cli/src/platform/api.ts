import http from 'node:http';
import https from 'node:https';
import { BaseError } from '@cairn/core';

export type ApiErrorCode = 'API_UNREACHABLE' | 'API_REFUSED' | 'API_RESPONSE_INVALID';
/** A call to the update server's or signer's HTTP API failed. */
export class ApiError extends BaseError<ApiErrorCode> {}

export interface ApiClientOptions {
  readonly url: string;
  /** Bearer token. */
  readonly token: string;
  /** PEM CA the service's TLS certificate must chain to. */
  readonly ca?: string;
  /** Cap on a response body (default 8 MiB). */
  readonly maxResponseBytes?: number;
  /** Per-request timeout (default 30 s). */
  readonly timeoutMs?: number;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: string;
}

/** A small HTTPS client for the management APIs, trusting our own CA (fetch cannot take one on Node 20). */
export class ApiClient {
  readonly url: string;
  readonly #o: ApiClientOptions;
  readonly #agent: http.Agent;

  constructor(o: ApiClientOptions) {
    this.url = o.url.replace(/\/+$/, '');
    this.#o = o;
    this.#agent = this.url.startsWith('https:')
      ? new https.Agent({ keepAlive: true, ...(o.ca === undefined ? {} : { ca: o.ca }) })
      : new http.Agent({ keepAlive: true });
  }

  /** Send a request; `body` is JSON, or raw bytes with `contentType`. */
  raw(method: string, path: string, body?: unknown, contentType?: string): Promise<ApiResponse> {
    const url = new URL(this.url + path);
    const data =
      body === undefined
        ? undefined
        : body instanceof Uint8Array
          ? Buffer.from(body)
          : Buffer.from(JSON.stringify(body));
    const mod = url.protocol === 'https:' ? https : http;
    const max = this.#o.maxResponseBytes ?? 8 * 1024 * 1024;
    return new Promise((resolve, reject) => {
      const req = mod.request(
        url,
        {
          method,
          agent: this.#agent,
          timeout: this.#o.timeoutMs ?? 30_000,
          headers: {
            accept: 'application/json',
            authorization: `Bearer ${this.#o.token}`,
            ...(data === undefined
              ? {}
              : {
                  'content-type': contentType ?? 'application/json',
                  'content-length': String(data.length),
                }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > max) {
              req.destroy(
                new ApiError(
                  'API_RESPONSE_INVALID',
                  `response from ${url.pathname} exceeds ${max} bytes`,
                ),
              );
              return;
            }
            chunks.push(c);
          });
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`no answer within ${this.#o.timeoutMs ?? 30_000} ms`)),
      );
      req.on('error', (err) => {
        reject(
          err instanceof ApiError
            ? err
            : new ApiError(
                'API_UNREACHABLE',
                `cannot reach ${this.url}: ${err.message}; is 'cairn up' running, and is --cacert / the CA right?`,
                { cause: err },
              ),
        );
      });
      req.end(data);
    });
  }

  /** A JSON call that must answer 2xx; other answers throw API_REFUSED with the server's code. */
  async json<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<T> {
    const res = await this.raw(method, path, body, contentType);
    let parsed: unknown;
    try {
      parsed = res.body === '' ? undefined : JSON.parse(res.body);
    } catch {
      parsed = undefined;
    }
    if (res.status < 200 || res.status > 299) {
      const e = (parsed ?? {}) as { errorCode?: string; error?: string; message?: string };
      const code = e.errorCode ?? e.error ?? `HTTP ${res.status}`;
      throw new ApiError(
        'API_REFUSED',
        `${method} ${path}: ${res.status} ${code}: ${e.message ?? res.body.slice(0, 500)}`,
        {
          details: { status: res.status, errorCode: code },
        },
      );
    }
    return parsed as T;
  }

  close(): void {
    this.#agent.destroy();
  }
}
