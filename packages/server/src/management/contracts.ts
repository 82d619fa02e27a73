/**
 * The contract of every management route: the one permission it needs, its request
 * schemas (validated at the edge, every bad field reported) and its documentation. The
 * OpenAPI document is generated from this table. A route under /api/ that is missing
 * here is refused for everyone (deny by default).
 */
import type { Permission } from '../auth/roles.js';
import type { JsonSchema } from './validator.js';

export interface RouteContract {
  readonly permission: Permission;
  readonly summary: string;
  readonly tag: string;
  readonly params?: JsonSchema;
  readonly querystring?: JsonSchema;
  readonly body?: JsonSchema;
  /** Media type of a raw (streamed) request body, documented but not parsed. */
  readonly rawBody?: string;
  /** Status of a success answer (default 200). */
  readonly success?: number;
}

const str = (maxLength: number, extra: Partial<JsonSchema> = {}): JsonSchema => ({
  type: 'string',
  maxLength,
  ...extra,
});
const id: JsonSchema = { type: 'string', pattern: '^[0-9]{1,15}$', description: 'numeric id' };
const controllerId: JsonSchema = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' };
const obj = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const attributes: JsonSchema = { type: 'object', additionalProperties: str(512) };
const paging = {
  limit: str(4, { pattern: '^[0-9]{1,4}$', description: 'at most 1000 (default 100)' }),
  offset: str(9, { pattern: '^[0-9]{1,9}$' }),
};
const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const rolloutId = obj({ id }, ['id']);

