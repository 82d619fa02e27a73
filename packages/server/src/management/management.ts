/**
 * Wiring of part 2 into the server: API tokens + roles guard, the management edge,
 * rollouts (hooked to the actions service), their routes and GET /openapi.json.
 * `setupManagement` runs on the root app before any route is registered;
 * `registerRoutes` after part 1's route plugins.
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '@cairn/db';
import type { ActionService } from '../actions/actions.js';
import { managementAuth } from '../auth/guard.js';
import type { ManagementAuth } from '../auth/guard.js';
import { ApiTokenService } from '../auth/tokens.js';
import type { AuditTrail } from '../db/ledger-audit.js';
import type { DeviceService } from '../devices/devices.js';
import { buildOpenApi } from '../openapi/document.js';
import type { OpenApiDocument } from '../openapi/document.js';
import type { ProductService } from '../products/products.js';
import type { ReleaseService } from '../releases/releases.js';
import { RolloutService } from '../rollouts/rollouts.js';
import { adminRoutes } from './admin-routes.js';
import { DeviceRemover } from './device-remover.js';
import { installManagementEdge } from './edge.js';
import { rolloutRoutes } from './rollout-routes.js';

export interface ManagementDeps {
  readonly db: Database;
  readonly audit: AuditTrail;
  readonly products: ProductService;
  readonly releases: ReleaseService;
  readonly devices: DeviceService;
  readonly actions: ActionService;
  readonly adminToken: string;
  /** Rollout timer period (default 5000 ms; 0: no timer, call tick yourself). */
  readonly tickMs?: number;
  readonly onError?: (err: unknown) => void;
}

export interface Management {
  readonly auth: ManagementAuth;
  readonly tokens: ApiTokenService;
  readonly rollouts: RolloutService;
  /** Mount the management routes and /openapi.json; start the rollout timer. */
  registerRoutes(): Promise<void>;
  openApi(): OpenApiDocument;
  close(): void;
}

export const API_VERSION = '1.0.0';

export function setupManagement(app: FastifyInstance, d: ManagementDeps): Management {
  const tokens = new ApiTokenService(d.db);
  const auth = managementAuth({ tokens, adminToken: d.adminToken });
  const routes = installManagementEdge(app, { auth, audit: d.audit });
  const rollouts = new RolloutService({
    db: d.db,
    actions: d.actions,
    releases: d.releases,
    audit: d.audit,
    ...(d.onError === undefined ? {} : { onError: d.onError }),
  });
  const openApi = (): OpenApiDocument => buildOpenApi(routes, API_VERSION);
  return {
    auth,
    tokens,
    rollouts,
    openApi,
    async registerRoutes() {
      await app.register(rolloutRoutes({ rollouts, auth }));
      await app.register(
        adminRoutes({
          auth,
          tokens,
          audit: d.audit,
          devices: d.devices,
          actions: d.actions,
          products: d.products,
          remover: new DeviceRemover(d.db, d.devices),
        }),
      );
      app.get('/openapi.json', () => openApi());
      if ((d.tickMs ?? 5000) > 0) rollouts.startTimer(d.tickMs ?? 5000);
    },
    close() {
      rollouts.stopTimer();
    },
  };
}
