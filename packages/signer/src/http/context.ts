import type { FastifyRequest } from 'fastify';
import type { Action, Principal } from '../auth/roles.js';
import { isAllowed } from '../auth/roles.js';
import { SignerError } from '../errors.js';
import type { CallContext } from '../service.js';

/** Per-request state the hooks and routes share (kept off the Fastify types). */
export interface RequestState {
  principal: Principal | undefined;
  authError: SignerError | undefined;
  action: string;
  worker: string | undefined;
  keyLabel: string | undefined;
  requestDigest: string | undefined;
  /** True once the route wrote the audit record itself (signatures, with their log entry). */
  audited: boolean;
  errorCode: string | undefined;
  errorMessage: string | undefined;
  details: Record<string, string> | undefined;
  started: bigint;
}

const STATE = new WeakMap<FastifyRequest, RequestState>();

export function stateOf(req: FastifyRequest): RequestState {
  let s = STATE.get(req);
  if (!s) {
    s = {
      principal: undefined,
      authError: undefined,
      action: 'http',
      worker: undefined,
      keyLabel: undefined,
      requestDigest: undefined,
      audited: false,
      errorCode: undefined,
      errorMessage: undefined,
      details: undefined,
      started: process.hrtime.bigint(),
    };
    STATE.set(req, s);
  }
  return s;
}

/** Authorize the request for `action` (deny by default): 401 without a principal, 403 without the role. */
export function authorize(req: FastifyRequest, action: Action, worker?: string): Principal {
  const s = stateOf(req);
  s.action = action;
  if (worker !== undefined) s.worker = worker;
  if (s.authError) throw s.authError;
  if (!s.principal)
    throw new SignerError(
      'UNAUTHENTICATED',
      "no credentials: send Authorization: Bearer <token> or a client certificate from Cairn's PKI",
    );
  if (!isAllowed(s.principal, action, worker))
    throw new SignerError(
      'FORBIDDEN',
      `${s.principal.id} may not ${action}${worker === undefined ? '' : ` on worker '${worker}'`}`,
    );
  return s.principal;
}

export function callContext(req: FastifyRequest): CallContext {
  const s = stateOf(req);
  return {
    principal: s.principal,
    clientAddress: req.ip,
    ...(s.requestDigest === undefined ? {} : { requestDigest: s.requestDigest }),
  };
}

declare module 'fastify' {
  interface FastifySchema {
    /** One line for /openapi.json. */
    summary?: string;
  }
}
