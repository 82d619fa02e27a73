/**
 * Device authentication for the DDI API, as hawkBit does it:
 *  - `Authorization: TargetToken <token>`: the device's own token (stored hashed);
 *  - `Authorization: GatewayToken <token>`: the tenant's gateway token, any device;
 *  - a TLS client certificate from Cairn's device CA whose subject CN is the controller
 *    ID: verified natively when the server runs TLS and requests client certificates,
 *    or taken from a trusted reverse proxy's headers (only from configured addresses).
 * A credential that is valid but belongs to another device is refused the same way as
 * a wrong one (AUTH_INVALID → 401), so IDs cannot be probed.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import { AuthError } from '../errors.js';
import type { DeviceService } from '../devices/devices.js';

export interface ProxyCertConfig {
  /** Addresses of the proxies whose headers are trusted (exact match of the peer IP). */
  readonly trustedProxies: readonly string[];
  /** Header with the client certificate's subject CN (hawkBit: X-Ssl-Client-Cn). */
  readonly cnHeader: string;
  /** Header with the issuer hash the proxy verified (hawkBit: X-Ssl-Issuer-Hash-1). */
  readonly issuerHashHeader?: string;
  /** Accepted issuer hashes (lower-case); required when issuerHashHeader is set. */
  readonly issuerHashes?: readonly string[];
}

export interface DeviceAuthConfig {
  readonly targetToken: boolean;
  /** The tenant's gateway token, or undefined to disable gateway auth. */
  readonly gatewayToken?: string;
  /** Accept TLS client certificates verified by this server's TLS stack. */
  readonly clientCertificates: boolean;
  readonly proxy?: ProxyCertConfig;
}

export type DeviceAuthMethod = 'target-token' | 'gateway-token' | 'client-cert' | 'proxy-cert';

export interface DeviceAuthResult {
  readonly controllerId: string;
  readonly method: DeviceAuthMethod;
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function peerAddress(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

export class DeviceAuthenticator {
  readonly #config: DeviceAuthConfig;
  readonly #devices: DeviceService;
  readonly #gateway: Buffer | undefined;

  constructor(config: DeviceAuthConfig, devices: DeviceService) {
    this.#config = config;
    this.#devices = devices;
    this.#gateway = config.gatewayToken === undefined ? undefined : sha256(config.gatewayToken);
  }

  /**
   * The poll path's synchronous fast path: `controllerId` when the request carries that
   * device's TargetToken and the token is cached; undefined in every other case (then
   * call authenticate(), which decides and throws).
   */
  authenticateCached(auth: string | undefined, controllerId: string): string | undefined {
    if (!this.#config.targetToken) return undefined;
    if (auth === undefined || !auth.startsWith('TargetToken ')) return undefined;
    const credential = auth.slice(12).trim();
    if (credential === '') return undefined;
    return this.#devices.cachedTokenMatches(controllerId, credential) === true
      ? controllerId
      : undefined;
  }

  /** Authenticate the request for `controllerId`; throws AUTH_REQUIRED / AUTH_INVALID. */
  async authenticate(req: IncomingMessage, controllerId: string): Promise<DeviceAuthResult> {
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const space = auth.indexOf(' ');
      const scheme = space < 0 ? auth : auth.slice(0, space);
      const credential = space < 0 ? '' : auth.slice(space + 1).trim();
      if (scheme === 'TargetToken' && this.#config.targetToken && credential !== '') {
        if (await this.#devices.tokenMatches(controllerId, credential))
          return { controllerId, method: 'target-token' };
        throw invalid();
      }
      if (scheme === 'GatewayToken' && this.#gateway !== undefined && credential !== '') {
        if (timingSafeEqual(sha256(credential), this.#gateway)) {
          if ((await this.#devices.find(controllerId)) === undefined) throw invalid();
          return { controllerId, method: 'gateway-token' };
        }
        throw invalid();
      }
    }
    const cert = this.#clientCertCn(req);
    if (cert !== undefined) {
      if (cert.cn === controllerId && (await this.#devices.find(controllerId)) !== undefined) {
        return { controllerId, method: cert.method };
      }
      throw invalid();
    }
    if (auth !== undefined) throw invalid();
    throw new AuthError(
      'AUTH_REQUIRED',
      'no device credentials: send "Authorization: TargetToken <token>" (or GatewayToken), or a client certificate from the device CA',
    );
  }

  #clientCertCn(req: IncomingMessage): { cn: string; method: DeviceAuthMethod } | undefined {
    const socket = req.socket as Partial<TLSSocket>;
    if (
      this.#config.clientCertificates &&
      socket.encrypted === true &&
      socket.authorized === true
    ) {
      // An empty object when the client sent no certificate, despite the typing.
      const cert = socket.getPeerCertificate?.() as { subject?: { CN?: unknown } } | undefined;
      const cn = cert?.subject?.CN;
      if (typeof cn === 'string') return { cn, method: 'client-cert' };
    }
    const proxy = this.#config.proxy;
    if (proxy !== undefined && proxy.trustedProxies.includes(peerAddress(req))) {
      const cn = header(req, proxy.cnHeader);
      if (cn === undefined || cn === '') return undefined;
      if (proxy.issuerHashHeader !== undefined) {
        const issuer = header(req, proxy.issuerHashHeader)?.toLowerCase();
        if (issuer === undefined || !(proxy.issuerHashes ?? []).includes(issuer)) return undefined;
      }
      return { cn, method: 'proxy-cert' };
    }
    return undefined;
  }
}

function invalid(): AuthError {
  return new AuthError(
    'AUTH_INVALID',
    'the credentials are not valid for this device (wrong token, or a token or certificate of another device)',
  );
}
