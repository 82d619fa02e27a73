/** Admin routes for actions: assign a release to a device, inspect, cancel. */
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '@cairn/core';
import type { AdminGuard } from '../auth/admin-token.js';
import { actionJson } from '../http/json.js';
import type { ActionService } from './actions.js';
import type { ActionType } from './model.js';

function numeric(text: string, path: string): number {
  if (!/^\d{1,15}$/.test(text))
    throw new ValidationError(path, [{ path, problem: 'must be a number' }]);
  return Number(text);
}

export function actionRoutes(o: { actions: ActionService; guard: AdminGuard }) {
  return (app: FastifyInstance): void => {
    app.addHook('onRequest', o.guard);
    app.post<{ Params: { controllerId: string }; Body: { releaseId?: unknown; type?: unknown } }>(
      '/api/v1/devices/:controllerId/actions',
      async (req, reply) => {
        const b = req.body;
        if (typeof b.releaseId !== 'number' || !Number.isSafeInteger(b.releaseId)) {
          throw new ValidationError('action', [
            { path: 'releaseId', problem: 'must be a release id (number)' },
          ]);
        }
        const a = await o.actions.create(req.params.controllerId, b.releaseId, {
          actor: 'admin',
          ...(b.type === undefined ? {} : { type: b.type as ActionType }),
        });
        return reply.code(201).send(actionJson(a));
      },
    );
    app.get<{ Params: { id: string } }>('/api/v1/actions/:id', async (req) => {
      const id = numeric(req.params.id, 'id');
      const a = await o.actions.get(id);
      const history = await o.actions.history(id);
      return { ...actionJson(a), history: history.map((h) => ({ ...h, at: h.at.toISOString() })) };
    });
    app.post<{ Params: { id: string } }>('/api/v1/actions/:id/cancel', async (req) =>
      actionJson(await o.actions.cancel(numeric(req.params.id, 'id'), 'admin')),
    );
  };
}
