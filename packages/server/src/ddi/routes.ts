/**
 * The hawkBit DDI device API under `/{tenant}/controller/v1/{controllerId}`, as a route
 * factory receiving its collaborators. Domain errors propagate to the app's error
 * handler (http/status.ts); nothing here builds HTTP errors.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ActionService } from '../actions/actions.js';
import type { Action } from '../actions/model.js';
import type { DeviceAuthenticator } from '../device-auth/device-auth.js';
import type { DeviceService } from '../devices/devices.js';
import { DdiError, ReleaseError } from '../errors.js';
import { parseRange } from '../http/range.js';
import type { ProductService } from '../products/products.js';
import type { ReleaseArtifact, ReleaseService } from '../releases/releases.js';
import type { ArtifactStorage } from '../storage/storage.js';
import { parseConfigData, parseFeedback } from './feedback-body.js';
import type { ServerMetrics } from '../ops/metrics.js';
import { controllerBaseWriter, ddiBaseUrl, JSON_TYPE } from './poll-answer.js';
import { artifactJson, deploymentBaseJson, formatSleep } from './representation.js';
import type { DdiCancel } from './representation.js';

export interface DdiRoutesOptions {
  readonly devices: DeviceService;
  readonly actions: ActionService;
  readonly releases: ReleaseService;
  readonly products: ProductService;
  readonly storage: ArtifactStorage;
  readonly auth: DeviceAuthenticator;
  /** hawkBit tenant in the path (compared case-insensitively). Default "DEFAULT". */
  readonly tenant: string;
  readonly pollingSleepSeconds: number;
  /** Base URL for hrefs (e.g. https://updates.example.com); default from the request. */
  readonly publicUrl?: string;
  readonly metrics: ServerMetrics;
}

interface DeviceParams {
  tenant: string;
  controllerId: string;
}
interface ActionParams extends DeviceParams {
  actionId: string;
}
interface ArtifactParams extends DeviceParams {
  moduleId: string;
  fileName?: string;
}

const PREFIX = '/:tenant/controller/v1/:controllerId';
const MAX_FEEDBACK_BYTES = 64 * 1024;

function notFound(what: string): DdiError {
  return new DdiError('DDI_NOT_FOUND', what);
}

function actionIdOf(p: ActionParams): number {
  const id = Number(p.actionId);
  if (!/^\d{1,15}$/.test(p.actionId) || !Number.isSafeInteger(id)) {
    throw notFound(`"${p.actionId.slice(0, 40)}" is not an action id`);
  }
  return id;
}

