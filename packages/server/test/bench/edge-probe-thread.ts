/**
 * The DDI bench's --split "edge" probe, run on a worker thread: Cairn's own cached-poll
 * handler (fastPollHandler with DeviceService, ActionService and DeviceAuthenticator,
 * caches preloaded from the same database, last-seen marks written by the device
 * service's own writer) behind a plain node:http server, in an isolate that has run
 * nothing else. It measures what a DDI edge thread (docs/ARCHITECTURE.md §9) could
 * reach; it is not that design (no forwarding: a poll it cannot answer gets a 503).
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '@cairn/db';
import type { DatabaseConfig } from '@cairn/db';
import {
  ActionService,
  DeviceAuthenticator,
  DeviceService,
  fastPollHandler,
  FsArtifactStorage,
  ProductService,
  ReleaseService,
  SERVER_DEFAULTS,
  ServerMetrics,
} from '@cairn/server';

const { database } = workerData as { database: DatabaseConfig };
const db = await openDatabase(database);
const scratch = mkdtempSync(join(tmpdir(), 'cairn-edge-probe-'));
const products = new ProductService(db);
const releases = new ReleaseService({
  db,
  storage: new FsArtifactStorage(scratch),
  products,
  audit: { record: () => Promise.resolve() },
  maxBundleBytes: 1 << 20,
  maxArtifactBytes: 1 << 20,
});
const devices = new DeviceService({ db, products });
const actions = new ActionService({
  db,
  devices,
  releases,
  audit: { record: () => Promise.resolve() },
});
await actions.preloadActive(await devices.preload());
const metrics = new ServerMetrics();
const fast = fastPollHandler({
  devices,
  actions,
  auth: new DeviceAuthenticator({ targetToken: true, clientCertificates: false }, devices),
  tenant: SERVER_DEFAULTS.tenant,
  pollingSleepSeconds: SERVER_DEFAULTS.pollingSleepSeconds,
  metrics,
});
const server = http.createServer((req, res) => {
  if (!fast(req, res)) res.writeHead(503).end();
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  parentPort?.postMessage(typeof addr === 'object' && addr !== null ? addr.port : 0);
});
parentPort?.on('message', (m) => {
  if (m !== 'close') return;
  server.close();
  void devices
    .close()
    .then(() => db.close())
    .finally(() => {
      rmSync(scratch, { recursive: true, force: true });
      parentPort?.close();
    });
});
