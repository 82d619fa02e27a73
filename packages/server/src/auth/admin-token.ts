/**
 * The minimal admin check for the management routes of part 1: one bearer token from
 * the config, compared in constant time. The management API (roles, API tokens)
 * replaces this file; routes only see `adminGuard`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AuthError } from '../errors.js';

export type AdminGuard = (req: FastifyRequest) => Promise<void>;

export function adminTokenGuard(adminToken: string): AdminGuard {
  const expected = createHash('sha256').update(adminToken).digest();
  return (req) => {
    const h = req.headers.authorization;
    if (h === undefined || !h.startsWith('Bearer ')) {
      return Promise.reject(
        new AuthError(
          'AUTH_REQUIRED',
          'send "Authorization: Bearer <admin token>" (server config adminToken)',
        ),
      );
    }
    const got = createHash('sha256').update(h.slice(7).trim()).digest();
    if (!timingSafeEqual(got, expected)) {
      return Promise.reject(new AuthError('AUTH_INVALID', 'the admin token is wrong'));
    }
    return Promise.resolve();
  };
}
