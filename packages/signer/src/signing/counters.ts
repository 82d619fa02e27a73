import type { Ledger } from '@cairn/ledger';

/** Audit actions whose allowed records carry a signature (keyLabel + responseDigest). */
const SIGNING_ACTIONS = new Set(['sign', 'approve', 'sign.digest']);
const PAGE = 1000;

/**
 * Per-worker counters (last signed sequence per product, key usage), kept in memory and
 * rebuilt at start from the audit log: a signature counts once its audit record is
 * committed, which is before it is returned. Checks and reservations are synchronous,
 * so concurrent requests see each other; a reservation whose signature never commits
 * (crash, error) only wastes a number. One signer process owns a database's counters.
 */
export class Counters {
  readonly #values = new Map<string, bigint>();

  static async fromLedger(ledger: Ledger): Promise<Counters> {
    const c = new Counters();
    const { size } = await ledger.audit.head();
    for (let start = 0; start < size; start += PAGE) {
      for (const r of await ledger.audit.records(start, Math.min(size, start + PAGE))) {
        if (r.decision !== 'allowed' || !SIGNING_ACTIONS.has(r.action)) continue;
        if (r.worker === undefined || r.keyLabel === undefined || r.responseDigest === undefined)
          continue;
        const usage = `usage:${r.keyLabel}`;
        c.set(r.worker, usage, c.get(r.worker, usage) + 1n);
        const d = r.details as Record<string, unknown> | undefined;
        const seq = d?.['sequence'];
        const product = d?.['product'];
        if (typeof seq === 'string' && typeof product === 'string' && /^[0-9]{1,20}$/.test(seq)) {
          const name = `seq:${product}`;
          if (BigInt(seq) > c.get(r.worker, name)) c.set(r.worker, name, BigInt(seq));
        }
      }
    }
    return c;
  }

  /** Current value (0 when never set). */
  get(worker: string, name: string): bigint {
    return this.#values.get(`${worker}\u0000${name}`) ?? 0n;
  }

  set(worker: string, name: string, value: bigint): void {
    this.#values.set(`${worker}\u0000${name}`, value);
  }
}
