/**
 * Management API tokens: random, shown once, stored as SHA-256, expiring, revocable,
 * each with one role.
 */
import { createHash, randomBytes } from 'node:crypto';
import { BaseError, ValidationError } from '@cairn/core';
import type { FieldIssue } from '@cairn/core';
import { fromDbTimestamp, toDbTimestamp } from '@cairn/db';
import type { Database, Selectable } from '@cairn/db';
import type { ManagementTables } from '../management/schema.js';
import { ROLES } from './roles.js';
import type { Principal, Role } from './roles.js';

export type TokenErrorCode =
  'TOKEN_NOT_FOUND' | 'TOKEN_EXPIRED' | 'TOKEN_REVOKED' | 'TOKEN_UNKNOWN';
export class TokenError extends BaseError<TokenErrorCode> {}

/** Prefix of every management token (lets secret scanners recognise them). */
export const TOKEN_PREFIX = 'cairn_mgmt_';
const MAX_LIFETIME_DAYS = 3650;

export interface ApiToken {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | undefined;
  readonly revokedAt: Date | undefined;
}

export interface NewApiToken {
  readonly name: string;
  readonly role: Role;
  /** Lifetime in days (default 90). */
  readonly expiresInDays?: number;
}

const hash = (token: string): string => createHash('sha256').update(token).digest('hex');

export class ApiTokenService {
  readonly #db: Database;
  readonly #clock: () => Date;

  constructor(db: Database, clock: () => Date = () => new Date()) {
    this.#db = db;
    this.#clock = clock;
  }

  /** Create a token; the returned `token` is never available again. */
  async create(input: unknown, createdBy: string): Promise<{ token: string; info: ApiToken }> {
    const issues: FieldIssue[] = [];
    const i = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
    if (typeof i['name'] !== 'string' || i['name'].length < 1 || i['name'].length > 128)
      issues.push({ path: 'name', problem: 'must be 1-128 characters' });
    if (!ROLES.includes(i['role'] as Role))
      issues.push({ path: 'role', problem: 'must be viewer, operator or admin' });
    const days = i['expiresInDays'] ?? 90;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_LIFETIME_DAYS)
      issues.push({ path: 'expiresInDays', problem: `must be 1-${MAX_LIFETIME_DAYS} days` });
    if (issues.length > 0) throw new ValidationError('token', issues);
    const id = randomBytes(6).toString('hex');
    const token = `${TOKEN_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
    const now = this.#clock();
    const expires = new Date(now.getTime() + (days as number) * 86_400_000);
    await this.#db
      .typed<ManagementTables>()
      .insertInto('api_tokens')
      .values({
        id,
        name: i['name'] as string,
        role: i['role'] as Role,
        token_hash: hash(token),
        created_by: createdBy,
        created_at: toDbTimestamp(now),
        expires_at: toDbTimestamp(expires),
        revoked_at: null,
      })
      .execute();
    return { token, info: await this.get(id) };
  }

  async get(id: string): Promise<ApiToken> {
    const row = await this.#db
      .typed<ManagementTables>()
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (row === undefined) throw new TokenError('TOKEN_NOT_FOUND', `no API token "${id}"`);
    return toToken(row);
  }

  async list(): Promise<ApiToken[]> {
    const rows = await this.#db
      .typed<ManagementTables>()
      .selectFrom('api_tokens')
      .selectAll()
      .orderBy('created_at')
      .execute();
    return rows.map(toToken);
  }

  /** Revoke now; later requests with the token get 401. */
  async revoke(id: string): Promise<ApiToken> {
    const res = await this.#db
      .typed<ManagementTables>()
      .updateTable('api_tokens')
      .set({ revoked_at: toDbTimestamp(this.#clock()) })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (res.numUpdatedRows === 0n) await this.get(id); // not found → TOKEN_NOT_FOUND
    return this.get(id);
  }

  /** The principal of a presented token, or a TokenError saying why not. */
  async authenticate(token: string): Promise<Principal> {
    const row =
      token.startsWith(TOKEN_PREFIX) && token.length <= 256
        ? await this.#db
            .typed<ManagementTables>()
            .selectFrom('api_tokens')
            .selectAll()
            .where('token_hash', '=', hash(token))
            .executeTakeFirst()
        : undefined;
    if (row === undefined) throw new TokenError('TOKEN_UNKNOWN', 'the API token is not known');
    const t = toToken(row);
    if (t.revokedAt !== undefined)
      throw new TokenError(
        'TOKEN_REVOKED',
        `API token "${t.id}" was revoked; ask an admin for a new one`,
      );
    if (t.expiresAt !== undefined && t.expiresAt.getTime() <= this.#clock().getTime())
      throw new TokenError(
        'TOKEN_EXPIRED',
        `API token "${t.id}" expired at ${t.expiresAt.toISOString()}; ask an admin for a new one`,
      );
    return { id: `token:${t.id}`, name: t.name, role: t.role };
  }
}

function toToken(r: Selectable<ManagementTables['api_tokens']>): ApiToken {
  return {
    id: r.id,
    name: r.name,
    role: r.role as Role,
    createdBy: r.created_by,
    createdAt: fromDbTimestamp(r.created_at),
    expiresAt: r.expires_at === null ? undefined : fromDbTimestamp(r.expires_at),
    revokedAt: r.revoked_at === null ? undefined : fromDbTimestamp(r.revoked_at),
  };
}
