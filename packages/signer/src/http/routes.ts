import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SigningRequest } from '../approvals/requests.js';
import { workersWith } from '../auth/roles.js';
import type { Grant } from '../auth/roles.js';
import { SignerError } from '../errors.js';
import type { SignerService } from '../service.js';
import type { ReleaseInput } from '../signing/release.js';
import { workerToJson } from '../workers/worker.js';
import type { WorkerInput } from '../workers/worker.js';
import { authorize, callContext, stateOf } from './context.js';
import type { Metrics } from './metrics.js';
import {
  certPrincipalBody,
  decisionBody,
  digestBody,
  idParams,
  nameParams,
  releaseBody,
  tokenBody,
  workerBody,
} from './schemas.js';

const API = '/api/v1';

/** 202 for a request held for approvals (firmware or raw digest); noted in its audit record. */
function sendPending(
  req: FastifyRequest,
  reply: FastifyReply,
  request: SigningRequest,
): FastifyReply {
  stateOf(req).details = { requestId: request.id, status: 'pending approval' };
  return reply.code(202).send({
    status: 'pending',
    requestId: request.id,
    expiresAt: request.expiresAt.toISOString(),
  });
}

function intQuery(v: unknown, name: string, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  const n = Number(v);
  if (typeof v !== 'string' || !/^[0-9]{1,15}$/.test(v) || !Number.isSafeInteger(n))
    throw new SignerError(
      'INPUT_INVALID',
      `query parameter ${name} must be a non-negative integer`,
    );
  return n;
}

