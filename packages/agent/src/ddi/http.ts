/**
 * The DDI client's HTTP layer over node:http / node:https: one request, a timeout on
 * every exchange (idle socket and, for JSON, the whole exchange), a byte cap on every
 * body read, TLS with a CA bundle and an optional client certificate (mTLS).
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { DdiError } from './errors.js';

export interface DdiTlsOptions {
  /** PEM CA bundle the server certificate must chain to (default: Node's roots). */
  readonly ca?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** PEM client certificate (chain) for mTLS, e.g. the device certificate. */
  readonly cert?: string | Uint8Array;
  /** PEM private key of `cert`. */
  readonly key?: string | Uint8Array;
  /** Expected server name when it differs from the URL's host. */
  readonly servername?: string;
}

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly url: URL;
  readonly headers: OutgoingHttpHeaders;
  readonly body?: Uint8Array;
  /** No byte for this long: the exchange fails (DDI_UNREACHABLE). */
  readonly idleTimeoutMs: number;
  readonly tls?: DdiTlsOptions;
  readonly signal?: AbortSignal;
}

const toBuf = (v: string | Uint8Array): string | Buffer =>
  typeof v === 'string' ? v : Buffer.from(v);

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/** Send the request; resolves with the response head (the body still to read). */
export function send(r: HttpRequest): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const isHttps = r.url.protocol === 'https:';
    if (!isHttps && r.url.protocol !== 'http:') {
      reject(new DdiError('DDI_CONFIG_INVALID', `unsupported URL scheme ${r.url.protocol}`));
      return;
    }
    const headers: OutgoingHttpHeaders = { ...r.headers };
    if (r.body !== undefined) headers['content-length'] = r.body.length;
    const t = r.tls;
    const opts: https.RequestOptions = {
      method: r.method,
      headers,
      ...(r.signal ? { signal: r.signal } : {}),
      ...(isHttps && t
        ? {
            ...(t.ca === undefined
              ? {}
              : { ca: Array.isArray(t.ca) ? t.ca.map(toBuf) : toBuf(t.ca as string | Uint8Array) }),
            ...(t.cert === undefined ? {} : { cert: toBuf(t.cert) }),
            ...(t.key === undefined ? {} : { key: toBuf(t.key) }),
            ...(t.servername === undefined ? {} : { servername: t.servername }),
          }
        : {}),
    };
    const req = (isHttps ? https : http).request(r.url, opts, resolve);
    req.setTimeout(r.idleTimeoutMs, () => {
      req.destroy(
        new DdiError(
          'DDI_UNREACHABLE',
          `${r.method} ${r.url.origin}${r.url.pathname}: no data for ${r.idleTimeoutMs} ms`,
        ),
      );
    });
    req.on('error', (err) => {
      reject(
        err instanceof DdiError
          ? err
          : new DdiError(
              'DDI_UNREACHABLE',
              `${r.method} ${r.url.origin}${r.url.pathname} failed (${describe(err)}); check the server URL, network and TLS settings`,
              { cause: err },
            ),
      );
    });
    req.end(r.body === undefined ? undefined : Buffer.from(r.body));
  });
}

/** Read a whole body, refusing more than `max` bytes (DDI_TOO_LARGE). */
export async function readCapped(res: IncomingMessage, max: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    res.destroy();
    throw new DdiError('DDI_TOO_LARGE', `${what} is ${declared} bytes; at most ${max} accepted`);
  }
  const parts: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      n += chunk.length;
      if (n > max) {
        res.destroy();
        throw new DdiError('DDI_TOO_LARGE', `${what} exceeds ${max} bytes; refused`);
      }
      parts.push(chunk);
    }
  } catch (err) {
    if (err instanceof DdiError) throw err;
    throw new DdiError('DDI_UNREACHABLE', `${what}: connection failed (${describe(err)})`, {
      cause: err,
    });
  }
  return Buffer.concat(parts, n);
}

/** Drain and discard a body we do not use (keeps keep-alive sockets reusable), capped. */
export async function discard(res: IncomingMessage): Promise<void> {
  await readCapped(res, 64 * 1024, 'response').catch(() => undefined);
}
