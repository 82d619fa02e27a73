/**
 * Operations endpoints: /healthz (liveness), /readyz (the database answers a trivial
 * query), /metrics (Prometheus text). Unauthenticated and outside /api/, so neither
 * guarded nor audited; they reveal counts, never identifiers.
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '@cairn/db';
import { PROMETHEUS_TYPE } from './metrics.js';
import type { ServerMetrics } from './metrics.js';

/** How long /readyz waits for the database before answering 503. */
const READY_TIMEOUT_MS = 2000;

export function opsRoutes(o: {
  db: Database;
  metrics: ServerMetrics;
  devicesCached: () => number;
}) {
  const probe = async (): Promise<string | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => {
        resolve(`the database did not answer within ${READY_TIMEOUT_MS} ms`);
      }, READY_TIMEOUT_MS);
    });
    try {
      return await Promise.race([
        // async: a closed database throws synchronously from typed().
        (async () => {
          await o.db
            .typed<Record<string, never>>()
            .selectNoFrom((eb) => eb.lit(1).as('one'))
            .execute();
          return undefined;
        })().catch((err: unknown) => {
          const msg = err instanceof Error ? err.message : String(err);
          return `the database did not answer a trivial query: ${msg.slice(0, 200)}`;
        }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
  return (app: FastifyInstance): void => {
    app.get('/healthz', (_req, reply) => reply.send({ status: 'ok' }));
    app.get('/readyz', async (_req, reply) => {
      const reason = await probe();
      if (reason === undefined) return reply.send({ status: 'ready' });
      return reply.code(503).send({ status: 'unavailable', reason });
    });
    app.get('/metrics', (_req, reply) =>
      reply.header('content-type', PROMETHEUS_TYPE).send(o.metrics.render(o.devicesCached())),
    );
  };
}
