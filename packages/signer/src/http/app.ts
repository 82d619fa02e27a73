import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance, FastifyServerOptions } from 'fastify';
import { isCairnError, ValidationError } from '@cairn/core';
import { DENIAL_CODES, HTTP_STATUS, SignerError } from '../errors.js';
import type { SignerService } from '../service.js';
import { stateOf } from './context.js';
import { Metrics } from './metrics.js';
import { registerApiRoutes } from './routes.js';
import { errorSchema } from './schemas.js';

export interface SignerTlsOptions {
  /** PEM server certificate chain and key (e.g. a tls-server certificate from Cairn's PKI). */
  readonly cert: string;
  readonly key: string;
  /** PEM CA certificates client certificates must chain to (Cairn's PKI); enables mTLS. */
  readonly clientCa?: string;
}

export interface SignerHttpOptions {
  readonly service: SignerService;
  /** Omit for plain HTTP (tests, behind a TLS-terminating proxy on loopback). */
  readonly tls?: SignerTlsOptions;
  /** Fastify (pino) logger options; default: JSON logs at 'info', secrets redacted. */
  readonly logger?: FastifyServerOptions['logger'];
  /** Body size cap, default 1 MiB. */
  readonly bodyLimit?: number;
}

const OPEN_PATHS = new Set(['/healthz', '/readyz', '/metrics', '/openapi.json']);

/**
 * The signing service's HTTP app: the API, /openapi.json, /healthz, /readyz, /metrics.
 * Every /api request — allowed, denied or failed, including 401s — is written to the
 * audit log before its response is sent.
 */
