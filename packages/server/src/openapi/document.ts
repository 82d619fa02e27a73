/**
 * The OpenAPI 3.1 document of the management API, generated from the registered routes
 * and their contracts (management/contracts.ts), so it cannot drift from what is served.
 */
import { leastRoleFor } from '../auth/roles.js';
import type { RegisteredRoute } from '../management/edge.js';
import type { JsonSchema } from '../management/validator.js';

export type OpenApiDocument = Record<string, unknown> & {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, Record<string, unknown>>>;
};

const ERROR_BODY = {
  type: 'object',
  required: ['errorCode', 'message'],
  properties: {
    errorCode: { type: 'string' },
    message: { type: 'string' },
    issues: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, problem: { type: 'string' } },
      },
    },
  },
};

const errorRef = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

function parameters(schema: JsonSchema | undefined, where: 'path' | 'query') {
  const required = new Set(schema?.required ?? []);
  return Object.entries(schema?.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: s,
  }));
}

export function buildOpenApi(routes: readonly RegisteredRoute[], version: string): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const sorted = [...routes].sort(
    (a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method),
  );
  for (const r of sorted) {
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const c = r.contract;
    const op: Record<string, unknown> = {
      operationId: `${r.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
      summary: c?.summary ?? 'undocumented route (refused for every role)',
      tags: [c?.tag ?? 'other'],
      security: [{ bearerAuth: [] }],
      'x-permission': c?.permission ?? null,
      'x-least-role': c === undefined ? null : leastRoleFor(c.permission),
    };
    const params = [...parameters(c?.params, 'path'), ...parameters(c?.querystring, 'query')];
    if (params.length > 0) op['parameters'] = params;
    if (c?.body !== undefined) {
      op['requestBody'] = { required: true, content: { 'application/json': { schema: c.body } } };
    } else if (c?.rawBody !== undefined) {
      op['requestBody'] = {
        required: true,
        content: { [c.rawBody]: { schema: { type: 'string', contentEncoding: 'binary' } } },
      };
    }
    op['responses'] = {
      [String(c?.success ?? 200)]: { description: 'success (JSON)' },
      '400': errorRef('invalid input: every bad field is listed in `issues`'),
      '401': errorRef('no token, or an unknown, expired or revoked one'),
      '403': errorRef("the token's role lacks the permission"),
      '404': errorRef('not found'),
      '409': errorRef('conflict with the current state'),
    };
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cairn update server management API',
      version,
      description:
        'Products, releases, devices, actions, rollouts, audit and API tokens. Bearer API tokens with roles viewer, operator and admin.',
    },
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: ERROR_BODY },
    },
  };
}
