/** Roles, deny by default, each granted on one worker or on every worker ('*'). */
export type Role = 'admin' | 'release-manager' | 'signer' | 'auditor';
export const ROLES: readonly Role[] = ['admin', 'release-manager', 'signer', 'auditor'];

export interface Grant {
  readonly role: Role;
  /** A worker name, or '*' for every worker (and the service-wide actions). */
  readonly worker: string;
}

export type AuthMethod = 'token' | 'mtls' | 'none';

/** Who is calling, as authenticated. */
export interface Principal {
  readonly id: string;
  readonly method: AuthMethod;
  readonly grants: readonly Grant[];
}

/**
 * Actions and the roles that may perform them. `scope: 'worker'` checks the grant on
 * the request's worker (or '*'); `'global'` needs the role on '*'; `'any'` needs the
 * role on at least one worker (results are then filtered to those workers).
 */
export const AUTHORIZATION = Object.freeze({
  'worker.create': { roles: ['admin'], scope: 'global' },
  'worker.list': { roles: ['admin', 'release-manager', 'signer', 'auditor'], scope: 'any' },
  'worker.show': { roles: ['admin', 'release-manager', 'signer', 'auditor'], scope: 'worker' },
  sign: { roles: ['signer'], scope: 'worker' },
  'sign.digest': { roles: ['signer'], scope: 'worker' },
  'request.list': { roles: ['admin', 'release-manager', 'auditor'], scope: 'any' },
  'request.show': { roles: ['admin', 'release-manager', 'auditor', 'signer'], scope: 'worker' },
  approve: { roles: ['release-manager'], scope: 'worker' },
  deny: { roles: ['release-manager'], scope: 'worker' },
  'token.create': { roles: ['admin'], scope: 'global' },
  'token.list': { roles: ['admin'], scope: 'global' },
  'token.revoke': { roles: ['admin'], scope: 'global' },
  'principal.map': { roles: ['admin'], scope: 'global' },
  'log.read': { roles: ['auditor', 'admin'], scope: 'global' },
  'audit.read': { roles: ['auditor', 'admin'], scope: 'global' },
} as const satisfies Record<
  string,
  { roles: readonly Role[]; scope: 'worker' | 'global' | 'any' }
>);

export type Action = keyof typeof AUTHORIZATION;

/** Whether `p` may do `action` (on `worker` for worker-scoped actions). */
export function isAllowed(p: Principal, action: Action, worker?: string): boolean {
  const rule = AUTHORIZATION[action];
  const roles: readonly Role[] = rule.roles;
  return p.grants.some((g) => {
    if (!roles.includes(g.role)) return false;
    if (rule.scope === 'any') return true;
    if (rule.scope === 'global') return g.worker === '*';
    return g.worker === '*' || g.worker === worker;
  });
}

/** Whether `p` holds `role` on `worker` (directly or through '*'). */
export function hasRole(p: Principal, role: Role, worker: string): boolean {
  return p.grants.some((g) => g.role === role && (g.worker === '*' || g.worker === worker));
}

/** Workers (names, or '*') on which `p` holds one of `roles`. */
export function workersWith(p: Principal, roles: readonly Role[]): Set<string> {
  return new Set(p.grants.filter((g) => roles.includes(g.role)).map((g) => g.worker));
}
