import {
  anchorFromPem,
  anchorFromPin,
  noteVerifierFromKey,
  parseCrl,
  ValidationError,
  type FieldIssue,
  type RevocationList,
  type TrustAnchor,
} from '@cairn/core';
import { EnvBootControl, ScriptBootControl, type BootControl } from '../boot/boot-control.js';
import { FileEnvStore, GrubEnvStore, UBootEnvStore, type EnvStore } from '../boot/env.js';
import type { CounterStore } from '../counter/counter.js';
import { FileCounterStore } from '../counter/file-counter.js';
import { TpmCounterStore } from '../counter/tpm-counter.js';
import { StateStore } from '../device/state.js';
import { NodeDisk } from '../disk/node-disk.js';
import { UpdateAgent, type TransparencyPolicy } from '../install/agent.js';
import { InstallLog } from '../log/install-log.js';
import { FileSlotStorage } from '../slots/slot-storage.js';
import { bootedSlotReader } from './booted-slot.js';
import { runHealthCheck, type HealthCheckOutcome } from './health-check.js';
import { readCapped } from './load.js';
import type { AgentConfig, BootConfig, CounterConfig } from './schema.js';

const MAX_PEM_BYTES = 1024 * 1024;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const PEM_CRL = /-----BEGIN X509 CRL-----([A-Za-z0-9+/=\s]+)-----END X509 CRL-----/;

/** Everything the CLI needs, wired from one configuration. */
export interface AgentRuntime {
  readonly config: AgentConfig;
  readonly agent: UpdateAgent;
  readonly slots: FileSlotStorage;
  readonly boot: BootControl;
  readonly counter: CounterStore;
  readonly log: InstallLog;
  readonly state: StateStore;
  bootedSlot(): Promise<string>;
  /** The last health check run by this runtime (for reporting why a trial failed). */
  readonly lastHealthCheck: HealthCheckOutcome | undefined;
}

const errText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Read trust anchors, pins, CRLs and the log key; report every unusable one at once. */
async function loadTrust(config: AgentConfig): Promise<{
  anchors: TrustAnchor[];
  revoked: RevocationList | undefined;
  transparency: TransparencyPolicy | undefined;
}> {
  const issues: FieldIssue[] = [];
  const anchors: TrustAnchor[] = [];
  for (const [i, file] of config.trust.anchors.entries()) {
    try {
      const pem = (await readCapped(file, MAX_PEM_BYTES, 'trust anchor')).toString('utf8');
      const certs = pem.match(PEM_CERT);
      // a CA bundle holds several certificates: each is an anchor
      for (const block of certs ?? [pem]) anchors.push(anchorFromPem(block, { label: file }));
    } catch (err) {
      issues.push({ path: `trust.anchors[${i}]`, problem: `${file}: ${errText(err)}` });
    }
  }
  for (const pin of config.trust.pins) anchors.push(anchorFromPin(pin)); // validated already
  const crls: Uint8Array[] = [];
  for (const [i, file] of config.trust.crls.entries()) {
    try {
      const raw = await readCapped(file, 2 * MAX_PEM_BYTES, 'CRL');
      const pem = PEM_CRL.exec(raw.toString('latin1'));
      const der = new Uint8Array(pem?.[1] ? Buffer.from(pem[1], 'base64') : raw);
      parseCrl(der, file);
      crls.push(der);
    } catch (err) {
      issues.push({ path: `trust.crls[${i}]`, problem: `${file}: ${errText(err)}` });
    }
  }
  if (issues.length > 0) throw new ValidationError('trust configuration', issues);
  const t = config.trust.transparency;
  return {
    anchors,
    revoked: crls.length > 0 ? { crls } : undefined,
    transparency: t
      ? {
          required: t.required,
          logVerifier: noteVerifierFromKey(t.verifierKey),
          ...(t.origin === undefined ? {} : { origin: t.origin }),
        }
      : undefined,
  };
}

function bootControl(cfg: BootConfig, disk: NodeDisk, slots: readonly string[]): BootControl {
  if (cfg.backend === 'script') return new ScriptBootControl(cfg.path, slots);
  let env: EnvStore;
  if (cfg.backend === 'uboot') env = new UBootEnvStore(cfg.config, cfg.defaultEnv);
  else if (cfg.backend === 'grub') env = new GrubEnvStore(cfg.envFile);
  else env = new FileEnvStore(disk, cfg.path);
  return new EnvBootControl(env, slots, cfg.attempts);
}

function counterStore(cfg: CounterConfig, disk: NodeDisk): CounterStore {
  if (cfg.backend === 'file') return new FileCounterStore(disk, cfg.dir);
  return new TpmCounterStore({
    ...(cfg.tcti === undefined ? {} : { tcti: cfg.tcti }),
    ...(cfg.counterIndex === undefined ? {} : { counterIndex: cfg.counterIndex }),
    ...(cfg.baseIndex === undefined ? {} : { baseIndex: cfg.baseIndex }),
  });
}

/**
 * Build the agent from a validated configuration: file/block-device slots, the chosen
 * boot backend and counter store, state and install log under dataDir (created 0700).
 */
export async function createAgentRuntime(
  config: AgentConfig,
  opts: { clock?: () => Date } = {},
): Promise<AgentRuntime> {
  const trust = await loadTrust(config);
  const disk = new NodeDisk();
  await disk.mkdirp(config.dataDir);
  const slots = new FileSlotStorage(config.slots);
  const boot = bootControl(config.boot, disk, slots.slots);
  const counter = counterStore(config.counter, disk);
  const state = new StateStore(disk, `${config.dataDir}/state.json`);
  const log = new InstallLog(disk, `${config.dataDir}/install.log`, opts.clock);
  const bootedSlot = bootedSlotReader(config.bootedSlot, slots.slots);
  let lastHealthCheck: HealthCheckOutcome | undefined;
  const hc = config.healthCheck;
  const agent = new UpdateAgent({
    slots,
    boot,
    counter,
    state,
    log,
    anchors: trust.anchors,
    identity: config.device,
    bootedSlot,
    ...(trust.revoked ? { revoked: trust.revoked } : {}),
    ...(trust.transparency ? { transparency: trust.transparency } : {}),
    ...(hc
      ? {
          healthCheck: async (slot: string) => {
            lastHealthCheck = await runHealthCheck(hc, slot);
            return lastHealthCheck.healthy;
          },
        }
      : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(config.maxHeaderBytes === undefined ? {} : { maxHeaderBytes: config.maxHeaderBytes }),
  });
  return {
    config,
    agent,
    slots,
    boot,
    counter,
    log,
    state,
    bootedSlot,
    get lastHealthCheck() {
      return lastHealthCheck;
    },
  };
}