export const ROUTE_CONTRACTS: Readonly<Record<string, RouteContract>> = Object.freeze({
  // products
  'GET /api/v1/products': { permission: 'read', tag: 'products', summary: 'List products' },
  'POST /api/v1/products': {
    permission: 'products.write',
    tag: 'products',
    summary: 'Create a product (vendor/class IDs, trust anchors)',
    success: 201,
    body: obj(
      {
        id: str(64, { pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' }),
        name: str(200, { minLength: 1 }),
        vendorId: str(36, { pattern: UUID }),
        classId: str(36, { pattern: UUID }),
        anchors: {
          type: 'array',
          minItems: 1,
          maxItems: 32,
          items: obj(
            {
              kind: { type: 'string', enum: ['pin', 'pem'] },
              value: str(65536, { minLength: 1 }),
              label: str(200),
            },
            ['kind', 'value'],
          ),
        },
      },
      ['id', 'name', 'vendorId', 'classId', 'anchors'],
    ),
  },
  'GET /api/v1/products/:productId': {
    permission: 'read',
    tag: 'products',
    summary: 'Get a product',
    params: obj({ productId: str(64) }, ['productId']),
  },
  // releases
  'POST /api/v1/products/:productId/releases': {
    permission: 'releases.upload',
    tag: 'releases',
    summary: 'Upload a signed .cairn bundle (verified against the product trust anchors)',
    success: 201,
    rawBody: 'application/octet-stream',
    params: obj({ productId: str(64) }, ['productId']),
    querystring: obj({ version: str(64, { minLength: 1 }) }),
  },
  'PUT /api/v1/releases/:id/artifacts/:fileName': {
    permission: 'releases.upload',
    tag: 'releases',
    summary: 'Attach a plain file (e.g. .swu) to a release',
    success: 201,
    rawBody: 'application/octet-stream',
    params: obj({ id, fileName: str(255, { minLength: 1 }) }, ['id', 'fileName']),
  },
  'GET /api/v1/releases': {
    permission: 'read',
    tag: 'releases',
    summary: 'List releases',
    querystring: obj({ product: str(64) }),
  },
  'GET /api/v1/releases/:id': {
    permission: 'read',
    tag: 'releases',
    summary: 'Get a release with its artifacts',
    params: obj({ id }, ['id']),
  },
  // devices
  'POST /api/v1/devices': {
    permission: 'devices.write',
    tag: 'devices',
    summary: 'Register a device; answers its TargetToken once',
    success: 201,
    body: obj({ controllerId, productId: str(64), attributes }, ['controllerId', 'productId']),
  },
  'GET /api/v1/devices': {
    permission: 'read',
    tag: 'devices',
    summary: 'List devices',
    querystring: obj({ product: str(64), ...paging }),
  },
  'GET /api/v1/devices/:controllerId': {
    permission: 'read',
    tag: 'devices',
    summary: 'Get a device',
    params: obj({ controllerId }, ['controllerId']),
  },
  'PATCH /api/v1/devices/:controllerId': {
    permission: 'devices.write',
    tag: 'devices',
    summary: 'Update device attributes (merge, replace or remove)',
    params: obj({ controllerId }, ['controllerId']),
    body: obj({ attributes, mode: { type: 'string', enum: ['merge', 'replace', 'remove'] } }, [
      'attributes',
    ]),
  },
  'DELETE /api/v1/devices/:controllerId': {
    permission: 'devices.write',
    tag: 'devices',
    summary: 'Delete a device with its actions',
    params: obj({ controllerId }, ['controllerId']),
  },
  // actions
  'GET /api/v1/devices/:controllerId/actions': {
    permission: 'read',
    tag: 'actions',
    summary: "List a device's actions",
    params: obj({ controllerId }, ['controllerId']),
  },
  'POST /api/v1/devices/:controllerId/actions': {
    permission: 'actions.write',
    tag: 'actions',
    summary: 'Assign a release to one device',
    success: 201,
    params: obj({ controllerId }, ['controllerId']),
    body: obj(
      {
        releaseId: { type: 'integer', minimum: 1 },
        type: { type: 'string', enum: ['forced', 'soft', 'downloadonly'] },
      },
      ['releaseId'],
    ),
  },
  'GET /api/v1/actions/:id': {
    permission: 'read',
    tag: 'actions',
    summary: 'Get an action with its status history',
    params: obj({ id }, ['id']),
  },
  'POST /api/v1/actions/:id/cancel': {
    permission: 'actions.write',
    tag: 'actions',
    summary: 'Cancel an action (the device confirms through DDI cancelAction)',
    params: obj({ id }, ['id']),
  },
  // rollouts
  'POST /api/v1/rollouts': {
    permission: 'rollouts.write',
    tag: 'rollouts',
    summary: 'Create a rollout',
    success: 201,
    body: obj(
      {
        name: str(128, { minLength: 1 }),
        releaseId: { type: 'integer', minimum: 1 },
        filter: str(1024, { description: 'e.g. hw=rev2 and (region=eu or region="us-east")' }),
        groups: { type: 'integer', minimum: 1, maximum: 100 },
        groupPercentages: {
          type: 'array',
          minItems: 1,
          maxItems: 100,
          items: { type: 'integer', minimum: 1, maximum: 100 },
        },
        successThreshold: { type: 'integer', minimum: 0, maximum: 100 },
        errorThreshold: { type: 'integer', minimum: 0, maximum: 100 },
        type: { type: 'string', enum: ['forced', 'soft', 'downloadonly'] },
        startAt: { type: 'string', format: 'date-time' },
        requireApproval: { type: 'boolean' },
      },
      ['name', 'releaseId'],
    ),
  },
  'GET /api/v1/rollouts': {
    permission: 'read',
    tag: 'rollouts',
    summary: 'List rollouts',
    querystring: obj({
      status: str(32, { pattern: '^[a-z_]+$' }),
      ...paging,
    }),
  },
  'GET /api/v1/rollouts/:id': {
    permission: 'read',
    tag: 'rollouts',
    summary: 'Get a rollout with per-group progress',
    params: rolloutId,
  },
  'POST /api/v1/rollouts/:id/start': {
    permission: 'rollouts.write',
    tag: 'rollouts',
    summary: 'Start a ready rollout',
    params: rolloutId,
  },
  'POST /api/v1/rollouts/:id/pause': {
    permission: 'rollouts.write',
    tag: 'rollouts',
    summary: 'Pause a running rollout',
    params: rolloutId,
  },
  'POST /api/v1/rollouts/:id/resume': {
    permission: 'rollouts.write',
    tag: 'rollouts',
    summary: 'Resume a paused rollout',
    params: rolloutId,
  },
  'POST /api/v1/rollouts/:id/stop': {
    permission: 'rollouts.write',
    tag: 'rollouts',
    summary: 'Stop a rollout and cancel its open actions',
    params: rolloutId,
  },
  'POST /api/v1/rollouts/:id/approve': {
    permission: 'rollouts.approve',
    tag: 'rollouts',
    summary: 'Approve or deny a rollout (never by its creator)',
    params: rolloutId,
    body: obj({ decision: { type: 'string', enum: ['approve', 'deny'] }, remark: str(1024) }),
  },
  // audit
  'GET /api/v1/audit': {
    permission: 'read',
    tag: 'audit',
    summary: 'List server audit records, newest first',
    querystring: obj({ limit: paging.limit }),
  },
  // tokens
  'POST /api/v1/tokens': {
    permission: 'tokens.manage',
    tag: 'tokens',
    summary: 'Create an API token (answered once)',
    success: 201,
    body: obj(
      {
        name: str(128, { minLength: 1 }),
        role: { type: 'string', enum: ['viewer', 'operator', 'admin'] },
        expiresInDays: { type: 'integer', minimum: 1, maximum: 3650 },
      },
      ['name', 'role'],
    ),
  },
  'GET /api/v1/tokens': {
    permission: 'tokens.manage',
    tag: 'tokens',
    summary: 'List API tokens (never their secrets)',
  },
  'DELETE /api/v1/tokens/:id': {
    permission: 'tokens.manage',
    tag: 'tokens',
    summary: 'Revoke an API token',
    params: obj({ id: str(32, { pattern: '^[0-9a-f]{1,32}$' }) }, ['id']),
  },
});

export function contractFor(method: string, url: string): RouteContract | undefined {
  return ROUTE_CONTRACTS[`${method === 'HEAD' ? 'GET' : method} ${url}`];
}
