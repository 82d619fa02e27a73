/**
 * The management edge, installed on the root app before any route: every route under
 * /api/ gets the role guard, its contract's request schemas (checked by our validator,
 * every bad field reported) and an entry in the route registry the OpenAPI document is
 * built from; every changing request (accepted or refused) is written to the audit sink
 * before its answer leaves.
 */
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { ManagementAuth } from '../auth/guard.js';
import type { AuditSink } from '../db/audit-sink.js';
import { contractFor } from './contracts.js';
import type { RouteContract } from './contracts.js';
import { compileValidator } from './validator.js';

export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
  readonly contract: RouteContract | undefined;
}

const CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function installManagementEdge(
  app: FastifyInstance,
  o: { auth: ManagementAuth; audit: AuditSink },
): readonly RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  const errors = new WeakMap<FastifyRequest, string>();
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      const contract = contractFor(method, route.url);
      routes.push({ method, url: route.url, contract });
      if (contract !== undefined) {
        route.schema = {
          ...route.schema,
          ...(contract.params === undefined ? {} : { params: contract.params }),
          ...(contract.querystring === undefined ? {} : { querystring: contract.querystring }),
          ...(contract.body === undefined ? {} : { body: contract.body }),
        };
        route.validatorCompiler = compileValidator;
      }
    }
    const existing = route.onRequest;
    const hooks: onRequestHookHandler[] =
      existing === undefined ? [] : Array.isArray(existing) ? [...existing] : [existing];
    route.onRequest = [o.auth.guard, ...hooks];
  });
  app.addHook('onError', async (req, _reply, err) => {
    const code = (err as { code?: unknown }).code;
    errors.set(req, typeof code === 'string' ? code : 'INTERNAL');
  });
  // Callback style: the hook runs on every answer (DDI polls too), and the common
  // case (not a changing /api/ request) then costs no promise.
  app.addHook('onSend', (req, reply, payload, done) => {
    if (!CHANGING.has(req.method) || !req.url.startsWith('/api/')) {
      done(null, payload);
      return;
    }
    audit(req, reply.statusCode).then(
      () => {
        done(null, payload);
      },
      (err: unknown) => {
        done(err as Error);
      },
    );
  });
  const audit = async (req: FastifyRequest, statusCode: number): Promise<void> => {
    const route = req.routeOptions.url;
    const contract = route === undefined ? undefined : contractFor(req.method, route);
    const p = o.auth.principalOf(req);
    const code = errors.get(req);
    await o.audit.record({
      actor: p?.id ?? 'anonymous',
      event: `api.${contract?.permission ?? 'unknown'}`,
      subject: `${req.method} ${req.url.split('?')[0] ?? ''}`,
      outcome: statusCode < 400 ? 'accepted' : 'refused',
      ...(code === undefined ? {} : { code }),
      details: {
        status: statusCode,
        route: route ?? null,
        ...(p === undefined ? {} : { role: p.role, name: p.name }),
      },
    });
  };
  return routes;
}
