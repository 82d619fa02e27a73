import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '@cairn/core';
import type { FieldIssue } from '@cairn/core';
import { fromDbBytes, fromDbJson, fromDbTimestamp, toDbJson, toDbTimestamp } from '@cairn/db';
import type { Kysely } from '@cairn/db';
import { SignerError } from '../errors.js';
import type { SignerTables } from '../store/schema.js';
import { ROLES } from './roles.js';
import type { Grant, Principal } from './roles.js';

/** Tokens look like `cairn_<id>_<secret>`: the id finds the row, the secret is hashed. */
const TOKEN_RE = /^cairn_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const MAX_TTL_SECONDS = 5 * 366 * 24 * 3600;
/** Authentication results are cached this long (revocation here clears the cache at once). */
const CACHE_MS = 5000;

export interface TokenInfo {
  readonly id: string;
  readonly name: string;
  readonly grants: readonly Grant[];
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
}

export interface CreateTokenInput {
  readonly name: string;
  readonly grants: readonly Grant[];
  readonly ttlSeconds: number;
}

export function assertGrants(grants: readonly Grant[], path: string, issues: FieldIssue[]): void {
  if (grants.length === 0 || grants.length > 64)
    issues.push({ path, problem: 'must hold 1..64 grants' });
  grants.forEach((g, i) => {
    if (!ROLES.includes(g.role))
      issues.push({ path: `${path}[${i}].role`, problem: `must be one of ${ROLES.join(', ')}` });
    if (!/^(\*|[a-z0-9][a-z0-9_-]{0,63})$/.test(g.worker))
      issues.push({ path: `${path}[${i}].worker`, problem: "must be a worker name or '*'" });
  });
}

function sha256(s: string): Buffer {
  return hash('sha256', s, 'buffer'); // one-shot: about a third of createHash's cost
}

/** API tokens: random 32 bytes, shown once, stored as SHA-256, scoped, expiring, revocable. */
export class TokenStore {
  readonly #db: Kysely<SignerTables>;
  readonly #clock: () => Date;
  readonly #cache = new Map<string, { principal: Principal; expires: number; at: number }>();

  constructor(db: Kysely<SignerTables>, clock: () => Date) {
    this.#db = db;
    this.#clock = clock;
  }

  async create(
    input: CreateTokenInput,
    createdBy: string,
  ): Promise<{ token: string; info: TokenInfo }> {
    const issues: FieldIssue[] = [];
    if (!/^[\w .@:-]{1,128}$/.test(input.name))
      issues.push({ path: 'name', problem: 'must be 1-128 of letters, digits, space . @ : _ -' });
    assertGrants(input.grants, 'grants', issues);
    if (
      !Number.isInteger(input.ttlSeconds) ||
      input.ttlSeconds < 1 ||
      input.ttlSeconds > MAX_TTL_SECONDS
    )
      issues.push({ path: 'ttlSeconds', problem: `must be an integer 1..${MAX_TTL_SECONDS}` });
    if (issues.length) throw new ValidationError('token', issues);
    const id = randomBytes(8).toString('hex');
    const token = `cairn_${id}_${randomBytes(32).toString('base64url')}`;
    const now = this.#clock();
    const expiresAt = new Date(now.getTime() + input.ttlSeconds * 1000);
    await this.#db
      .insertInto('signer_tokens')
      .values({
        id,
        hash: sha256(token),
        name: input.name,
        grants: toDbJson(input.grants),
        created_by: createdBy,
        created_at: toDbTimestamp(now),
        expires_at: toDbTimestamp(expiresAt),
        revoked_at: null,
      })
      .execute();
    return {
      token,
      info: {
        id,
        name: input.name,
        grants: input.grants,
        createdBy,
        createdAt: now,
        expiresAt,
        revokedAt: null,
      },
    };
  }

  async list(): Promise<TokenInfo[]> {
    const rows = await this.#db
      .selectFrom('signer_tokens')
      .selectAll()
      .orderBy('created_at')
      .execute();
    return rows.map(infoFromRow);
  }

  async count(): Promise<number> {
    const r = await this.#db
      .selectFrom('signer_tokens')
      .select((eb) => eb.fn.countAll<bigint>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async revoke(id: string): Promise<TokenInfo> {
    const res = await this.#db
      .updateTable('signer_tokens')
      .set({ revoked_at: toDbTimestamp(this.#clock()) })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    this.#cache.clear();
    const row = await this.#db
      .selectFrom('signer_tokens')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row)
      throw new SignerError(
        'TOKEN_NOT_FOUND',
        `no token with id '${id}': list tokens with 'cairn token list'`,
      );
    if (res.numUpdatedRows === 0n) return infoFromRow(row);
    return infoFromRow(row);
  }

  /** The principal of a bearer token; UNAUTHENTICATED (naming why) otherwise. */
  async authenticate(token: string): Promise<Principal> {
    const now = this.#clock().getTime();
    const hit = this.#cache.get(token);
    if (hit && now - hit.at < CACHE_MS) {
      if (now >= hit.expires)
        throw new SignerError(
          'UNAUTHENTICATED',
          'the API token has expired: ask an admin for a new one',
        );
      return hit.principal;
    }
    const m = TOKEN_RE.exec(token);
    if (!m)
      throw new SignerError(
        'UNAUTHENTICATED',
        'the bearer token is malformed: expected cairn_<id>_<secret>',
      );
    const row = await this.#db
      .selectFrom('signer_tokens')
      .selectAll()
      .where('id', '=', m[1]!)
      .executeTakeFirst();
    const hash = sha256(token);
    if (!row || !timingSafeEqual(Buffer.from(fromDbBytes(row.hash)), hash))
      throw new SignerError('UNAUTHENTICATED', 'the API token is not known to this signer');
    if (row.revoked_at !== null)
      throw new SignerError('UNAUTHENTICATED', `the API token '${row.name}' was revoked`);
    const expires = fromDbTimestamp(row.expires_at).getTime();
    if (now >= expires)
      throw new SignerError(
        'UNAUTHENTICATED',
        `the API token '${row.name}' expired at ${row.expires_at}: ask an admin for a new one`,
      );
    const principal: Principal = {
      id: `token:${row.id}:${row.name}`,
      method: 'token',
      grants: fromDbJson(row.grants) as Grant[],
    };
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(token, { principal, expires, at: now });
    return principal;
  }
}

function infoFromRow(r: SignerTables['signer_tokens']): TokenInfo {
  return {
    id: r.id,
    name: r.name,
    grants: fromDbJson(r.grants) as Grant[],
    createdBy: r.created_by,
    createdAt: fromDbTimestamp(r.created_at),
    expiresAt: fromDbTimestamp(r.expires_at),
    revokedAt: r.revoked_at === null ? null : fromDbTimestamp(r.revoked_at),
  };
}
