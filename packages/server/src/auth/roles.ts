/**
 * Roles and the one permission table of the management API. Deny by default: a route
 * names one permission (management/contracts.ts); a role has it only if listed here.
 */
export type Role = 'viewer' | 'operator' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

export type Permission =
  | 'read'
  | 'devices.write'
  | 'releases.upload'
  | 'rollouts.write'
  | 'actions.write'
  | 'rollouts.approve'
  | 'products.write'
  | 'tokens.manage';

const VIEWER: readonly Permission[] = ['read'];
const OPERATOR: readonly Permission[] = [
  ...VIEWER,
  'devices.write',
  'releases.upload',
  'rollouts.write',
  'actions.write',
];
const ADMIN: readonly Permission[] = [
  ...OPERATOR,
  'rollouts.approve',
  'products.write',
  'tokens.manage',
];

export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = Object.freeze({
  viewer: new Set(VIEWER),
  operator: new Set(OPERATOR),
  admin: new Set(ADMIN),
});

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}

/** The least role holding a permission (for error messages). */
export function leastRoleFor(permission: Permission): Role {
  return ROLES.find((r) => can(r, permission)) ?? 'admin';
}

/** Who made a request: an API token, or the bootstrap admin token of the config. */
export interface Principal {
  /** `token:<id>` or `admin` (the config's bootstrap token). */
  readonly id: string;
  readonly name: string;
  readonly role: Role;
}
