/**
 * /healthz, /readyz and /metrics: unauthenticated, not audited; /readyz answers 503
 * with a reason once the database is gone; /metrics counts polls, feedback, download
 * bytes and release uploads in the Prometheus text format.
 */
import assert from 'node:assert/strict';
import { chunks, makeBundle, collect } from '../helpers/bundles.js';
import { ddiFixture, json } from '../helpers/ddi.js';
import { forEachServer } from '../helpers/server.js';

/** Parse the exposition text: every sample line `name{labels} value`, checked. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const m = /^([a-z_]+(?:\{[a-z]+="[a-z]+"\})?) (\d+)$/.exec(line);
    assert.ok(m !== null, `not a sample line: ${line}`);
    out.set(m[1] ?? '', Number(m[2]));
  }
  return out;
}

forEachServer('ops endpoints: healthz, metrics, readyz', async (_db, t, c) => {
  const f = await ddiFixture(t, c);
  const auditCount = async () => (await f.server.services.audit.list()).length;

  const health = await fetch(`${f.url}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok' });
  const ready = await fetch(`${f.url}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: 'ready' });

  const scrape = async () => {
    const r = await fetch(`${f.url}/metrics`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    return samples(await r.text());
  };
  const s0 = await scrape();
  assert.equal(s0.get('cairn_ddi_polls_total{path="fast"}'), 0);

  // Two polls (slow then fast), a download (whole + a 10-byte range), a feedback report.
  for (let i = 0; i < 2; i++) assert.equal((await f.ddi('')).status, 200);
  const whole = await f.ddi(`/softwaremodules/${f.release.id}/artifacts/update.swu`);
  assert.equal((await whole.arrayBuffer()).byteLength, f.swu.length);
  const part = await f.ddi(`/softwaremodules/${f.release.id}/artifacts/update.swu`, {
    headers: { range: 'bytes=0-9' },
  });
  assert.equal(part.status, 206);
  await part.arrayBuffer();
  const fb = await f.ddi(`/deploymentBase/${f.action.id}/feedback`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ status: { execution: 'proceeding', result: { finished: 'none' } } }),
  });
  assert.equal(fb.status, 200);

  // One upload accepted (sequence 2), the same again refused (sequence not newer).
  const bundle = await collect(
    chunks(await makeBundle({ sequence: 2, payload: new Uint8Array(100), signer: f.key.signer })),
  );
  const upload = () =>
    f.admin('/api/v1/products/gw/releases?version=2.0', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bundle,
    });
  assert.equal((await upload()).status, 201);
  assert.equal((await upload()).status, 409);

  const s1 = await scrape();
  const delta = (k: string) => (s1.get(k) ?? NaN) - (s0.get(k) ?? NaN);
  assert.equal(delta('cairn_ddi_polls_total{path="fast"}'), 1);
  assert.equal(delta('cairn_ddi_polls_total{path="slow"}'), 1);
  assert.equal(delta('cairn_ddi_feedback_total{kind="deployment"}'), 1);
  assert.equal(delta('cairn_ddi_feedback_total{kind="cancel"}'), 0);
  assert.equal(delta('cairn_ddi_download_bytes_total'), f.swu.length + 10);
  assert.equal(delta('cairn_release_uploads_total{outcome="accepted"}'), 1);
  assert.equal(delta('cairn_release_uploads_total{outcome="refused"}'), 1);
  assert.equal(s1.get('cairn_devices_cached'), f.server.services.devices.cachedCount());
  assert.ok((s1.get('cairn_devices_cached') ?? 0) >= 1);

  // Probes are not audited.
  const audited = await auditCount();
  for (const path of ['/healthz', '/readyz', '/metrics'])
    await (await fetch(`${f.url}${path}`)).text();
  assert.equal(await auditCount(), audited);

  // The database goes away: liveness holds, readiness says why not.
  await f.server.services.devices.lastSeen.flush(); // nothing left for close() to write
  await f.server.services.db.close();
  const down = await fetch(`${f.url}/readyz`);
  assert.equal(down.status, 503);
  const why = (await down.json()) as { status: string; reason: string };
  assert.equal(why.status, 'unavailable');
  assert.match(why.reason, /database/);
  assert.equal((await fetch(`${f.url}/healthz`)).status, 200);
});
