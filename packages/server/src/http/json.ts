/** JSON views of domain objects for the HTTP API (bigint → decimal string, dates → ISO). */
import type { Action } from '../actions/model.js';
import type { Device } from '../devices/devices.js';
import type { Release } from '../releases/releases.js';

export function releaseJson(r: Release): Record<string, unknown> {
  return {
    ...r,
    sequenceNumber: r.sequenceNumber.toString(),
    createdAt: r.createdAt.toISOString(),
  };
}

export function deviceJson(d: Device): Record<string, unknown> {
  return {
    ...d,
    lastSeen: d.lastSeen?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
    installedReleaseId: d.installedReleaseId ?? null,
    installedActionId: d.installedActionId ?? null,
  };
}

export function actionJson(a: Action): Record<string, unknown> {
  return {
    ...a,
    rolloutId: a.rolloutId ?? null,
    maintenanceWindow: a.maintenanceWindow ?? null,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}
