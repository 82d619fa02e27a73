/** Admin routes for the device registry. */
import type { FastifyInstance } from 'fastify';
import type { AdminGuard } from '../auth/admin-token.js';
import { deviceJson } from '../http/json.js';
import type { DeviceService, NewDevice } from './devices.js';

export function deviceRoutes(o: { devices: DeviceService; guard: AdminGuard }) {
  return (app: FastifyInstance): void => {
    app.addHook('onRequest', o.guard);
    app.post('/api/v1/devices', async (req, reply) => {
      const { device, targetToken } = await o.devices.add((req.body ?? {}) as NewDevice);
      return reply.code(201).send({ device: deviceJson(device), targetToken });
    });
    app.get<{ Querystring: { product?: string; limit?: string; offset?: string } }>(
      '/api/v1/devices',
      async (req) => {
        const q = req.query;
        const list = await o.devices.list({
          ...(q.product === undefined ? {} : { productId: q.product }),
          ...(q.limit === undefined ? {} : { limit: Number(q.limit) || 100 }),
          ...(q.offset === undefined ? {} : { offset: Number(q.offset) || 0 }),
        });
        return list.map(deviceJson);
      },
    );
    app.get<{ Params: { controllerId: string } }>('/api/v1/devices/:controllerId', async (req) =>
      deviceJson(await o.devices.get(req.params.controllerId)),
    );
  };
}
