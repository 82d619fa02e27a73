import { ValidationError } from '@cairn/core';
import type { FieldIssue } from '@cairn/core';
import { fromDbJson, toDbJson, toDbTimestamp } from '@cairn/db';
import type { Kysely } from '@cairn/db';
import { SignerError } from '../errors.js';
import type { SignerTables } from '../store/schema.js';
import { assertGrants } from './tokens.js';
import type { Grant, Principal } from './roles.js';

/** Normalise a certificate serial: lower-case hex without leading zeros. */
export function normalizeSerialHex(serial: string): string {
  const s = serial
    .replace(/[:\s]/g, '')
    .toLowerCase()
    .replace(/^0+(?=.)/, '');
  return s;
}

/**
 * TLS client certificates issued by Cairn's PKI map to principals by serial. The TLS
 * layer has already checked the chain against the PKI's CA; revocation is checked
 * by removing the mapping (or revoking in the PKI and removing it here).
 */
export class CertPrincipals {
  readonly #db: Kysely<SignerTables>;
  readonly #clock: () => Date;
  readonly #cache = new Map<string, Principal | null>();

  constructor(db: Kysely<SignerTables>, clock: () => Date) {
    this.#db = db;
    this.#clock = clock;
  }

  async map(serial: string, principal: string, grants: readonly Grant[]): Promise<void> {
    const issues: FieldIssue[] = [];
    const s = normalizeSerialHex(serial);
    if (!/^[0-9a-f]{1,40}$/.test(s))
      issues.push({ path: 'serial', problem: 'must be a hex serial' });
    if (!/^[\w .@:=,-]{1,256}$/.test(principal))
      issues.push({ path: 'principal', problem: 'must be 1-256 printable characters' });
    assertGrants(grants, 'grants', issues);
    if (issues.length) throw new ValidationError('certificate principal', issues);
    await this.#db
      .insertInto('signer_cert_principals')
      .values({
        serial: s,
        principal,
        grants: toDbJson(grants),
        created_at: toDbTimestamp(this.#clock()),
      })
      .onConflict((oc) => oc.column('serial').doUpdateSet({ principal, grants: toDbJson(grants) }))
      .execute();
    this.#cache.delete(s);
  }

  async authenticate(serial: string, subject: string): Promise<Principal> {
    const s = normalizeSerialHex(serial);
    let p = this.#cache.get(s);
    if (p === undefined) {
      const row = await this.#db
        .selectFrom('signer_cert_principals')
        .selectAll()
        .where('serial', '=', s)
        .executeTakeFirst();
      p = row
        ? { id: `cert:${row.principal}`, method: 'mtls', grants: fromDbJson(row.grants) as Grant[] }
        : null;
      this.#cache.set(s, p);
    }
    if (p === null)
      throw new SignerError(
        'UNAUTHENTICATED',
        `client certificate ${s} (${subject}) is not mapped to a principal: an admin maps it with POST /api/v1/principals/certificates`,
      );
    return p;
  }
}
