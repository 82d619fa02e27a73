/**
 * Server bootstrap: open the database, migrate, wire the services, mount the route
 * factories (DDI, admin) beside each other with one error→status table at the edge.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { openDatabase } from '@cairn/db';
import type { Database } from '@cairn/db';
import { ActionService } from './actions/actions.js';
import { actionRoutes } from './actions/routes.js';
import { assertServerConfig, SERVER_DEFAULTS } from './config.js';
import type { ServerConfig } from './config.js';
import { LedgerAuditTrail, loadOrCreateAuditKey, type AuditTrail } from './db/ledger-audit.js';
import { SERVER_MIGRATION_NAMESPACE, SERVER_MIGRATIONS } from './db/migrations.js';
import { fastPollHandler } from './ddi/fast-poll.js';
import { ddiRoutes } from './ddi/routes.js';
import { DeviceAuthenticator } from './device-auth/device-auth.js';
import { DeviceService } from './devices/devices.js';
import type { ApiTokenService } from './auth/tokens.js';
import { setupManagement } from './management/management.js';
import { MANAGEMENT_MIGRATION_NAMESPACE, MANAGEMENT_MIGRATIONS } from './management/migrations.js';
import type { RolloutService } from './rollouts/rollouts.js';
import { deviceRoutes } from './devices/routes.js';
import { acceptRawUploads } from './http/body-stream.js';
import { ServerMetrics } from './ops/metrics.js';
import { opsRoutes } from './ops/routes.js';
import { errorResponse } from './http/status.js';
import { ProductService } from './products/products.js';
import { productRoutes } from './products/routes.js';
import { ReleaseService } from './releases/releases.js';
import { releaseRoutes } from './releases/routes.js';
import { FsArtifactStorage } from './storage/fs-storage.js';
import type { ArtifactStorage } from './storage/storage.js';

export interface ServerServices {
  readonly db: Database;
  readonly storage: ArtifactStorage;
  readonly audit: AuditTrail;
  readonly products: ProductService;
  readonly releases: ReleaseService;
  readonly devices: DeviceService;
  readonly actions: ActionService;
  readonly rollouts: RolloutService;
  readonly tokens: ApiTokenService;
  readonly metrics: ServerMetrics;
}

export interface CairnServer {
  readonly app: FastifyInstance;
  readonly services: ServerServices;
  readonly config: ServerConfig;
  /** Start listening; resolves to the base URL (e.g. http://127.0.0.1:8080). */
  listen(): Promise<string>;
  /** Load device, token and open-action caches in bulk (optional; speeds up the first polls). */
  warmCaches(): Promise<number>;
  /** Stop accepting requests, flush last-seen marks, close the database. */
  close(): Promise<void>;
}