export function ddiRoutes(o: DdiRoutesOptions) {
  const tenant = o.tenant.toLowerCase();
  const sleep = formatSleep(o.pollingSleepSeconds);

  const base = (req: FastifyRequest, p: DeviceParams): string =>
    ddiBaseUrl(o.publicUrl, req.protocol === 'https', req.headers.host, p.tenant, p.controllerId);
  const poll = controllerBaseWriter(sleep);
  const m = o.metrics;

  /** Tenant check + device authentication; marks the device as seen. */
  const device = async (req: FastifyRequest<{ Params: DeviceParams }>): Promise<string> => {
    const p = req.params;
    if (p.tenant.toLowerCase() !== tenant)
      throw notFound(`unknown tenant "${p.tenant.slice(0, 40)}"`);
    const { controllerId } = await o.auth.authenticate(req.raw, p.controllerId);
    o.devices.touch(controllerId);
    return controllerId;
  };

  const chunkFor = async (a: Action) => {
    const release = await o.releases.get(a.releaseId);
    const product = await o.products.get(release.productId);
    return {
      version: release.version,
      name: product.name,
      artifacts: await o.releases.artifacts(a.releaseId),
    };
  };

  const historyCount = (q: unknown): number | undefined => {
    const v = (q as { actionHistory?: string } | undefined)?.actionHistory;
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n === 0) return undefined;
    return n < 0 ? 1000 : Math.min(n, 1000);
  };

  return (app: FastifyInstance): void => {
    /**
     * The poll. (Most cached polls never get here: ddi/fast-poll.ts answers them on the
     * raw http server before Fastify, with the same bytes.) Fast path, synchronous: tenant, cached TargetToken → device, cached device
     * and open action, a last-seen mark in memory, the answer built as a JSON string.
     * Anything not cached (or not a TargetToken) takes the async path, which queries,
     * fills the caches and throws the typed errors.
     */
    const pollSlow = async (
      req: FastifyRequest<{ Params: DeviceParams }>,
      reply: FastifyReply,
    ): Promise<FastifyReply> => {
      const p = req.params;
      const id = await device(req);
      const [dev, action] = await Promise.all([o.devices.get(id), o.actions.active(id)]);
      m.ddiPollsSlow++;
      return reply
        .header('content-type', JSON_TYPE)
        .send(poll.body(() => base(req, p), dev, action ?? null));
    };
    app.get<{ Params: DeviceParams }>(PREFIX, (req, reply) => {
      const p = req.params;
      if (p.tenant === o.tenant || p.tenant.toLowerCase() === tenant) {
        const id = o.auth.authenticateCached(req.raw.headers.authorization, p.controllerId);
        if (id !== undefined) {
          const dev = o.devices.cached(id);
          const action = o.actions.cachedActive(id);
          if (dev !== undefined && action !== undefined) {
            o.devices.touch(id);
            m.ddiPollsSlow++;
            return reply
              .header('content-type', JSON_TYPE)
              .send(poll.body(() => base(req, p), dev, action));
          }
        }
      }
      return pollSlow(req, reply);
    });

    app.get<{ Params: ActionParams; Querystring: Record<string, string> }>(
      `${PREFIX}/deploymentBase/:actionId`,
      async (req) => {
        const id = await device(req);
        const a = await o.actions.forDevice(id, actionIdOf(req.params));
        if (!a.active || a.status === 'canceling')
          throw notFound(`action ${a.id} is not an open deployment`);
        await o.actions.retrieved(a);
        const n = historyCount(req.query);
        return deploymentBaseJson(
          base(req, req.params),
          a,
          await chunkFor(a),
          n === undefined ? undefined : await o.actions.history(a.id, n),
        );
      },
    );

    app.post<{ Params: ActionParams }>(
      `${PREFIX}/deploymentBase/:actionId/feedback`,
      { bodyLimit: MAX_FEEDBACK_BYTES },
      async (req, reply) => {
        const id = await device(req);
        await o.actions.feedback(id, actionIdOf(req.params), parseFeedback(req.body));
        m.feedbackDeployment++;
        return reply.code(200).send();
      },
    );

    app.get<{ Params: ActionParams }>(`${PREFIX}/cancelAction/:actionId`, async (req) => {
      const id = await device(req);
      const a = await o.actions.forDevice(id, actionIdOf(req.params));
      if (a.status !== 'canceling' && a.status !== 'canceled')
        throw notFound(`action ${a.id} is not being canceled`);
      const body: DdiCancel = { id: String(a.id), cancelAction: { stopId: String(a.id) } };
      return body;
    });

    app.post<{ Params: ActionParams }>(
      `${PREFIX}/cancelAction/:actionId/feedback`,
      { bodyLimit: MAX_FEEDBACK_BYTES },
      async (req, reply) => {
        const id = await device(req);
        await o.actions.cancelFeedback(id, actionIdOf(req.params), parseFeedback(req.body));
        m.feedbackCancel++;
        return reply.code(200).send();
      },
    );

    app.put<{ Params: DeviceParams }>(
      `${PREFIX}/configData`,
      { bodyLimit: MAX_FEEDBACK_BYTES },
      async (req, reply) => {
        const id = await device(req);
        const { data, mode } = parseConfigData(req.body);
        await o.devices.updateAttributes(id, data, mode);
        return reply.code(200).send();
      },
    );

    app.get<{ Params: ActionParams; Querystring: Record<string, string> }>(
      `${PREFIX}/installedBase/:actionId`,
      async (req) => {
        const id = await device(req);
        const a = await o.actions.forDevice(id, actionIdOf(req.params));
        if (a.active || a.status !== 'finished')
          throw notFound(`action ${a.id} is not an installed deployment`);
        const n = historyCount(req.query);
        return deploymentBaseJson(
          base(req, req.params),
          a,
          await chunkFor(a),
          n === undefined ? undefined : await o.actions.history(a.id, n),
        );
      },
    );

    /** The artifacts of a module (release) the device has been assigned. */
    const moduleArtifacts = async (
      controllerId: string,
      moduleIdText: string,
    ): Promise<ReleaseArtifact[]> => {
      const moduleId = Number(moduleIdText);
      if (!/^\d{1,15}$/.test(moduleIdText))
        throw notFound(`no software module "${moduleIdText.slice(0, 40)}"`);
      const assigned = (await o.actions.list({ controllerId })).some(
        (a) => a.releaseId === moduleId,
      );
      if (!assigned)
        throw notFound(`software module ${moduleId} is not assigned to device "${controllerId}"`);
      return o.releases.artifacts(moduleId);
    };

    app.get<{ Params: ArtifactParams }>(
      `${PREFIX}/softwaremodules/:moduleId/artifacts`,
      async (req) => {
        const id = await device(req);
        const list = await moduleArtifacts(id, req.params.moduleId);
        const b = base(req, req.params);
        return list.map((a) => artifactJson(b, Number(req.params.moduleId), a));
      },
    );

    app.get<{ Params: ArtifactParams }>(
      `${PREFIX}/softwaremodules/:moduleId/artifacts/:fileName`,
      async (req, reply) => {
        const id = await device(req);
        const list = await moduleArtifacts(id, req.params.moduleId);
        const name = req.params.fileName ?? '';
        const exact = list.find((a) => a.filename === name);
        if (exact === undefined && name.endsWith('.MD5SUM')) {
          const file = name.slice(0, -'.MD5SUM'.length);
          const art = list.find((a) => a.filename === file);
          if (art === undefined)
            throw new ReleaseError(
              'RELEASE_NOT_FOUND',
              `no artifact "${file}" in module ${req.params.moduleId}`,
            );
          return reply
            .header('content-type', 'text/plain; charset=us-ascii')
            .header('content-disposition', `attachment;filename=${file}.MD5SUM`)
            .send(`${art.md5}  ${file}`);
        }
        if (exact === undefined)
          throw notFound(`no artifact "${name.slice(0, 80)}" in module ${req.params.moduleId}`);
        return sendArtifact(req, reply, o.storage, exact, m);
      },
    );
  };
}

async function sendArtifact(
  req: FastifyRequest,
  reply: FastifyReply,
  storage: ArtifactStorage,
  a: ReleaseArtifact,
  m: ServerMetrics,
): Promise<FastifyReply> {
  const range = parseRange(req.headers.range, a.size);
  const length = range === undefined ? a.size : range.end - range.start + 1;
  // Counted once the whole answer has been handed to the OS ('finish'), not on abort.
  reply.raw.once('finish', () => {
    m.downloadBytes += length;
  });
  reply
    .header('content-type', 'application/octet-stream')
    .header('accept-ranges', 'bytes')
    .header('etag', `"${a.sha1}"`)
    .header('content-disposition', `attachment;filename=${a.filename}`);
  if (range === undefined) {
    reply.header('content-length', String(a.size));
    return reply.code(200).send(await storage.get(a.sha256));
  }
  reply
    .header('content-range', `bytes ${range.start}-${range.end}/${a.size}`)
    .header('content-length', String(length));
  return reply.code(206).send(await storage.get(a.sha256, range));
}
