import { noteSignerFromSigner } from '@cairn/core';
import type { Database } from '@cairn/db';
import type { KeyStore } from '@cairn/keys';
import { Ledger } from '@cairn/ledger';
import { initPki, Pki } from '@cairn/pki';
import { SignerService } from './service.js';

export interface OpenSignerOptions {
  readonly db: Database;
  readonly keys: KeyStore;
  /** Ed25519 key (generated when missing) that signs both logs' checkpoints. Default 'cairn-log'. */
  readonly logKeyLabel?: string;
  /** Checkpoint origins. Defaults 'cairn.example/tlog' and 'cairn.example/audit'. */
  readonly tlogOrigin?: string;
  readonly auditOrigin?: string;
  /** Create Cairn's CA hierarchy in this database when it has none (default true). */
  readonly initPki?: boolean;
  readonly checkpointIntervalMs?: number;
  readonly clock?: () => Date;
}

export interface SignerStack {
  readonly service: SignerService;
  readonly ledger: Ledger;
  readonly pki: Pki;
  /** Closes the ledger (waits for queued appends); the db and key store stay open. */
  close(): Promise<void>;
}

async function ensureKey(
  keys: KeyStore,
  label: string,
  type: 'ed25519' | 'ecdsa-p384',
): Promise<void> {
  const known = await keys.list();
  if (!known.some((k) => k.label === label)) await keys.generate(label, type);
}

/** Open the ledger, the PKI (initialised on first use) and the signing service on one database. */
export async function openSigner(o: OpenSignerOptions): Promise<SignerStack> {
  const clock = o.clock ?? (() => new Date());
  const logKey = o.logKeyLabel ?? 'cairn-log';
  await ensureKey(o.keys, logKey, 'ed25519');
  const logSigner = await o.keys.signer(logKey);
  const tlogOrigin = o.tlogOrigin ?? 'cairn.example/tlog';
  const auditOrigin = o.auditOrigin ?? 'cairn.example/audit';
  const ledger = await Ledger.open({
    db: o.db,
    // every commit batch signs its checkpoint in its own transaction: a signature's
    // tlog-proof needs no second commit
    transparency: {
      signer: noteSignerFromSigner(tlogOrigin, logSigner),
      origin: tlogOrigin,
      checkpointEachBatch: true,
    },
    audit: { signer: noteSignerFromSigner(auditOrigin, logSigner), origin: auditOrigin },
    ...(o.checkpointIntervalMs === undefined
      ? {}
      : { checkpointIntervalMs: o.checkpointIntervalMs }),
    clock,
  });
  let pki = await Pki.open({ keys: o.keys, db: o.db, clock });
  if (o.initPki !== false && (await pki.listCas()).every((c) => c.kind !== 'issuing')) {
    await ensureKey(o.keys, 'cairn-root-ca', 'ecdsa-p384');
    await ensureKey(o.keys, 'cairn-issuing-ca', 'ecdsa-p384');
    pki = (
      await initPki({
        keys: o.keys,
        db: o.db,
        clock,
        root: { id: 'root', subject: { commonName: 'Cairn Root CA' }, keyLabel: 'cairn-root-ca' },
        issuing: {
          id: 'issuing-1',
          subject: { commonName: 'Cairn Issuing CA 1' },
          keyLabel: 'cairn-issuing-ca',
        },
      })
    ).pki;
  }
  const service = await SignerService.open({ db: o.db, keys: o.keys, ledger, pki, clock });
  return {
    service,
    ledger,
    pki,
    close: async () => {
      // queued appends commit first; then the lease goes
      await ledger.close();
      await service.close();
    },
  };
}
