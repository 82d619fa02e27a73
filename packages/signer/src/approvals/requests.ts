import { randomBytes } from 'node:crypto';
import { fromDbJson, fromDbTimestamp, toDbJson, toDbTimestamp } from '@cairn/db';
import type { Kysely } from '@cairn/db';
import { SignerError } from '../errors.js';
import type { ReleaseInput } from '../signing/release.js';
import type { SignerTables } from '../store/schema.js';

export type RequestStatus = 'pending' | 'signed' | 'denied' | 'expired' | 'failed';

export interface Approval {
  readonly principal: string;
  readonly decision: 'approve' | 'deny';
  readonly at: string;
  readonly comment?: string;
}

/** A signing request waiting for (or done with) approvals. */
export interface SigningRequest {
  readonly id: string;
  readonly worker: string;
  readonly requester: string;
  /** What waits to be signed: a firmware release ('suit' worker) or a digest ('raw-digest'). */
  readonly kind: 'release' | 'digest';
  /** The release, for kind 'release'. */
  readonly release?: ReleaseInput;
  /** The hex digest, for kind 'digest'. */
  readonly digest?: string;
  readonly status: RequestStatus;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly approvals: readonly Approval[];
  readonly result: unknown;
  readonly reason: string | null;
}

/** What a request asks to sign, as stored in its body column. */
export type RequestSubject = { readonly release: ReleaseInput } | { readonly digest: string };

function subjectOf(body: unknown): Pick<SigningRequest, 'kind' | 'release' | 'digest'> {
  const digest = (body as { rawDigest?: unknown } | null)?.rawDigest;
  return typeof digest === 'string'
    ? { kind: 'digest', digest }
    : { kind: 'release', release: body as ReleaseInput };
}

function fromRow(r: SignerTables['signer_requests']): SigningRequest {
  return {
    id: r.id,
    worker: r.worker,
    requester: r.requester,
    ...subjectOf(fromDbJson(r.body)),
    status: r.status as RequestStatus,
    createdAt: fromDbTimestamp(r.created_at),
    expiresAt: fromDbTimestamp(r.expires_at),
    approvals: fromDbJson(r.approvals) as Approval[],
    result: r.result === null ? null : fromDbJson(r.result),
    reason: r.reason,
  };
}

/** Stored signing requests (pending approval, then signed / denied / expired). */
export class RequestStore {
  readonly #db: Kysely<SignerTables>;

  constructor(db: Kysely<SignerTables>) {
    this.#db = db;
  }

  async create(
    worker: string,
    requester: string,
    subject: RequestSubject,
    now: Date,
    ttlSeconds: number,
  ): Promise<SigningRequest> {
    const id = `req_${randomBytes(12).toString('hex')}`;
    await this.#db
      .insertInto('signer_requests')
      .values({
        id,
        worker,
        requester,
        // a digest is stored as {rawDigest}, a release as itself (the body it came as)
        body: toDbJson('digest' in subject ? { rawDigest: subject.digest } : subject.release),
        status: 'pending',
        created_at: toDbTimestamp(now),
        expires_at: toDbTimestamp(now.getTime() + ttlSeconds * 1000),
        approvals: '[]',
        result: null,
        reason: null,
      })
      .execute();
    return this.get(id);
  }

  async get(id: string): Promise<SigningRequest> {
    const row = await this.#db
      .selectFrom('signer_requests')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row)
      throw new SignerError(
        'REQUEST_NOT_FOUND',
        `no signing request '${id}': list them with 'cairn approvals list'`,
      );
    return fromRow(row);
  }

  async list(filter: { status?: RequestStatus; workers?: Set<string> }): Promise<SigningRequest[]> {
    let q = this.#db.selectFrom('signer_requests').selectAll();
    if (filter.status) q = q.where('status', '=', filter.status);
    const rows = await q.orderBy('created_at', 'desc').limit(500).execute();
    const all = rows.map(fromRow);
    const w = filter.workers;
    return w && !w.has('*') ? all.filter((r) => w.has(r.worker)) : all;
  }

  /** Update a request still in `from` status; REQUEST_NOT_PENDING when it moved on meanwhile. */
  async update(
    id: string,
    from: RequestStatus,
    set: {
      status?: RequestStatus;
      approvals?: readonly Approval[];
      result?: unknown;
      reason?: string;
    },
  ): Promise<void> {
    const res = await this.#db
      .updateTable('signer_requests')
      .set({
        ...(set.status ? { status: set.status } : {}),
        ...(set.approvals ? { approvals: toDbJson(set.approvals) } : {}),
        ...(set.result !== undefined ? { result: toDbJson(set.result) } : {}),
        ...(set.reason !== undefined ? { reason: set.reason } : {}),
      })
      .where('id', '=', id)
      .where('status', '=', from)
      .executeTakeFirst();
    if (res.numUpdatedRows === 0n)
      throw new SignerError('REQUEST_NOT_PENDING', `signing request '${id}' is no longer ${from}`);
  }
}