export async function createSignerService(opts: SignerHttpOptions): Promise<FastifyInstance> {
  const svc = opts.service;
  const metrics = new Metrics();
  const app = Fastify({
    logger: opts.logger ?? {
      level: 'info',
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    },
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    keepAliveTimeout: 65_000,
    ajv: { customOptions: { allErrors: true, coerceTypes: false } },
    ...(opts.tls
      ? {
          https: {
            cert: opts.tls.cert,
            key: opts.tls.key,
            ...(opts.tls.clientCa
              ? { ca: opts.tls.clientCa, requestCert: true, rejectUnauthorized: false }
              : {}),
          },
        }
      : {}),
  }) as unknown as FastifyInstance;

  const routes: { method: string; url: string; schema: Record<string, unknown> | undefined }[] = [];
  app.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const m of methods)
      if (m !== 'HEAD')
        routes.push({
          method: m.toLowerCase(),
          url: r.url,
          schema: r.schema as Record<string, unknown> | undefined,
        });
  });

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
    stateOf(req).requestDigest = createHash('sha256').update(body).digest('hex');
    if (body.length === 0) {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(body.toString('utf8')));
    } catch {
      done(new SignerError('INPUT_INVALID', 'the request body is not valid JSON'), undefined);
    }
  });

  app.addHook('onRequest', async (req) => {
    const s = stateOf(req);
    if (OPEN_PATHS.has(req.url.split('?')[0]!)) return;
    const auth = req.headers.authorization;
    try {
      if (auth !== undefined) {
        const m = /^Bearer\s+(\S+)$/i.exec(auth);
        if (!m)
          throw new SignerError(
            'UNAUTHENTICATED',
            'the Authorization header must be "Bearer <token>"',
          );
        s.principal = await svc.tokens.authenticate(m[1]!);
        return;
      }
      const sock = req.raw.socket as Partial<TLSSocket>;
      if (typeof sock.getPeerCertificate === 'function') {
        const cert = sock.getPeerCertificate();
        if (Object.keys(cert).length > 0) {
          if (!sock.authorized)
            throw new SignerError(
              'UNAUTHENTICATED',
              `the client certificate was not issued by this signer's PKI (${String(sock.authorizationError)})`,
            );
          s.principal = await svc.certPrincipals.authenticate(
            cert.serialNumber,
            String(cert.subject.CN),
          );
        }
      }
    } catch (err) {
      if (err instanceof SignerError && err.code === 'UNAUTHENTICATED') s.authError = err;
      else throw err;
    }
  });

  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    const s = stateOf(req);
    let status = 500;
    let body: Record<string, unknown>;
    const fe = err as FastifyError;
    if (fe.validation) {
      status = 400;
      const issues = fe.validation.map((v) => ({
        path:
          (v.instancePath || '').replace(/^\//, '').replace(/\//g, '.') +
          (typeof v.params['missingProperty'] === 'string'
            ? `${v.instancePath ? '.' : ''}${v.params['missingProperty']}`
            : ''),
        problem: v.message ?? 'is invalid',
      }));
      body = {
        error: 'INVALID_INPUT',
        message: `invalid ${fe.validationContext ?? 'request'}: ${issues.map((i) => `${i.path || '(root)'} ${i.problem}`).join('; ')}`,
        issues,
      };
    } else if (err instanceof ValidationError) {
      status = 400;
      body = { error: err.code, message: err.message, issues: err.issues };
    } else if (err instanceof SignerError) {
      status = HTTP_STATUS[err.code];
      body = { error: err.code, message: err.message };
    } else if (isCairnError(err)) {
      const code = err.code;
      status = /NOT_FOUND|OUT_OF_RANGE/.test(code)
        ? 404
        : /INVALID|MALFORMED|TOO_LARGE/.test(code)
          ? 400
          : 500;
      body = { error: code, message: err.message };
    } else if (typeof fe.statusCode === 'number' && fe.statusCode < 500) {
      status = fe.statusCode;
      body = { error: fe.code, message: fe.message };
    } else {
      req.log.error({ err }, 'request failed');
      body = { error: 'INTERNAL', message: 'internal error: see the signer log' };
    }
    s.errorCode = body['error'] as string;
    s.errorMessage = body['message'] as string;
    void reply.code(status).send(body);
  });

  app.setNotFoundHandler((req, reply) => {
    const s = stateOf(req);
    s.action = 'http.not-found';
    s.errorCode = 'NOT_FOUND';
    s.errorMessage = `no route ${req.method} ${req.url.split('?')[0]!}`;
    void reply.code(404).send({ error: 'NOT_FOUND', message: s.errorMessage });
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const s = stateOf(req);
    const path = req.url.split('?')[0]!;
    if (s.audited || OPEN_PATHS.has(path)) return payload;
    const status = reply.statusCode;
    const code = s.errorCode;
    const decision =
      status < 400 ? 'allowed' : code !== undefined && DENIAL_CODES.has(code) ? 'denied' : 'failed';
    const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : '';
    await svc.ledger.record({
      audit: {
        time: svc.clock(),
        actor: s.principal?.id ?? 'anonymous',
        authMethod: s.principal?.method ?? 'none',
        clientAddress: req.ip,
        action: s.action,
        ...(s.worker === undefined ? {} : { worker: s.worker }),
        ...(s.keyLabel === undefined ? {} : { keyLabel: s.keyLabel }),
        ...(s.requestDigest === undefined ? {} : { requestDigest: s.requestDigest }),
        responseDigest: createHash('sha256').update(body).digest('hex'),
        decision,
        ...(code === undefined
          ? {}
          : { reason: `${code}: ${s.errorMessage ?? ''}`.slice(0, 4000) }),
        details: {
          method: req.method,
          path: path.slice(0, 200),
          status: String(status),
          ...s.details,
        },
      },
    });
    s.audited = true;
    return payload;
  });

  app.addHook('onResponse', async (req, reply) => {
    const s = stateOf(req);
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.inc('cairn_signer_requests_total', {
      route,
      method: req.method,
      status: String(reply.statusCode),
    });
    if (s.errorCode !== undefined && DENIAL_CODES.has(s.errorCode))
      metrics.inc('cairn_signer_denials_total', { reason: s.errorCode });
    metrics.observe(route, Number(process.hrtime.bigint() - s.started) / 1e9);
    await Promise.resolve();
  });

  app.get('/healthz', { schema: { summary: 'Liveness' } }, () => Promise.resolve({ status: 'ok' }));
  app.get(
    '/readyz',
    { schema: { summary: 'Readiness: database and key store answer' } },
    async (_req, reply) => {
      try {
        svc.lease.check();
        await svc.ledger.audit.head();
        await svc.keys.list();
        return { status: 'ready' };
      } catch (err) {
        return reply.code(503).send({
          status: 'unavailable',
          message: err instanceof Error ? err.message : String(err),
        });
      }
    },
  );
  app.get('/metrics', { schema: { summary: 'Prometheus metrics' } }, (_req, reply) =>
    reply.type('text/plain; version=0.0.4').send(metrics.render()),
  );
  app.get('/openapi.json', { schema: { summary: 'This OpenAPI 3.1 document' } }, () =>
    Promise.resolve(openApi(routes)),
  );

  registerApiRoutes(app, svc, metrics);
  await app.ready();
  return app;
}

function openApi(
  routes: readonly { method: string; url: string; schema: Record<string, unknown> | undefined }[],
): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const params = ((r.url.match(/:([A-Za-z]+)/g) ?? []) as string[]).map((p) => ({
      name: p.slice(1),
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const qs = r.schema?.['querystring'] as
      { properties?: Record<string, unknown>; required?: string[] } | undefined;
    for (const [name, schema] of Object.entries(qs?.properties ?? {}))
      params.push({
        name,
        in: 'query',
        required: qs?.required?.includes(name) ?? false,
        schema: schema as { type: string },
      });
    const body = r.schema?.['body'];
    (paths[path] ??= {})[r.method] = {
      summary: r.schema?.['summary'] ?? '',
      ...(params.length ? { parameters: params } : {}),
      ...(body
        ? { requestBody: { required: true, content: { 'application/json': { schema: body } } } }
        : {}),
      ...(path.startsWith('/api/') ? { security: [{ bearer: [] }, { mtls: [] }] } : {}),
      responses: {
        '200': { description: 'OK' },
        '400': {
          description: 'Invalid input (every bad field named)',
          content: { 'application/json': { schema: errorSchema } },
        },
        '401': { description: 'Missing, invalid, expired or revoked credentials' },
        '403': { description: 'Insufficient role, or denied by policy' },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Cairn signing service', version: '1' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, mtls: { type: 'mutualTLS' } },
    },
    paths,
  };
}
