import { DdiClient, OtaUpdater, type SimulatedDevice } from '@cairn/agent';
import { DdiTestServer, type DdiTestServerOptions } from '@cairn/testkit';

export const TOKEN = 'target-token-1';
export const CONTROLLER = 'device-0001';

export function startServer(extra: Partial<DdiTestServerOptions> = {}): Promise<DdiTestServer> {
  return DdiTestServer.start({ controllerId: CONTROLLER, targetToken: TOKEN, ...extra });
}

export function clientFor(srv: DdiTestServer, token = TOKEN, timeoutMs = 5000): DdiClient {
  return new DdiClient({
    baseUrl: srv.url,
    controllerId: CONTROLLER,
    auth: { type: 'target', token },
    timeoutMs,
  });
}

/** An updater for a simulated device; no real waiting (sleeps are recorded). */
export function updaterFor(
  srv: DdiTestServer,
  d: SimulatedDevice,
  slept: number[] = [],
): OtaUpdater {
  return new OtaUpdater({
    client: clientFor(srv),
    agent: d.agent,
    disk: d.disk,
    attributes: () => ({ serial: CONTROLLER, hwRevision: '2' }),
    download: {
      sleep: (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
    },
    sleep: (ms) => {
      slept.push(ms);
      return Promise.resolve();
    },
    schedule: { random: () => 0.5 },
  });
}

export function downloads(srv: DdiTestServer): { range?: string; status: number }[] {
  return srv.requests
    .filter((r) => r.path.includes('/softwaremodules/'))
    .map((r) => ({ ...(r.range ? { range: r.range } : {}), status: r.status }));
}
