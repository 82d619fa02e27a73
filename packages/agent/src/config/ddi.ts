import { DdiClient, type DdiAuth } from '../ddi/client.js';
import type { DdiTlsOptions } from '../ddi/http.js';
import { OtaUpdater } from '../ddi/updater.js';
import { NodeDisk } from '../disk/node-disk.js';
import { AgentConfigError } from './errors.js';
import { readCapped } from './load.js';
import type { AgentRuntime } from './runtime.js';
import type { DdiConfig } from './schema.js';

const MAX_PEM_BYTES = 1024 * 1024;

async function auth(cfg: DdiConfig): Promise<DdiAuth | undefined> {
  if (cfg.token !== undefined) return { type: 'target', token: cfg.token };
  if (cfg.tokenFile !== undefined) {
    const token = (await readCapped(cfg.tokenFile, 4096, 'DDI token file')).toString('utf8').trim();
    return { type: 'target', token };
  }
  if (cfg.gatewayToken !== undefined) return { type: 'gateway', token: cfg.gatewayToken };
  return undefined; // client certificate only
}

async function tls(cfg: DdiConfig): Promise<DdiTlsOptions | undefined> {
  const read = (p: string, what: string): Promise<Buffer> => readCapped(p, MAX_PEM_BYTES, what);
  const ca = cfg.ca === undefined ? undefined : await read(cfg.ca, 'DDI CA bundle');
  const cert =
    cfg.clientCert === undefined ? undefined : await read(cfg.clientCert, 'DDI client certificate');
  const key = cfg.clientKey === undefined ? undefined : await read(cfg.clientKey, 'DDI client key');
  if (!ca && !cert) return undefined;
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

/**
 * The OTA updater (hawkBit DDI client + the agent) for a runtime whose configuration has a
 * `ddi` section. Its in-flight action lives in dataDir/ota.json (reported after reboot).
 */
export async function createOtaUpdater(rt: AgentRuntime): Promise<OtaUpdater> {
  const cfg = rt.config.ddi;
  if (!cfg) {
    throw new AgentConfigError(
      'CONFIG_NOT_FOUND',
      'the configuration has no "ddi" section (url, tenant, controllerId, token): OTA is not configured',
    );
  }
  const a = await auth(cfg);
  const t = await tls(cfg);
  const client = new DdiClient({
    baseUrl: cfg.url,
    tenant: cfg.tenant,
    controllerId: cfg.controllerId,
    ...(a ? { auth: a } : {}),
    ...(t ? { tls: t } : {}),
  });
  return new OtaUpdater({
    client,
    agent: rt.agent,
    disk: new NodeDisk(),
    statePath: `${rt.config.dataDir}/ota.json`,
    attributes: async () => {
      const s = await rt.agent.status();
      const booted = s.slots[s.bootedSlot]?.image;
      return {
        agent: 'cairn-agent',
        bootedSlot: s.bootedSlot,
        antiRollbackCounter: s.counter.toString(),
        ...(booted?.version === undefined ? {} : { version: booted.version }),
        ...(booted ? { sequenceNumber: booted.sequenceNumber } : {}),
      };
    },
  });
}