/** Worker, signing, approval and token routes. */
export function registerApiRoutes(
  app: FastifyInstance,
  svc: SignerService,
  metrics: Metrics,
): void {
  app.post(
    `${API}/workers`,
    { schema: { summary: 'Create a worker', body: workerBody } },
    async (req, reply) => {
      authorize(req, 'worker.create');
      const w = await svc.workers.create(req.body as WorkerInput);
      stateOf(req).worker = w.name;
      return reply.code(201).send(workerToJson(w));
    },
  );
  app.get(
    `${API}/workers`,
    { schema: { summary: 'List workers visible to the caller' } },
    async (req) => {
      const p = authorize(req, 'worker.list');
      const visible = workersWith(p, ['admin', 'release-manager', 'signer', 'auditor']);
      const all = await svc.workers.list();
      return {
        workers: all.filter((w) => visible.has('*') || visible.has(w.name)).map(workerToJson),
      };
    },
  );
  app.get(
    `${API}/workers/:name`,
    { schema: { summary: 'Show a worker', params: nameParams } },
    async (req) => {
      const { name } = req.params as { name: string };
      authorize(req, 'worker.show', name);
      return workerToJson((await svc.workers.load(name)).worker);
    },
  );

  app.post(
    `${API}/workers/:name/sign`,
    {
      schema: { summary: 'Sign a firmware release (SUIT)', params: nameParams, body: releaseBody },
    },
    async (req, reply) => {
      const { name } = req.params as { name: string };
      authorize(req, 'sign', name);
      const out = await svc.sign(callContext(req), name, req.body as ReleaseInput);
      if (out.status === 'pending') return sendPending(req, reply, out.request);
      stateOf(req).audited = true;
      stateOf(req).keyLabel = out.result.keyLabel;
      metrics.inc('cairn_signer_signatures_total', { worker: name, format: 'suit' });
      return reply.code(200).send({ status: 'signed', ...out.result });
    },
  );
  app.post(
    `${API}/workers/:name/sign-digest`,
    {
      schema: {
        summary: 'Sign a raw digest (raw-digest workers only)',
        params: nameParams,
        body: digestBody,
      },
    },
    async (req, reply) => {
      const { name } = req.params as { name: string };
      authorize(req, 'sign.digest', name);
      const out = await svc.signDigest(
        callContext(req),
        name,
        (req.body as { digest: string }).digest,
      );
      if (out.status === 'pending') return sendPending(req, reply, out.request);
      stateOf(req).audited = true;
      metrics.inc('cairn_signer_signatures_total', { worker: name, format: 'raw-digest' });
      return reply.code(200).send(out.result);
    },
  );

  app.get(
    `${API}/requests`,
    {
      schema: {
        summary: 'List signing requests',
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: ['pending', 'signed', 'denied', 'expired', 'failed'] },
          },
        },
      },
    },
    async (req) => {
      const p = authorize(req, 'request.list');
      const { status } = req.query as { status?: 'pending' };
      return {
        requests: (await svc.listRequests(p, status)).map((r) => ({ ...r, result: undefined })),
      };
    },
  );
  app.get(
    `${API}/requests/:id`,
    {
      schema: {
        summary: 'Show a signing request (the requester gets the signature when signed)',
        params: idParams,
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const s = stateOf(req);
      if (s.authError) throw s.authError;
      const r = await svc.getRequest(id);
      s.worker = r.worker;
      if (s.principal?.id !== r.requester) authorize(req, 'request.show', r.worker);
      else s.action = 'request.show';
      return r;
    },
  );
  for (const decision of ['approve', 'deny'] as const) {
    app.post(
      `${API}/requests/:id/${decision}`,
      {
        schema: {
          summary: `${decision} a pending signing request`,
          params: idParams,
          body: decisionBody,
        },
      },
      async (req) => {
        const { id } = req.params as { id: string };
        const s = stateOf(req);
        s.action = decision;
        if (s.authError) throw s.authError;
        const r = await svc.requests.get(id);
        authorize(req, decision, r.worker);
        const body = (req.body ?? {}) as { comment?: string };
        const out = await svc.decide(callContext(req), id, decision, body.comment);
        s.details = { requestId: id };
        if (out.signed) {
          s.audited = true;
          metrics.inc('cairn_signer_signatures_total', { worker: r.worker, format: 'suit' });
        }
        return { ...out.request, result: out.signed ? out.request.result : undefined };
      },
    );
  }

  app.post(
    `${API}/tokens`,
    { schema: { summary: 'Create an API token (the secret is shown once)', body: tokenBody } },
    async (req, reply) => {
      const p = authorize(req, 'token.create');
      const body = req.body as { name: string; grants: Grant[]; ttlSeconds?: number };
      const { token, info } = await svc.tokens.create(
        { name: body.name, grants: body.grants, ttlSeconds: body.ttlSeconds ?? 90 * 24 * 3600 },
        p.id,
      );
      stateOf(req).details = { tokenId: info.id };
      return reply.code(201).send({ token, ...info });
    },
  );
  app.get(
    `${API}/tokens`,
    { schema: { summary: 'List API tokens (never their secrets)' } },
    async (req) => {
      authorize(req, 'token.list');
      return { tokens: await svc.tokens.list() };
    },
  );
  app.delete(
    `${API}/tokens/:id`,
    { schema: { summary: 'Revoke an API token', params: idParams } },
    async (req) => {
      authorize(req, 'token.revoke');
      return svc.tokens.revoke((req.params as { id: string }).id);
    },
  );
  app.post(
    `${API}/principals/certificates`,
    {
      schema: {
        summary: 'Map a TLS client certificate (by serial) to a principal',
        body: certPrincipalBody,
      },
    },
    async (req, reply) => {
      authorize(req, 'principal.map');
      const b = req.body as { serial: string; principal: string; grants: Grant[] };
      await svc.certPrincipals.map(b.serial, b.principal, b.grants);
      return reply.code(201).send({ serial: b.serial, principal: b.principal, grants: b.grants });
    },
  );

  registerLogRoutes(app, svc);
}

