import { parseNoteVerifierKey, parsePin, parseUuid, ValidationError } from '@cairn/core';
import { DEFAULT_ATTEMPTS } from '../boot/boot-control.js';
import { FieldReader, type JsonObject } from './fields.js';
import type {
  AgentConfig,
  BootConfig,
  BootedSlotConfig,
  CounterConfig,
  DdiConfig,
  HealthCheckConfig,
  TrustConfig,
} from './schema.js';
import { DEFAULT_DATA_DIR } from './schema.js';

const TOP = [
  '$schema',
  'device',
  'trust',
  'slots',
  'bootedSlot',
  'boot',
  'counter',
  'dataDir',
  'healthCheck',
  'ddi',
  'maxHeaderBytes',
] as const;
const SLOT_NAME = /^[A-Za-z0-9_-]{1,32}$/;
const MAX_ATTEMPTS = 100;

function uuid(r: FieldReader, v: unknown, path: string): Uint8Array | undefined {
  const s = r.string(v, path);
  if (s === undefined) return undefined;
  try {
    return parseUuid(s);
  } catch {
    return r.none(
      path,
      `"${s.slice(0, 60)}" is not a UUID (e.g. fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe)`,
    );
  }
}

function trust(r: FieldReader, o: JsonObject | undefined): TrustConfig {
  const t = o ?? {};
  if (o) r.known(o, 'trust', ['anchors', 'pins', 'crls', 'transparency']);
  const anchors = r.list(t['anchors'], 'trust.anchors', (x, p) => r.path(x, p));
  const pins = r.list(t['pins'], 'trust.pins', (x, p) => {
    const s = r.string(x, p);
    if (s === undefined) return undefined;
    try {
      parsePin(s);
      return s;
    } catch (err) {
      return r.none<string>(p, err instanceof Error ? err.message : 'is not an SPKI SHA-256 pin');
    }
  });
  if (o && anchors.length === 0 && pins.length === 0) {
    r.bad('trust', 'names no trust anchor: give at least one of anchors (PEM files) or pins');
  }
  const crls = r.list(t['crls'], 'trust.crls', (x, p) => r.path(x, p));
  const tp = r.object(t['transparency'], 'trust.transparency', false);
  let transparency: TrustConfig['transparency'];
  if (tp) {
    r.known(tp, 'trust.transparency', ['required', 'verifierKey', 'origin']);
    const verifierKey = r.string(tp['verifierKey'], 'trust.transparency.verifierKey');
    if (verifierKey !== undefined) {
      try {
        parseNoteVerifierKey(verifierKey);
      } catch (err) {
        r.bad(
          'trust.transparency.verifierKey',
          `is not a C2SP verifier key <name>+<key id>+<base64> (${err instanceof Error ? err.message : String(err)})`,
        );
      }
    }
    const origin = r.string(tp['origin'], 'trust.transparency.origin', false);
    transparency = {
      required: r.boolean(tp['required'], 'trust.transparency.required', true),
      verifierKey: verifierKey ?? '',
      ...(origin === undefined ? {} : { origin }),
    };
  }
  return { anchors, pins, crls, ...(transparency ? { transparency } : {}) };
}

function slots(r: FieldReader, o: JsonObject | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!o) return out;
  for (const [name, v] of Object.entries(o)) {
    if (!SLOT_NAME.test(name)) r.bad(`slots.${name}`, 'slot names are 1-32 of A-Z a-z 0-9 _ -');
    const p = r.path(v, `slots.${name}`);
    if (p !== undefined) out[name] = p;
  }
  if (Object.keys(o).length !== 2) {
    r.bad('slots', `an A/B device has exactly two slots, got ${Object.keys(o).length}`);
  }
  const paths = Object.values(out);
  if (new Set(paths).size !== paths.length) r.bad('slots', 'two slots name the same device');
  return out;
}

