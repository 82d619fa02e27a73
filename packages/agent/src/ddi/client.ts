import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { DdiError } from './errors.js';
import { discard, readCapped, send, type DdiTlsOptions } from './http.js';
import {
  parseCancel,
  parseControllerBase,
  parseDeploymentBase,
  type DdiCancel,
  type DdiConfigData,
  type DdiControllerBase,
  type DdiDeploymentBase,
  type DdiFeedback,
} from './model.js';

export interface DdiAuth {
  /** `TargetToken` (per device) or `GatewayToken` (per tenant). */
  readonly type: 'target' | 'gateway';
  readonly token: string;
}

export interface DdiClientOptions {
  /** Server root, e.g. https://updates.example.com (no tenant, no trailing path). */
  readonly baseUrl: string;
  /** hawkBit tenant (default "DEFAULT"). */
  readonly tenant?: string;
  readonly controllerId: string;
  /** Token authentication; omit when the device authenticates by client certificate only. */
  readonly auth?: DdiAuth;
  readonly tls?: DdiTlsOptions;
  /** Idle timeout per request (default 30 s); JSON exchanges also get 2× this as a deadline. */
  readonly timeoutMs?: number;
  /** Cap on every JSON response body (default 1 MiB). */
  readonly maxJsonBytes?: number;
  /**
   * Further origins that may receive the token (e.g. a download host). The token is sent
   * only to the base URL's origin and these, never to an arbitrary link target.
   */
  readonly trustedOrigins?: readonly string[];
}

