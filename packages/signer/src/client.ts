import http from 'node:http';
import https from 'node:https';
import { SignerError } from './errors.js';

export interface SignerClientOptions {
  /** Base URL, e.g. https://signer.example:8443 */
  readonly url: string;
  readonly token?: string;
  /** PEM CA bundle to trust for the signer's TLS certificate. */
  readonly ca?: string;
  /** PEM client certificate and key (mTLS instead of a token). */
  readonly cert?: string;
  readonly key?: string;
  /** Keep-alive sockets (default 8). */
  readonly maxSockets?: number;
  /** Cap on a response body, default 16 MiB. */
  readonly maxResponseBytes?: number;
}

export interface ClientResponse {
  readonly status: number;
  readonly body: string;
  /** The body parsed as JSON (the caller states the shape it expects). */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  json<T = Record<string, unknown>>(): T;
}

/** A small keep-alive HTTP(S) client for the signing service API (CLI, CI, benchmarks). */
export class SignerClient {
  readonly #base: URL;
  readonly #o: SignerClientOptions;
  readonly #agent: http.Agent;

  constructor(o: SignerClientOptions) {
    this.#base = new URL(o.url);
    if (this.#base.protocol !== 'https:' && this.#base.protocol !== 'http:')
      throw new SignerError('INPUT_INVALID', `signer URL must be http(s)://…, got ${o.url}`);
    this.#o = o;
    const agentOpts = { keepAlive: true, maxSockets: o.maxSockets ?? 8 };
    this.#agent =
      this.#base.protocol === 'https:'
        ? new https.Agent({
            ...agentOpts,
            ...(o.ca ? { ca: o.ca } : {}),
            ...(o.cert ? { cert: o.cert } : {}),
            ...(o.key ? { key: o.key } : {}),
          })
        : new http.Agent(agentOpts);
  }

  request(method: string, path: string, body?: unknown): Promise<ClientResponse> {
    const url = new URL(path, this.#base);
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const mod = url.protocol === 'https:' ? https : http;
    const max = this.#o.maxResponseBytes ?? 16 * 1024 * 1024;
    return new Promise((resolve, reject) => {
      const req = mod.request(
        url,
        {
          method,
          agent: this.#agent,
          headers: {
            accept: 'application/json',
            ...(this.#o.token ? { authorization: `Bearer ${this.#o.token}` } : {}),
            ...(data
              ? { 'content-type': 'application/json', 'content-length': String(data.length) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > max) {
              req.destroy(
                new SignerError('INPUT_INVALID', `the signer's response exceeds ${max} bytes`),
              );
              return;
            }
            chunks.push(c);
          });
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              body: text,
              // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
              json<T>() {
                return JSON.parse(text) as T;
              },
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
