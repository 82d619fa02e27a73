/**
 * Management routes beside part 1's: API tokens, the audit trail, a device's actions,
 * attribute updates and deletion of devices, one product.
 */
import type { FastifyInstance } from 'fastify';
import type { ActionService } from '../actions/actions.js';
import type { ManagementAuth } from '../auth/guard.js';
import type { ApiToken, ApiTokenService } from '../auth/tokens.js';
import type { AuditTrail } from '../db/ledger-audit.js';
import type { AttributeMode, DeviceService } from '../devices/devices.js';
import { actionJson, deviceJson } from '../http/json.js';
import type { ProductService } from '../products/products.js';
import type { DeviceRemover } from './device-remover.js';

export interface AdminRoutesOptions {
  readonly auth: ManagementAuth;
  readonly tokens: ApiTokenService;
  readonly audit: Pick<AuditTrail, 'list'>;
  readonly devices: DeviceService;
  readonly actions: ActionService;
  readonly products: ProductService;
  readonly remover: DeviceRemover;
}

export function tokenJson(t: ApiToken): Record<string, unknown> {
  return {
    ...t,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}

type Device = { Params: { controllerId: string } };

export function adminRoutes(o: AdminRoutesOptions) {
  return (app: FastifyInstance): void => {
    app.post('/api/v1/tokens', async (req, reply) => {
      const { token, info } = await o.tokens.create(
        req.body,
        o.auth.principalOf(req)?.id ?? 'anonymous',
      );
      return reply.code(201).send({ ...tokenJson(info), token });
    });
    app.get('/api/v1/tokens', async () => (await o.tokens.list()).map(tokenJson));
    app.delete<{ Params: { id: string } }>('/api/v1/tokens/:id', async (req) =>
      tokenJson(await o.tokens.revoke(req.params.id)),
    );
    app.get<{ Querystring: { limit?: string } }>('/api/v1/audit', async (req) =>
      (await o.audit.list(Math.min(Number(req.query.limit ?? 100), 1000))).map((r) => ({
        ...r,
        at: r.at.toISOString(),
      })),
    );
    app.get<{ Params: { productId: string } }>('/api/v1/products/:productId', async (req) => {
      const p = await o.products.get(req.params.productId);
      return { ...p, createdAt: p.createdAt.toISOString() };
    });
    app.get<Device>('/api/v1/devices/:controllerId/actions', async (req) => {
      await o.devices.get(req.params.controllerId);
      return (await o.actions.list({ controllerId: req.params.controllerId })).map(actionJson);
    });
    app.patch<Device & { Body: { attributes: Record<string, string>; mode?: AttributeMode } }>(
      '/api/v1/devices/:controllerId',
      async (req) =>
        deviceJson(
          await o.devices.updateAttributes(
            req.params.controllerId,
            req.body.attributes,
            req.body.mode ?? 'merge',
          ),
        ),
    );
    app.delete<Device>('/api/v1/devices/:controllerId', async (req, reply) => {
      await o.remover.remove(req.params.controllerId);
      return reply.code(204).send();
    });
  };
}