function bootedSlot(r: FieldReader, v: unknown, names: readonly string[]): BootedSlotConfig {
  const fallback: BootedSlotConfig = { source: 'cmdline', path: '/proc/cmdline' };
  const o = r.object(v, 'bootedSlot', false);
  if (!o) return fallback;
  const source = r.choice(o['source'], 'bootedSlot.source', ['cmdline', 'fixed', 'file']);
  if (source === 'fixed') {
    r.known(o, 'bootedSlot', ['source', 'slot']);
    const slot = r.string(o['slot'], 'bootedSlot.slot');
    if (slot !== undefined && names.length > 0 && !names.includes(slot)) {
      r.bad('bootedSlot.slot', `must be one of the slots (${names.join(', ')})`);
    }
    return { source, slot: slot ?? '' };
  }
  r.known(o, 'bootedSlot', ['source', 'path']);
  if (source === 'file') return { source, path: r.path(o['path'], 'bootedSlot.path') ?? '' };
  return { source: 'cmdline', path: r.path(o['path'], 'bootedSlot.path', false) ?? fallback.path };
}

function boot(r: FieldReader, o: JsonObject | undefined): BootConfig {
  const b = o ?? {};
  const backend = o && r.choice(b['backend'], 'boot.backend', ['uboot', 'grub', 'script', 'file']);
  const attempts = (): number =>
    r.integer(b['attempts'], 'boot.attempts', 1, MAX_ATTEMPTS, DEFAULT_ATTEMPTS) ??
    DEFAULT_ATTEMPTS;
  switch (backend) {
    case 'grub':
      if (o) r.known(o, 'boot', ['backend', 'envFile', 'attempts']);
      return { backend, envFile: r.path(b['envFile'], 'boot.envFile') ?? '', attempts: attempts() };
    case 'script':
      if (o) r.known(o, 'boot', ['backend', 'path']);
      return { backend, path: r.path(b['path'], 'boot.path') ?? '' };
    case 'file':
      if (o) r.known(o, 'boot', ['backend', 'path', 'attempts']);
      return { backend, path: r.path(b['path'], 'boot.path') ?? '', attempts: attempts() };
    default: {
      if (o) r.known(o, 'boot', ['backend', 'config', 'defaultEnv', 'attempts']);
      const config = r.path(b['config'], 'boot.config', false);
      const defaultEnv = r.path(b['defaultEnv'], 'boot.defaultEnv', false);
      return {
        backend: 'uboot',
        ...(config === undefined ? {} : { config }),
        ...(defaultEnv === undefined ? {} : { defaultEnv }),
        attempts: attempts(),
      };
    }
  }
}

function counter(r: FieldReader, o: JsonObject | undefined, dataDir: string): CounterConfig {
  const c = o ?? {};
  const backend = o && r.choice(c['backend'], 'counter.backend', ['tpm', 'file']);
  if (backend === 'tpm') {
    if (o) r.known(o, 'counter', ['backend', 'tcti', 'counterIndex', 'baseIndex']);
    const tcti = r.string(c['tcti'], 'counter.tcti', false);
    const nv = (k: string): number | undefined =>
      c[k] === undefined ? undefined : r.integer(c[k], `counter.${k}`, 0x1000000, 0x1ffffff);
    const counterIndex = nv('counterIndex');
    const baseIndex = nv('baseIndex');
    return {
      backend,
      ...(tcti === undefined ? {} : { tcti }),
      ...(counterIndex === undefined ? {} : { counterIndex }),
      ...(baseIndex === undefined ? {} : { baseIndex }),
    };
  }
  if (o) r.known(o, 'counter', ['backend', 'dir']);
  return { backend: 'file', dir: r.path(c['dir'], 'counter.dir', false) ?? `${dataDir}/counter` };
}

function healthCheck(r: FieldReader, v: unknown): HealthCheckConfig | undefined {
  const o = r.object(v, 'healthCheck', false);
  if (!o) return undefined;
  r.known(o, 'healthCheck', ['command', 'args', 'timeoutSeconds']);
  return {
    command: r.path(o['command'], 'healthCheck.command') ?? '',
    args: r.list(o['args'], 'healthCheck.args', (x, p) =>
      typeof x === 'string' ? x : r.none(p, 'must be a string'),
    ),
    timeoutSeconds: r.integer(o['timeoutSeconds'], 'healthCheck.timeoutSeconds', 1, 3600, 60) ?? 60,
  };
}

