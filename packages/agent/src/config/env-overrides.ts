import { resolve } from 'node:path';
import { isObject, type JsonObject } from './fields.js';

/** Environment variables that override a setting of the configuration file. */
export const ENV_OVERRIDES = Object.freeze({
  CAIRN_AGENT_DATA_DIR: { path: ['dataDir'], isPath: true },
  CAIRN_AGENT_DDI_URL: { path: ['ddi', 'url'], isPath: false },
  CAIRN_AGENT_DDI_TENANT: { path: ['ddi', 'tenant'], isPath: false },
  CAIRN_AGENT_DDI_CONTROLLER_ID: { path: ['ddi', 'controllerId'], isPath: false },
  CAIRN_AGENT_DDI_TOKEN: { path: ['ddi', 'token'], isPath: false },
  CAIRN_AGENT_DDI_TOKEN_FILE: { path: ['ddi', 'tokenFile'], isPath: true },
  CAIRN_AGENT_TPM_TCTI: { path: ['counter', 'tcti'], isPath: false },
} as const);

export interface Overridden {
  readonly config: JsonObject;
  /** Setting path (e.g. "ddi.url") → the variable that set it. */
  readonly applied: ReadonlyMap<string, string>;
}

function setIn(o: JsonObject, path: readonly string[], value: unknown): JsonObject {
  const [head, ...rest] = path;
  if (head === undefined) return o;
  const child = o[head];
  return {
    ...o,
    [head]: rest.length === 0 ? value : setIn(isObject(child) ? child : {}, rest, value),
  };
}

/**
 * Apply environment overrides (empty variables are ignored). Paths given in the
 * environment are relative to the working directory. `CAIRN_AGENT_BOOTED_SLOT` fixes
 * the booted slot (bring-up, tests), replacing the configured detection.
 */
export function applyEnvOverrides(
  raw: JsonObject,
  env: Readonly<Record<string, string | undefined>>,
  cwd = process.cwd(),
): Overridden {
  let config = raw;
  const applied = new Map<string, string>();
  for (const [name, o] of Object.entries(ENV_OVERRIDES)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    config = setIn(config, o.path, o.isPath ? resolve(cwd, v) : v);
    applied.set(o.path.join('.'), name);
  }
  const slot = env['CAIRN_AGENT_BOOTED_SLOT'];
  if (slot !== undefined && slot !== '') {
    config = { ...config, bootedSlot: { source: 'fixed', slot } };
    applied.set('bootedSlot', 'CAIRN_AGENT_BOOTED_SLOT');
  }
  return { config, applied };
}
