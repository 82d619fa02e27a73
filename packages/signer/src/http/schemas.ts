/** JSON Schemas of the API bodies (Fastify validates with them; /openapi.json shows them). */
const uuid = {
  type: 'string',
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
} as const;
const name = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' } as const;
const grant = {
  type: 'object',
  required: ['role', 'worker'],
  additionalProperties: false,
  properties: {
    role: { type: 'string', enum: ['admin', 'release-manager', 'signer', 'auditor'] },
    worker: { type: 'string', maxLength: 64 },
  },
} as const;

export const errorSchema = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    message: { type: 'string' },
    issues: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, problem: { type: 'string' } },
      },
    },
  },
} as const;

export const nameParams = { type: 'object', required: ['name'], properties: { name } } as const;
export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 64 } },
} as const;

export const releaseBody = {
  type: 'object',
  required: ['vendorId', 'classId', 'version', 'sequence', 'components'],
  additionalProperties: false,
  properties: {
    vendorId: uuid,
    classId: uuid,
    version: { type: 'string', minLength: 1, maxLength: 64 },
    sequence: {
      anyOf: [
        { type: 'integer', minimum: 1 },
        { type: 'string', pattern: '^(auto|[0-9]{1,20})$' },
      ],
    },
    description: { type: 'string', maxLength: 1024 },
    components: {
      type: 'array',
      minItems: 1,
      maxItems: 16,
      items: {
        type: 'object',
        required: ['id', 'sha256', 'size'],
        additionalProperties: false,
        properties: {
          id: {
            anyOf: [
              { type: 'string', minLength: 1, maxLength: 64 },
              {
                type: 'array',
                minItems: 1,
                maxItems: 8,
                items: { type: 'string', minLength: 1, maxLength: 64 },
              },
            ],
          },
          sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
          size: { type: 'integer', minimum: 0 },
        },
      },
    },
  },
} as const;

export const digestBody = {
  type: 'object',
  required: ['digest'],
  additionalProperties: false,
  properties: { digest: { type: 'string', pattern: '^[0-9a-f]{64}([0-9a-f]{32})?$' } },
} as const;

export const workerBody = {
  type: 'object',
  required: ['name', 'keyLabel', 'products', 'formats'],
  additionalProperties: false,
  properties: {
    name,
    keyLabel: { type: 'string', minLength: 1, maxLength: 128 },
    algorithm: {
      type: 'string',
      enum: ['ES256', 'ESP256', 'ES384', 'ESP384', 'EdDSA', 'Ed25519', 'PS256'],
    },
    chain: { type: 'array', minItems: 1, maxItems: 8, items: { type: 'string', maxLength: 65536 } },
    products: {
      type: 'array',
      minItems: 1,
      maxItems: 256,
      items: {
        type: 'object',
        required: ['vendorId', 'classId'],
        additionalProperties: false,
        properties: { vendorId: uuid, classId: uuid },
      },
    },
    formats: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', enum: ['suit', 'raw-digest'] },
    },
    policy: {
      type: 'object',
      additionalProperties: false,
      properties: {
        allowedAlgorithms: {
          type: 'array',
          items: {
            type: 'string',
            enum: ['ES256', 'ESP256', 'ES384', 'ESP384', 'EdDSA', 'Ed25519', 'PS256'],
          },
        },
        keyUsageLimit: { type: 'integer', minimum: 1 },
        keyNotBefore: { type: 'string', format: 'date-time' },
        keyNotAfter: { type: 'string', format: 'date-time' },
        approvals: { type: 'integer', minimum: 0, maximum: 16 },
        approvalTtlSeconds: { type: 'integer', minimum: 1 },
      },
    },
  },
} as const;

export const tokenBody = {
  type: 'object',
  required: ['name', 'grants'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 128 },
    grants: { type: 'array', minItems: 1, maxItems: 64, items: grant },
    ttlSeconds: { type: 'integer', minimum: 1 },
  },
} as const;

export const certPrincipalBody = {
  type: 'object',
  required: ['serial', 'principal', 'grants'],
  additionalProperties: false,
  properties: {
    serial: { type: 'string', pattern: '^[0-9A-Fa-f:]{1,80}$' },
    principal: { type: 'string', minLength: 1, maxLength: 256 },
    grants: { type: 'array', minItems: 1, maxItems: 64, items: grant },
  },
} as const;

export const decisionBody = {
  type: 'object',
  additionalProperties: false,
  properties: { comment: { type: 'string', maxLength: 1024 } },
} as const;