function ddi(r: FieldReader, v: unknown): DdiConfig | undefined {
  const o = r.object(v, 'ddi', false);
  if (!o) return undefined;
  const keys = ['url', 'tenant', 'controllerId', 'token', 'tokenFile', 'gatewayToken'] as const;
  r.known(o, 'ddi', [...keys, 'ca', 'clientCert', 'clientKey']);
  const url = r.string(o['url'], 'ddi.url');
  if (url !== undefined) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(url).protocol);
    } catch {
      /* reported below */
    }
    if (!ok) r.bad('ddi.url', 'must be an http:// or https:// URL');
  }
  const name = (k: 'tenant' | 'controllerId'): string => {
    const s = r.string(o[k], `ddi.${k}`);
    if (s !== undefined && !/^[A-Za-z0-9._:-]{1,128}$/.test(s)) {
      r.bad(`ddi.${k}`, 'must be 1-128 of A-Z a-z 0-9 . _ : -');
    }
    return s ?? '';
  };
  const out: Record<string, string> = {
    url: url ?? '',
    tenant: name('tenant'),
    controllerId: name('controllerId'),
  };
  for (const k of ['token', 'gatewayToken'] as const) {
    const s = r.string(o[k], `ddi.${k}`, false);
    if (s !== undefined) out[k] = s;
  }
  for (const k of ['tokenFile', 'ca', 'clientCert', 'clientKey'] as const) {
    const s = r.path(o[k], `ddi.${k}`, false);
    if (s !== undefined) out[k] = s;
  }
  const auth = ['token', 'tokenFile', 'gatewayToken', 'clientCert'].filter((k) => k in out);
  if (auth.length === 0) {
    r.bad('ddi', 'names no credential: give token, tokenFile, gatewayToken or clientCert');
  }
  if ('clientCert' in out !== 'clientKey' in out) {
    r.bad('ddi', 'clientCert and clientKey go together');
  }
  return out as unknown as DdiConfig;
}

/**
 * Validate a parsed configuration object. Throws ValidationError listing every bad field.
 * @param baseDir  directory relative paths are resolved against (the config file's)
 */
export function parseAgentConfig(raw: unknown, opts: { baseDir: string }): AgentConfig {
  const r = new FieldReader(opts.baseDir);
  const o = r.object(raw, '') ?? {};
  r.known(o, 'config', TOP);
  const dev = r.object(o['device'], 'device');
  if (dev) r.known(dev, 'device', ['vendorId', 'classId']);
  const vendorId = uuid(r, dev?.['vendorId'], 'device.vendorId');
  const classId = uuid(r, dev?.['classId'], 'device.classId');
  const dataDir = r.path(o['dataDir'], 'dataDir', false) ?? DEFAULT_DATA_DIR;
  const slotMap = slots(r, r.object(o['slots'], 'slots'));
  const config: AgentConfig = {
    device: { vendorId: vendorId ?? new Uint8Array(16), classId: classId ?? new Uint8Array(16) },
    trust: trust(r, r.object(o['trust'], 'trust')),
    slots: slotMap,
    bootedSlot: bootedSlot(r, o['bootedSlot'], Object.keys(slotMap)),
    boot: boot(r, r.object(o['boot'], 'boot')),
    counter: counter(r, r.object(o['counter'], 'counter'), dataDir),
    dataDir,
  };
  const hc = healthCheck(r, o['healthCheck']);
  const dd = ddi(r, o['ddi']);
  const maxHeaderBytes =
    o['maxHeaderBytes'] === undefined
      ? undefined
      : r.integer(o['maxHeaderBytes'], 'maxHeaderBytes', 1024, 16 * 1024 * 1024);
  if (r.issues.length > 0) throw new ValidationError('agent configuration', r.issues);
  return {
    ...config,
    ...(hc ? { healthCheck: hc } : {}),
    ...(dd ? { ddi: dd } : {}),
    ...(maxHeaderBytes === undefined ? {} : { maxHeaderBytes }),
  };
}