export const DEFAULT_MAX_JSON_BYTES = 1024 * 1024;
const FRAGMENT = /^[A-Za-z0-9._~:@!$&'()*+,;=-]{1,128}$/;

/** The agent's side of the hawkBit Direct Device Integration API, one exchange per method. */
export class DdiClient {
  readonly controllerUrl: string;
  readonly #o: DdiClientOptions;
  readonly #trusted: ReadonlySet<string>;
  readonly #timeout: number;
  readonly #maxJson: number;

  constructor(options: DdiClientOptions) {
    this.#o = options;
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch (err) {
      throw new DdiError('DDI_CONFIG_INVALID', `base URL "${options.baseUrl}" is not a URL`, {
        cause: err,
      });
    }
    const bad: string[] = [];
    if (base.protocol !== 'http:' && base.protocol !== 'https:')
      bad.push('base URL must be http(s)');
    const tenant = options.tenant ?? 'DEFAULT';
    if (!FRAGMENT.test(tenant)) bad.push(`tenant "${tenant.slice(0, 40)}" is not a path segment`);
    if (!FRAGMENT.test(options.controllerId))
      bad.push(
        `controller id "${options.controllerId.slice(0, 40)}" is not a path segment (1–128 URL-safe characters)`,
      );
    if (options.auth && !/^[\x21-\x7e]{1,512}$/.test(options.auth.token))
      bad.push('token must be 1–512 printable ASCII characters');
    if (bad.length > 0) throw new DdiError('DDI_CONFIG_INVALID', bad.join('; '));
    this.controllerUrl = `${base.origin}${base.pathname.replace(/\/+$/, '')}/${tenant}/controller/v1/${options.controllerId}`;
    this.#trusted = new Set([
      base.origin,
      ...(options.trustedOrigins ?? []).map((o) => new URL(o).origin),
    ]);
    this.#timeout = options.timeoutMs ?? 30_000;
    this.#maxJson = options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES;
  }

  #headers(url: URL, extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
    const h: OutgoingHttpHeaders = { 'user-agent': 'cairn-agent', ...extra };
    const a = this.#o.auth;
    if (a && this.#trusted.has(url.origin))
      h['authorization'] = `${a.type === 'target' ? 'TargetToken' : 'GatewayToken'} ${a.token}`;
    return h;
  }

  #url(href: string): URL {
    let u: URL;
    try {
      u = new URL(href);
    } catch (err) {
      throw new DdiError('DDI_PROTOCOL', `link "${href.slice(0, 200)}" is not a URL`, {
        cause: err,
      });
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new DdiError('DDI_PROTOCOL', `link ${href.slice(0, 200)} is not http(s)`);
    return u;
  }

  /** Map a non-2xx status to its typed error (the body is discarded). */
  async #check(res: IncomingMessage, what: string, ok: readonly number[]): Promise<void> {
    const s = res.statusCode ?? 0;
    if (ok.includes(s)) return;
    await discard(res);
    if (s === 401 || s === 403)
      throw new DdiError(
        'DDI_UNAUTHORIZED',
        `${what}: the server refused our credentials (HTTP ${s}); check the target/gateway token or the device certificate`,
        { details: { status: s } },
      );
    if (s === 404 || s === 410)
      throw new DdiError('DDI_NOT_FOUND', `${what}: not found (HTTP ${s})`, {
        details: { status: s },
      });
    if (s >= 500 || s === 429 || s === 408)
      throw new DdiError('DDI_UNREACHABLE', `${what}: server unavailable (HTTP ${s}); will retry`, {
        details: { status: s },
      });
    throw new DdiError('DDI_PROTOCOL', `${what}: unexpected HTTP ${s}`, { details: { status: s } });
  }

  async #json(
    method: 'GET' | 'POST' | 'PUT',
    href: string,
    what: string,
    body?: unknown,
  ): Promise<unknown> {
    const url = this.#url(href);
    const deadline = AbortSignal.timeout(this.#timeout * 2);
    try {
      const res = await send({
        method,
        url,
        headers: this.#headers(url, {
          accept: 'application/hal+json, application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json;charset=UTF-8' }),
        }),
        ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body)) }),
        idleTimeoutMs: this.#timeout,
        signal: deadline,
        ...(this.#o.tls ? { tls: this.#o.tls } : {}),
      });
      await this.#check(res, what, method === 'GET' ? [200] : [200, 201, 204]);
      const raw = await readCapped(res, this.#maxJson, what);
      if (method !== 'GET') return undefined;
      try {
        return JSON.parse(raw.toString('utf8')) as unknown;
      } catch (err) {
        throw new DdiError('DDI_PROTOCOL', `${what} is not JSON`, { cause: err });
      }
    } catch (err) {
      if (deadline.aborted && !(err instanceof DdiError && err.code !== 'DDI_UNREACHABLE'))
        throw new DdiError(
          'DDI_UNREACHABLE',
          `${what}: no complete answer within ${this.#timeout * 2} ms`,
          {
            cause: err,
          },
        );
      throw err;
    }
  }

  /** GET the controller base: polling sleep and the links to follow. */
  async poll(): Promise<DdiControllerBase> {
    return parseControllerBase(await this.#json('GET', this.controllerUrl, 'controller base'));
  }

  async deploymentBase(href: string): Promise<DdiDeploymentBase> {
    return parseDeploymentBase(await this.#json('GET', href, 'deployment base'));
  }

  async cancelAction(href: string): Promise<DdiCancel> {
    return parseCancel(await this.#json('GET', href, 'cancel action'));
  }

  async sendFeedback(actionId: string, feedback: DdiFeedback): Promise<void> {
    await this.#json(
      'POST',
      `${this.controllerUrl}/deploymentBase/${encodeURIComponent(actionId)}/feedback`,
      `feedback for action ${actionId}`,
      feedback,
    );
  }

  async sendCancelFeedback(actionId: string, feedback: DdiFeedback): Promise<void> {
    await this.#json(
      'POST',
      `${this.controllerUrl}/cancelAction/${encodeURIComponent(actionId)}/feedback`,
      `cancel feedback for action ${actionId}`,
      feedback,
    );
  }

  /** PUT the device's attributes (the `configData` link, or the standard path). */
  async putConfigData(data: DdiConfigData, href?: string): Promise<void> {
    await this.#json('PUT', href ?? `${this.controllerUrl}/configData`, 'config data', data);
  }

  /**
   * Open an artifact download, from `offset` with a Range request when > 0. Resolves
   * with the response head once the status is 200/206; the caller reads (and destroys) it.
   */
  async openDownload(href: string, offset: number, signal?: AbortSignal): Promise<IncomingMessage> {
    const url = this.#url(href);
    const res = await send({
      method: 'GET',
      url,
      headers: this.#headers(url, {
        accept: 'application/octet-stream',
        ...(offset > 0 ? { range: `bytes=${offset}-` } : {}),
      }),
      idleTimeoutMs: this.#timeout,
      ...(signal ? { signal } : {}),
      ...(this.#o.tls ? { tls: this.#o.tls } : {}),
    });
    await this.#check(res, `download ${url.pathname}`, [200, 206]);
    return res;
  }
}
