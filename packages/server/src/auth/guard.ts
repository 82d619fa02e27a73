/**
 * Authentication and authorization of the management API: `Authorization: Bearer
 * <token>` with an API token (or the config's bootstrap admin token), then the route's
 * one permission checked against the token's role. 401 when the token is missing,
 * unknown, expired or revoked; 403 when the role lacks the permission (or the route has
 * no permission entry: deny by default).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AuthError } from '../errors.js';
import { contractFor } from '../management/contracts.js';
import type { AdminGuard } from './admin-token.js';
import { can, leastRoleFor } from './roles.js';
import type { Principal } from './roles.js';
import { TokenError } from './tokens.js';
import type { ApiTokenService } from './tokens.js';

export interface ManagementAuth {
  /** The onRequest hook of every management route (idempotent per request). */
  readonly guard: AdminGuard;
  /** Who made the request, once the guard has run. */
  principalOf(req: FastifyRequest): Principal | undefined;
}

const BOOTSTRAP: Principal = Object.freeze({
  id: 'admin',
  name: 'bootstrap admin token',
  role: 'admin',
});

export function managementAuth(o: { tokens: ApiTokenService; adminToken: string }): ManagementAuth {
  const admin = createHash('sha256').update(o.adminToken).digest();
  const principals = new WeakMap<FastifyRequest, Principal>();

  const authenticate = async (req: FastifyRequest): Promise<Principal> => {
    const known = principals.get(req);
    if (known !== undefined) return known;
    const h = req.headers.authorization;
    if (h === undefined || !h.startsWith('Bearer ') || h.length > 512) {
      throw new AuthError(
        'AUTH_REQUIRED',
        'send "Authorization: Bearer <API token>"; an admin creates tokens with `cairn server token create`',
      );
    }
    const presented = h.slice(7).trim();
    let p: Principal;
    if (timingSafeEqual(createHash('sha256').update(presented).digest(), admin)) p = BOOTSTRAP;
    else {
      try {
        p = await o.tokens.authenticate(presented);
      } catch (err) {
        if (err instanceof TokenError)
          throw new AuthError('AUTH_INVALID', err.message, { cause: err });
        throw err;
      }
    }
    principals.set(req, p);
    return p;
  };

  return {
    async guard(req) {
      const p = await authenticate(req);
      const contract = contractFor(req.method, req.routeOptions.url ?? '');
      if (contract === undefined) {
        throw new AuthError(
          'AUTH_FORBIDDEN',
          `${req.method} ${req.routeOptions.url ?? req.url} has no permission entry, so it is refused for every role`,
        );
      }
      if (!can(p.role, contract.permission)) {
        throw new AuthError(
          'AUTH_FORBIDDEN',
          `role ${p.role} lacks permission ${contract.permission} (needs ${leastRoleFor(contract.permission)} or above)`,
          { details: { role: p.role, permission: contract.permission } },
        );
      }
    },
    principalOf: (req) => principals.get(req),
  };
}
