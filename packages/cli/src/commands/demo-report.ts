import { readFileSync } from 'node:fs';
import { noteVerifierFromKey } from '@cairn/core';
import { openDatabase } from '@cairn/db';
import { verifyAuditLog, verifyTransparencyLog } from '@cairn/ledger';
import type { Io } from '../command.js';
import { ApiClient } from '../platform/api.js';
import type { PlatformInfo } from '../platform/bootstrap.js';
import type { DemoDevice } from './demo-fleet.js';
import type { Checks, DemoContext } from './demo-steps.js';

/** Per device: version before, after, and what happened, as a fixed-width table. */
export async function printSummary(io: Io, devices: readonly DemoDevice[]): Promise<void> {
  const rows = await Promise.all(
    devices.map(async (d) => {
      d.record.after = await d.runningVersion();
      return [
        d.record.id,
        d.record.group === 0 ? '-' : String(d.record.group),
        d.record.before,
        d.record.after,
        d.record.outcomes.join('; ') || '—',
      ];
    }),
  );
  const head = ['device', 'group', 'before', 'after', 'outcome'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]): string =>
    r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ');
  io.out(
    `\n${line(head)}\n${w.map((n, i) => '-'.repeat(i === w.length - 1 ? Math.min(n, 60) : n)).join('  ')}\n`,
  );
  for (const r of rows) io.out(`${line(r)}\n`);
}

/**
 * Evidence: every device's hash-chained install log, the signer's audit log and
 * transparency log (chains, trees and signed checkpoints), and the server's audit trail.
 */
export async function verifyEvidence(
  ctx: DemoContext,
  info: PlatformInfo,
  devices: readonly DemoDevice[],
  checks: Checks,
  signatures: number,
): Promise<void> {
  ctx.io.err('\n== verifying the evidence ==\n');
  let entries = 0;
  const broken: string[] = [];
  for (const d of devices) {
    try {
      entries += await d.device.log.verify();
    } catch (err) {
      broken.push(`${d.record.id}: ${(err as Error).message}`);
    }
  }
  checks.expect(
    `every device's install log verifies (${devices.length} logs, ${entries} entries)`,
    broken.length === 0,
    broken.join('; '),
  );
  // A fresh signed checkpoint from the running service, checked against the stored chain.
  const signer = new ApiClient({
    url: info.signerUrl,
    token: readFileSync(info.signerTokenFile, 'utf8').trim(),
    ca: ctx.caPem,
  });
  const exported = await signer.raw('POST', '/api/v1/audit/checkpoint/export').finally(() => {
    signer.close();
  });
  checks.expect(
    'the signer exports a signed audit checkpoint',
    exported.status === 200,
    `HTTP ${exported.status}`,
  );
  const db = await openDatabase({ dialect: 'sqlite', path: info.signerDatabase });
  try {
    const audit = await verifyAuditLog({
      db,
      verifier: noteVerifierFromKey(info.auditVerifierKey),
      ...(exported.status === 200 ? { checkpoints: [exported.body] } : {}),
    });
    checks.expect(
      `signer audit log intact: ${audit.size} records, ${audit.checkpointsChecked} signed checkpoint(s) matched`,
      audit.size >= signatures && audit.signaturesChecked && audit.checkpointsChecked > 0,
      `head ${Buffer.from(audit.head).toString('hex').slice(0, 16)}…`,
    );
    const tlog = await verifyTransparencyLog({
      db,
      verifier: noteVerifierFromKey(info.tlogVerifierKey),
    });
    checks.expect(
      `transparency log intact: ${tlog.size} entries, root recomputed, ${tlog.checkpointsChecked} checkpoint(s) verified`,
      tlog.size >= signatures && tlog.signaturesChecked,
      `root ${Buffer.from(tlog.root).toString('hex').slice(0, 16)}…`,
    );
  } catch (err) {
    checks.expect(
      'signer logs verify',
      false,
      `${(err as { code?: string }).code ?? ''} ${(err as Error).message}`,
    );
  } finally {
    await db.close();
  }
  const trail = await ctx.server.json<{ event: string; outcome: string; code?: string | null }[]>(
    'GET',
    '/api/v1/audit?limit=1000',
  );
  const refusedUploads = trail.filter(
    (r) => r.event === 'release.upload' && r.outcome === 'refused',
  );
  checks.expect(
    'the server audit trail records the refused upload',
    refusedUploads.length > 0,
    refusedUploads.map((r) => r.code ?? '').join(','),
  );
}