/** Auditor endpoints: checkpoints, proofs, entries, audit records. */
function registerLogRoutes(app: FastifyInstance, svc: SignerService): void {
  const tlog = svc.ledger.transparency;
  app.get(
    `${API}/log/checkpoint`,
    { schema: { summary: 'Latest transparency-log checkpoint (C2SP note)' } },
    async (req, reply) => {
      authorize(req, 'log.read');
      return reply.type('text/plain; charset=utf-8').send((await tlog.checkpoint()).note);
    },
  );
  app.get(
    `${API}/log/proof/inclusion`,
    {
      schema: {
        summary: 'Inclusion proof by index or leafHash (hex)',
        querystring: {
          type: 'object',
          properties: {
            index: { type: 'string' },
            leafHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
            treeSize: { type: 'string' },
          },
        },
      },
    },
    async (req) => {
      authorize(req, 'log.read');
      const q = req.query as { index?: string; leafHash?: string; treeSize?: string };
      if ((q.index === undefined) === (q.leafHash === undefined))
        throw new SignerError('INPUT_INVALID', 'give exactly one of index or leafHash');
      const leaf =
        q.index !== undefined
          ? intQuery(q.index, 'index')
          : new Uint8Array(Buffer.from(q.leafHash!, 'hex'));
      const p = await tlog.inclusionProof(
        leaf,
        q.treeSize === undefined ? undefined : intQuery(q.treeSize, 'treeSize'),
      );
      return {
        index: p.index,
        treeSize: p.treeSize,
        leafHash: hex(p.leafHash),
        rootHash: hex(p.rootHash),
        proof: p.proof.map(hex),
      };
    },
  );
  app.get(
    `${API}/log/proof/consistency`,
    {
      schema: {
        summary: 'Consistency proof between two tree sizes',
        querystring: {
          type: 'object',
          required: ['first'],
          properties: { first: { type: 'string' }, second: { type: 'string' } },
        },
      },
    },
    async (req) => {
      authorize(req, 'log.read');
      const q = req.query as { first: string; second?: string };
      const p = await tlog.consistencyProof(
        intQuery(q.first, 'first'),
        q.second === undefined ? undefined : intQuery(q.second, 'second'),
      );
      return {
        size1: p.size1,
        size2: p.size2,
        root1: hex(p.root1),
        root2: hex(p.root2),
        proof: p.proof.map(hex),
      };
    },
  );
  app.get(
    `${API}/log/entries`,
    {
      schema: {
        summary: 'Log entries [start, end) (base64), at most 1000',
        querystring: {
          type: 'object',
          required: ['start', 'end'],
          properties: { start: { type: 'string' }, end: { type: 'string' } },
        },
      },
    },
    async (req) => {
      authorize(req, 'log.read');
      const q = req.query as { start: string; end: string };
      const entries = await tlog.entries(intQuery(q.start, 'start'), intQuery(q.end, 'end'));
      return {
        entries: entries.map((e) => ({
          index: e.index,
          leafHash: hex(e.leafHash),
          data: Buffer.from(e.data).toString('base64'),
        })),
      };
    },
  );
  app.get(
    `${API}/log/tlog-proof/:index`,
    {
      schema: {
        summary: 'c2sp.org/tlog-proof for one entry',
        params: { type: 'object', properties: { index: { type: 'string' } } },
      },
    },
    async (req, reply) => {
      authorize(req, 'log.read');
      const { proof } = await svc.proofs.tlogProof(
        intQuery((req.params as { index: string }).index, 'index'),
      );
      return reply.type('text/plain; charset=utf-8').send(proof);
    },
  );
  app.get(
    `${API}/audit/checkpoint`,
    { schema: { summary: 'Latest audit-log checkpoint (C2SP note)' } },
    async (req, reply) => {
      authorize(req, 'audit.read');
      return reply
        .type('text/plain; charset=utf-8')
        .send((await svc.ledger.audit.checkpoint()).note);
    },
  );
  app.post(
    `${API}/audit/checkpoint/export`,
    { schema: { summary: 'Sign and export an audit checkpoint for safekeeping' } },
    async (req, reply) => {
      authorize(req, 'audit.read');
      return reply
        .type('text/plain; charset=utf-8')
        .send(await svc.ledger.audit.exportCheckpoint());
    },
  );
  app.get(
    `${API}/audit/records`,
    {
      schema: {
        summary: 'Audit records [start, end), at most 1000',
        querystring: {
          type: 'object',
          required: ['start', 'end'],
          properties: { start: { type: 'string' }, end: { type: 'string' } },
        },
      },
    },
    async (req) => {
      authorize(req, 'audit.read');
      const q = req.query as { start: string; end: string };
      const records = await svc.ledger.audit.records(
        intQuery(q.start, 'start'),
        intQuery(q.end, 'end'),
      );
      return {
        records: records.map((r) => ({ ...r, time: r.time.toISOString(), hash: hex(r.hash) })),
      };
    },
  );
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
