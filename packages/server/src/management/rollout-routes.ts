/** Management routes of rollouts (schemas and permissions: contracts.ts). */
import type { FastifyInstance } from 'fastify';
import type { ManagementAuth } from '../auth/guard.js';
import type { RolloutWithGroups, Rollout, RolloutStatus } from '../rollouts/model.js';
import type { RolloutService } from '../rollouts/rollouts.js';

export function rolloutJson(r: Rollout | RolloutWithGroups): Record<string, unknown> {
  const groups = 'groups' in r ? r.groups : undefined;
  return {
    ...r,
    startAt: r.startAt?.toISOString() ?? null,
    approvedBy: r.approvedBy ?? null,
    approvalRemark: r.approvalRemark ?? null,
    pauseReason: r.pauseReason ?? null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    ...(groups === undefined ? {} : { groups }),
  };
}

type Id = { Params: { id: string } };
type Op = 'start' | 'pause' | 'resume' | 'stop';

export function rolloutRoutes(o: { rollouts: RolloutService; auth: ManagementAuth }) {
  return (app: FastifyInstance): void => {
    const actor = (req: Parameters<ManagementAuth['principalOf']>[0]): string =>
      o.auth.principalOf(req)?.id ?? 'anonymous';
    app.post('/api/v1/rollouts', async (req, reply) => {
      const r = await o.rollouts.create(req.body, actor(req));
      return reply.code(201).send(rolloutJson(r));
    });
    app.get<{ Querystring: { status?: string; limit?: string; offset?: string } }>(
      '/api/v1/rollouts',
      async (req) => {
        const q = req.query;
        const list = await o.rollouts.list({
          ...(q.status === undefined ? {} : { status: q.status as RolloutStatus }),
          ...(q.limit === undefined ? {} : { limit: Number(q.limit) }),
          ...(q.offset === undefined ? {} : { offset: Number(q.offset) }),
        });
        return list.map(rolloutJson);
      },
    );
    app.get<Id>('/api/v1/rollouts/:id', async (req) =>
      rolloutJson(await o.rollouts.get(Number(req.params.id))),
    );
    for (const op of ['start', 'pause', 'resume', 'stop'] as const satisfies readonly Op[]) {
      app.post<Id>(`/api/v1/rollouts/:id/${op}`, async (req) =>
        rolloutJson(await o.rollouts[op](Number(req.params.id), actor(req))),
      );
    }
    app.post<Id & { Body: { decision?: 'approve' | 'deny'; remark?: string } | undefined }>(
      '/api/v1/rollouts/:id/approve',
      async (req) =>
        rolloutJson(
          await o.rollouts.approve(
            Number(req.params.id),
            actor(req),
            req.body?.decision ?? 'approve',
            req.body?.remark,
          ),
        ),
    );
  };
}
