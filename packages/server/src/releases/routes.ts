/** Admin routes for releases: streamed bundle upload, attached files, listing. */
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '@cairn/core';
import type { AdminGuard } from '../auth/admin-token.js';
import type { AuditSink } from '../db/audit-sink.js';
import { declaredLength, requestSignal } from '../http/body-stream.js';
import { releaseJson } from '../http/json.js';
import type { ServerMetrics } from '../ops/metrics.js';
import type { ReleaseService } from './releases.js';

function releaseId(text: string): number {
  if (!/^\d{1,15}$/.test(text)) {
    throw new ValidationError('release id', [{ path: 'id', problem: 'must be a number' }]);
  }
  return Number(text);
}

export function releaseRoutes(o: {
  releases: ReleaseService;
  audit: AuditSink;
  guard: AdminGuard;
  metrics: ServerMetrics;
}) {
  return (app: FastifyInstance): void => {
    app.addHook('onRequest', o.guard);
    app.post<{ Params: { productId: string }; Querystring: { version?: string } }>(
      '/api/v1/products/:productId/releases',
      async (req, reply) => {
        const size = declaredLength(req);
        let r;
        try {
          r = await o.releases.upload(req.params.productId, req.raw, {
            actor: 'admin',
            signal: requestSignal(req),
            ...(size === undefined ? {} : { declaredSize: size }),
            ...(req.query.version === undefined ? {} : { version: req.query.version }),
          });
        } catch (err) {
          o.metrics.releaseUploadsRefused++;
          throw err;
        }
        o.metrics.releaseUploadsAccepted++;
        return reply.code(201).send(releaseJson(r));
      },
    );
    app.put<{ Params: { id: string; fileName: string } }>(
      '/api/v1/releases/:id/artifacts/:fileName',
      async (req, reply) => {
        const a = await o.releases.attach(releaseId(req.params.id), req.params.fileName, req.raw, {
          actor: 'admin',
          signal: requestSignal(req),
        });
        return reply.code(201).send(a);
      },
    );
    app.get<{ Querystring: { product?: string } }>('/api/v1/releases', async (req) =>
      (await o.releases.list(req.query.product)).map(releaseJson),
    );
    app.get<{ Params: { id: string } }>('/api/v1/releases/:id', async (req) => {
      const id = releaseId(req.params.id);
      const r = await o.releases.get(id);
      return { ...releaseJson(r), artifacts: await o.releases.artifacts(id) };
    });
  };
}
