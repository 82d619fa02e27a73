/**
 * The raw fast path for cached DDI polls, tried on node's http(s) 'request' event before
 * Fastify sees the request. It answers only `GET /{tenant}/controller/v1/{controllerId}`
 * (exact path, plain characters, no query string) carrying `Authorization: TargetToken …`
 * whose token, device and open action are all cached: the same condition as the route's
 * synchronous path, the same bookkeeping (last-seen mark) and the same bytes (status 200,
 * `content-type: application/json; charset=utf-8`, `content-length`, the same body).
 * Everything else returns false and goes to Fastify, which decides and throws the typed
 * errors; a device authenticating by TLS client certificate or proxy header sends no
 * TargetToken, so it always takes the Fastify path.
 *
 * Fastify hooks this skips, and why that is safe: the management edge's onSend audit
 * hook (records only changing /api/ requests, never a DDI GET), its onError hook
 * (nothing fails here), the admin guards (registered on /api/ routes only), and
 * Fastify's request logging — so the fast path is off when the server's logger is on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ActionService } from '../actions/actions.js';
import type { DeviceAuthenticator } from '../device-auth/device-auth.js';
import type { DeviceService } from '../devices/devices.js';
import type { ServerMetrics } from '../ops/metrics.js';
import { controllerBaseWriter, ddiBaseUrl, JSON_TYPE } from './poll-answer.js';
import { formatSleep } from './representation.js';

export interface FastPollOptions {
  readonly devices: DeviceService;
  readonly actions: ActionService;
  readonly auth: DeviceAuthenticator;
  readonly tenant: string;
  readonly pollingSleepSeconds: number;
  readonly publicUrl?: string;
  readonly metrics: ServerMetrics;
}

/**
 * Path segments Fastify's router would hand over unchanged: no percent-escapes (they
 * would be decoded), no `;` or other delimiters, at most 100 characters (Fastify's
 * maxParamLength; longer ones are a 404 there).
 */
const POLL_PATH = /^\/([A-Za-z0-9._~-]{1,100})\/controller\/v1\/([A-Za-z0-9._~:-]{1,100})$/;

/**
 * The first value of a header (name given in lower case) from `rawHeaders`, as
 * `req.headers[name]` gives it for the two headers read here (node keeps the first
 * authorization and host), without building `req.headers`, which node does lazily on the
 * first access: the bare server never pays for it, so neither should a cached poll.
 */
function firstHeader(raw: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i] as string;
    if (k.length === name.length && (k === name || k.toLowerCase() === name)) return raw[i + 1];
  }
  return undefined;
}

/** Returns a handler that answers the request and returns true, or returns false. */
export function fastPollHandler(
  o: FastPollOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const tenant = o.tenant.toLowerCase();
  const poll = controllerBaseWriter(formatSleep(o.pollingSleepSeconds));
  return (req, res) => {
    if (req.method !== 'GET') return false;
    const url = req.url;
    if (url === undefined) return false;
    const m = POLL_PATH.exec(url);
    if (m === null) return false;
    const pathTenant = m[1] ?? '';
    const controllerId = m[2] ?? '';
    if (pathTenant !== o.tenant && pathTenant.toLowerCase() !== tenant) return false;
    const id = o.auth.authenticateCached(
      firstHeader(req.rawHeaders, 'authorization'),
      controllerId,
    );
    if (id === undefined) return false;
    const dev = o.devices.cached(id);
    const action = o.actions.cachedActive(id);
    if (dev === undefined || action === undefined) return false;
    o.devices.touch(id);
    o.metrics.ddiPollsFast++;
    const body = poll.body(
      () =>
        ddiBaseUrl(
          o.publicUrl,
          (req.socket as { encrypted?: boolean }).encrypted === true,
          firstHeader(req.rawHeaders, 'host'),
          pathTenant,
          controllerId,
        ),
      dev,
      action,
    );
    res.writeHead(200, {
      'content-type': JSON_TYPE,
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
    return true;
  };
}