export async function createServer(config: ServerConfig): Promise<CairnServer> {
  assertServerConfig(config);
  const db = await openDatabase(
    config.database ?? { dialect: 'sqlite', path: join(config.dataDir, 'cairn-server.db') },
  );
  try {
    await db.migrate(SERVER_MIGRATION_NAMESPACE, SERVER_MIGRATIONS);
    await db.migrate(MANAGEMENT_MIGRATION_NAMESPACE, MANAGEMENT_MIGRATIONS);
  } catch (err) {
    await db.close();
    throw err;
  }
  const cacheSize = config.cacheSize ?? SERVER_DEFAULTS.cacheSize;
  const storage = new FsArtifactStorage(join(config.dataDir, 'artifacts'));
  const auditTrail = await LedgerAuditTrail.open({
    db,
    signer:
      config.auditKey ??
      (await loadOrCreateAuditKey(
        join(config.dataDir, 'audit-checkpoint.key'),
        'cairn-server-audit',
      )),
    ...(config.auditOrigin === undefined ? {} : { origin: config.auditOrigin }),
  });
  const audit: AuditTrail = auditTrail;
  const products = new ProductService(db);
  const releases = new ReleaseService({
    db,
    storage,
    products,
    audit,
    maxBundleBytes: config.maxBundleBytes ?? SERVER_DEFAULTS.maxBundleBytes,
    maxArtifactBytes: config.maxArtifactBytes ?? SERVER_DEFAULTS.maxArtifactBytes,
  });
  const devices = new DeviceService({
    db,
    products,
    cacheSize,
    lastSeenResolutionSeconds:
      config.lastSeenResolutionSeconds ?? SERVER_DEFAULTS.lastSeenResolutionSeconds,
  });
  const actions = new ActionService({ db, devices, releases, audit, cacheSize });

  const tls = config.tls;
  const app = Fastify({
    logger: config.logger === true,
    ...(tls === undefined
      ? {}
      : {
          https: {
            cert: tls.cert,
            key: tls.key,
            ...(tls.clientCa === undefined
              ? {}
              : { ca: tls.clientCa, requestCert: true, rejectUnauthorized: false }),
          },
        }),
  }) as unknown as FastifyInstance;
  app.setErrorHandler((err, req, reply) => {
    const { status, body } = errorResponse(err);
    if (status >= 500) req.log.error(err);
    const size = (err as { details?: { size?: unknown } }).details?.size;
    if (status === 416 && typeof size === 'number')
      reply.header('content-range', `bytes */${size}`);
    void reply.code(status).send(body);
  });
  acceptRawUploads(app);

  const auth = new DeviceAuthenticator(
    {
      targetToken: config.deviceAuth?.targetToken ?? true,
      clientCertificates: tls?.clientCa !== undefined,
      ...(config.deviceAuth?.gatewayToken === undefined
        ? {}
        : { gatewayToken: config.deviceAuth.gatewayToken }),
      ...(config.deviceAuth?.proxy === undefined ? {} : { proxy: config.deviceAuth.proxy }),
    },
    devices,
  );
  // Part 2: API tokens + roles, schemas and audit on every /api/ route, rollouts.
  const management = setupManagement(app, {
    db,
    audit,
    products,
    releases,
    devices,
    actions,
    adminToken: config.adminToken,
    onError: (err) => {
      app.log.error(err);
    },
  });
  const guard = management.auth.guard;
  const metrics = new ServerMetrics();
  const services: ServerServices = {
    ...{ db, storage, audit, products, releases, devices, actions, metrics },
    rollouts: management.rollouts,
    tokens: management.tokens,
  };
  const tenant = config.tenant ?? SERVER_DEFAULTS.tenant;
  const pollingSleepSeconds = config.pollingSleepSeconds ?? SERVER_DEFAULTS.pollingSleepSeconds;
  let fastPathOpen = config.logger !== true;
  if (fastPathOpen) {
    // Cached DDI polls are answered on node's 'request' event before Fastify's pipeline
    // (see ddi/fast-poll.ts for the hooks this skips and why that is safe; it is off
    // when request logging is on). Fastify's own handler is wrapped rather than replaced
    // through `serverFactory`, so Fastify keeps creating and configuring the server
    // (https options, timeouts, the extra bindings for a host such as "localhost").
    const fast = fastPollHandler({
      devices,
      actions,
      auth,
      tenant,
      pollingSleepSeconds,
      metrics,
      ...(config.publicUrl === undefined ? {} : { publicUrl: config.publicUrl }),
    });
    const [handler, ...others] = app.server.listeners('request') as ((
      req: IncomingMessage,
      res: ServerResponse,
    ) => void)[];
    if (handler !== undefined && others.length === 0) {
      app.server.removeListener('request', handler);
      app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        if (!fastPathOpen || !fast(req, res)) handler(req, res);
      });
    }
  }
  await app.register(opsRoutes({ db, metrics, devicesCached: () => devices.cachedCount() }));
  await app.register(
    ddiRoutes({
      devices,
      actions,
      releases,
      products,
      storage,
      auth,
      tenant,
      pollingSleepSeconds,
      metrics,
      ...(config.publicUrl === undefined ? {} : { publicUrl: config.publicUrl }),
    }),
  );
  // Each admin plugin is encapsulated, so its guard hook only covers its own routes.
  await app.register(productRoutes({ products, guard }));
  await app.register(releaseRoutes({ releases, audit, guard, metrics }));
  await app.register(deviceRoutes({ devices, guard }));
  await app.register(actionRoutes({ actions, guard }));
  await management.registerRoutes();

  let closed: Promise<void> | undefined;
  return {
    app,
    services,
    config,
    async listen() {
      const host = config.host ?? SERVER_DEFAULTS.host;
      await app.listen({ host, port: config.port ?? SERVER_DEFAULTS.port });
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : config.port;
      const shown = host.includes(':') ? `[${host}]` : host;
      return `${tls === undefined ? 'http' : 'https'}://${shown}:${String(port)}`;
    },
    async warmCaches() {
      const ids = await devices.preload();
      await actions.preloadActive(ids);
      return ids.length;
    },
    close() {
      closed ??= (async () => {
        fastPathOpen = false; // from now on Fastify answers (503 while closing)
        management.close();
        await app.close();
        await devices.close();
        await auditTrail.close();
        await db.close();
      })();
      return closed;
    },
  };
}
