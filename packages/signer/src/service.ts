import { createHash } from 'node:crypto';
import { buildFirmwareManifest, parseUuid, signEnvelope } from '@cairn/core';
import type { Database } from '@cairn/db';
import type { KeyStore } from '@cairn/keys';
import type { Ledger, RecordInput, RecordResult } from '@cairn/ledger';
import type { Pki } from '@cairn/pki';
import { RequestStore } from './approvals/requests.js';
import type { Approval, RequestSubject, SigningRequest } from './approvals/requests.js';
import { CertPrincipals } from './auth/cert-principals.js';
import { hasRole, workersWith } from './auth/roles.js';
import type { AuthMethod, Principal } from './auth/roles.js';
import { TokenStore } from './auth/tokens.js';
import { SignerError } from './errors.js';
import { ProofMaker } from './signing/checkpoints.js';
import { TreeMirror } from './signing/tree-mirror.js';
import { SignerLease } from './signing/lease.js';
import { Counters } from './signing/counters.js';
import { checkStatic, reserve } from './signing/policy.js';
import { parseRelease } from './signing/release.js';
import type { ReleaseInput } from './signing/release.js';
import { SIGNER_MIGRATIONS } from './store/schema.js';
import type { SignerTables } from './store/schema.js';
import { WorkerRegistry } from './workers/registry.js';
import type { LoadedWorker } from './workers/registry.js';

/** Who asked, from where: what every audit record says about the caller. */
export interface CallContext {
  readonly principal: Principal | undefined;
  readonly clientAddress: string;
  readonly requestDigest?: string;
}

export interface SignedRelease {
  readonly worker: string;
  readonly keyLabel: string;
  readonly sequenceNumber: string;
  /** Base64 SUIT envelope. */
  readonly envelope: string;
  readonly tlogProof: string;
  readonly checkpoint: string;
  readonly index: number;
  readonly auditSeq: number;
}

export type SignDigestOutcome =
  | { readonly status: 'signed'; readonly result: SignedDigest }
  | { readonly status: 'pending'; readonly request: SigningRequest };

export type SignOutcome =
  | { readonly status: 'signed'; readonly result: SignedRelease }
  | { readonly status: 'pending'; readonly request: SigningRequest };

export interface SignedDigest {
  readonly worker: string;
  readonly keyLabel: string;
  readonly algorithm: string;
  /** Base64 signature (ECDSA raw r‖s, RSA-PSS). */
  readonly signature: string;
  readonly index: number;
  readonly tlogProof: string;
  readonly checkpoint: string;
}

export interface SignerServiceOptions {
  /** The caller owns db, keys and ledger (close() does not close them). */
  readonly db: Database;
  readonly keys: KeyStore;
  readonly ledger: Ledger;
  /** Issues code-signing certificates for workers created without a chain. */
  readonly pki?: Pki;
  readonly clock?: () => Date;
}

function sha256Hex(b: Uint8Array | string): string {
  return createHash('sha256').update(b).digest('hex');
}

function checkDigest(digestHex: string): void {
  if (!/^[0-9a-f]{64}([0-9a-f]{32})?$/.test(digestHex))
    throw new SignerError(
      'INPUT_INVALID',
      'digest must be a hex SHA-256 (64 digits) or SHA-384 (96 digits)',
    );
}

function actorOf(ctx: CallContext): { actor: string; authMethod: AuthMethod } {
  return { actor: ctx.principal?.id ?? 'anonymous', authMethod: ctx.principal?.method ?? 'none' };
}

/** The signing service's domain: workers, policy, signing, approvals, tokens (no HTTP). */
export class SignerService {
  readonly db: Database;
  readonly keys: KeyStore;
  readonly ledger: Ledger;
  readonly workers: WorkerRegistry;
  readonly tokens: TokenStore;
  readonly certPrincipals: CertPrincipals;
  readonly requests: RequestStore;
  readonly counters: Counters;
  readonly proofs: ProofMaker;
  readonly clock: () => Date;
  /** This process's claim to sign with the database (one signer per database). */
  readonly lease: SignerLease;
  readonly #locks = new Map<string, Promise<unknown>>();

  private constructor(
    o: SignerServiceOptions,
    lease: SignerLease,
    counters: Counters,
    mirror: TreeMirror,
  ) {
    this.lease = lease;
    const k = o.db.typed<SignerTables>();
    this.db = o.db;
    this.keys = o.keys;
    this.ledger = o.ledger;
    this.clock = o.clock ?? (() => new Date());
    this.workers = new WorkerRegistry(k, o.keys, o.pki, this.clock);
    this.tokens = new TokenStore(k, this.clock);
    this.certPrincipals = new CertPrincipals(k, this.clock);
    this.requests = new RequestStore(k);
    this.counters = counters;
    this.proofs = new ProofMaker(o.ledger, mirror);
  }

  /** Apply the 'signer' migrations and open the service. */
  static async open(o: SignerServiceOptions): Promise<SignerService> {
    await o.db.migrate('signer', SIGNER_MIGRATIONS);
    // first the lease: the counters and the mirror read below are this process's alone
    const lease = await SignerLease.acquire(o.db, o.clock ?? (() => new Date()));
    try {
      return new SignerService(
        o,
        lease,
        await Counters.fromLedger(o.ledger),
        await TreeMirror.load(o.db),
      );
    } catch (err) {
      await lease.release();
      throw err;
    }
  }

  /** Give up the database's signer lease (db, keys and ledger stay open: the caller owns them). */
  close(): Promise<void> {
    return this.lease.release();
  }

  /**
   * Hand a signature record to the ledger. The ledger's group commit starts a batch only
   * after the event loop has run its ready callbacks, so signatures completing on the
   * thread pool one callback at a time share one durable transaction.
   */
  #record(input: RecordInput): Promise<RecordResult> {
    return this.ledger.record(input);
  }

  #loaded(name: string): Promise<LoadedWorker> {
    return this.workers.load(name);
  }

  /** Sign a firmware release (or store it pending approvals). Audits allowed signatures itself. */
  async sign(ctx: CallContext, workerName: string, input: ReleaseInput): Promise<SignOutcome> {
    const lw = await this.#loaded(workerName);
    const release = parseRelease(input);
    const now = this.clock();
    checkStatic(lw, 'suit', now, release);
    if (lw.worker.policy.approvals > 0) {
      return { status: 'pending', request: await this.#hold(ctx, lw, { release: input }, now) };
    }
    return { status: 'signed', result: await this.#signRelease(ctx, lw, input, 'sign', undefined) };
  }

  /** Store what `ctx` asks to sign on `lw` as a request waiting for the worker's approvals. */
  #hold(
    ctx: CallContext,
    lw: LoadedWorker,
    subject: RequestSubject,
    now: Date,
  ): Promise<SigningRequest> {
    return this.requests.create(
      lw.worker.name,
      ctx.principal?.id ?? 'anonymous',
      subject,
      now,
      lw.worker.policy.approvalTtlSeconds,
    );
  }

  async #signRelease(
    ctx: CallContext,
    lw: LoadedWorker,
    input: ReleaseInput,
    action: string,
    details: Record<string, string> | undefined,
  ): Promise<SignedRelease> {
    this.lease.check();
    const release = parseRelease(input);
    checkStatic(lw, 'suit', this.clock(), release);
    const seq = reserve(lw, this.counters, release, release.sequence)!;
    const built = buildFirmwareManifest({
      sequenceNumber: seq,
      vendorId: parseUuid(release.vendorId),
      classId: parseUuid(release.classId),
      components: release.components,
      version: release.version,
      ...(release.description === undefined ? {} : { description: release.description }),
    });
    const envelope = await signEnvelope({
      manifest: built,
      signer: lw.signer,
      x5chain: lw.worker.chain,
    });
    const rec = await this.#record({
      audit: {
        time: this.clock(),
        ...actorOf(ctx),
        clientAddress: ctx.clientAddress,
        action,
        worker: lw.worker.name,
        keyLabel: lw.worker.keyLabel,
        ...(ctx.requestDigest === undefined ? {} : { requestDigest: ctx.requestDigest }),
        responseDigest: sha256Hex(envelope),
        decision: 'allowed',
        details: {
          sequence: seq.toString(),
          product: `${release.vendorId}:${release.classId}`,
          version: release.version,
          ...details,
        },
      },
      logEntry: envelope,
    });
    const index = rec.entry!.index;
    this.proofs.appended(index, rec.entry!.leafHash);
    const { proof, checkpoint } = await this.proofs.tlogProof(index, rec.checkpoint);
    return {
      worker: lw.worker.name,
      keyLabel: lw.worker.keyLabel,
      sequenceNumber: seq.toString(),
      envelope: Buffer.from(envelope).toString('base64'),
      tlogProof: proof,
      checkpoint,
      index,
      auditSeq: rec.audit.seq,
    };
  }

  /**
   * Sign a precomputed digest on a 'raw-digest' worker (or store it pending approvals when
   * the worker requires them); audited and logged like firmware.
   */
  async signDigest(
    ctx: CallContext,
    workerName: string,
    digestHex: string,
  ): Promise<SignDigestOutcome> {
    const lw = await this.#loaded(workerName);
    const now = this.clock();
    checkStatic(lw, 'raw-digest', now);
    checkDigest(digestHex);
    if (lw.worker.policy.approvals > 0) {
      return { status: 'pending', request: await this.#hold(ctx, lw, { digest: digestHex }, now) };
    }
    return { status: 'signed', result: await this.#signDigest(ctx, lw, digestHex, 'sign.digest') };
  }

  async #signDigest(
    ctx: CallContext,
    lw: LoadedWorker,
    digestHex: string,
    action: string,
    details?: Record<string, string>,
  ): Promise<SignedDigest> {
    this.lease.check();
    checkStatic(lw, 'raw-digest', this.clock());
    checkDigest(digestHex);
    reserve(lw, this.counters, undefined, undefined);
    const digest = new Uint8Array(Buffer.from(digestHex, 'hex'));
    const signature = await this.keys.signDigest(lw.worker.keyLabel, lw.worker.algorithm, digest);
    const entry = Buffer.from(
      JSON.stringify({
        type: 'cairn/raw-digest',
        worker: lw.worker.name,
        algorithm: lw.worker.algorithm,
        digest: digestHex,
        signature: Buffer.from(signature).toString('base64'),
      }),
    );
    const rec = await this.#record({
      audit: {
        time: this.clock(),
        ...actorOf(ctx),
        clientAddress: ctx.clientAddress,
        action,
        worker: lw.worker.name,
        keyLabel: lw.worker.keyLabel,
        requestDigest: ctx.requestDigest ?? digestHex,
        responseDigest: sha256Hex(signature),
        decision: 'allowed',
        ...(details === undefined ? {} : { details: { digest: digestHex, ...details } }),
      },
      logEntry: entry,
    });
    const index = rec.entry!.index;
    this.proofs.appended(index, rec.entry!.leafHash);
    const { proof, checkpoint } = await this.proofs.tlogProof(index, rec.checkpoint);
    return {
      worker: lw.worker.name,
      keyLabel: lw.worker.keyLabel,
      algorithm: lw.worker.algorithm,
      signature: Buffer.from(signature).toString('base64'),
      index,
      tlogProof: proof,
      checkpoint,
    };
  }

  async #withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(key) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(fn);
    this.#locks.set(key, next);
    try {
      return await next;
    } finally {
      if (this.#locks.get(key) === next) this.#locks.delete(key);
    }
  }

  /** A request, expiring it first when its time is up. */
  async getRequest(id: string): Promise<SigningRequest> {
    const r = await this.requests.get(id);
    if (r.status === 'pending' && this.clock() >= r.expiresAt) {
      await this.requests
        .update(id, 'pending', { status: 'expired', reason: 'approvals did not arrive in time' })
        .catch(() => undefined);
      return this.requests.get(id);
    }
    return r;
  }

  /**
   * Approve (or deny) a pending request. Approvers hold release-manager on the worker
   * and are not the requester; the Nth distinct approval signs (audited with the log
   * entry as action 'approve'). Returns the request as it is afterwards.
   */
  async decide(
    ctx: CallContext,
    id: string,
    decision: 'approve' | 'deny',
    comment?: string,
  ): Promise<{ request: SigningRequest; signed: SignedRelease | SignedDigest | undefined }> {
    return this.#withLock(id, async () => {
      const r = await this.getRequest(id);
      const p = ctx.principal;
      if (!p || !hasRole(p, 'release-manager', r.worker))
        throw new SignerError(
          'FORBIDDEN',
          `approving on worker '${r.worker}' needs the release-manager role`,
        );
      if (r.status === 'expired')
        throw new SignerError(
          'REQUEST_EXPIRED',
          `signing request '${id}' expired at ${r.expiresAt.toISOString()}`,
        );
      if (r.status !== 'pending')
        throw new SignerError(
          'REQUEST_NOT_PENDING',
          `signing request '${id}' is ${r.status}, not pending`,
        );
      if (p.id === r.requester)
        throw new SignerError(
          'APPROVAL_NOT_ALLOWED',
          'the requester cannot approve or deny their own signing request',
        );
      if (r.approvals.some((a) => a.principal === p.id))
        throw new SignerError(
          'APPROVAL_NOT_ALLOWED',
          `${p.id} already decided on request '${id}': approvals must come from distinct principals`,
        );
      const approval: Approval = {
        principal: p.id,
        decision,
        at: this.clock().toISOString(),
        ...(comment ? { comment } : {}),
      };
      const approvals = [...r.approvals, approval];
      if (decision === 'deny') {
        await this.requests.update(id, 'pending', {
          status: 'denied',
          approvals,
          reason: `denied by ${p.id}${comment ? `: ${comment}` : ''}`,
        });
        return { request: await this.requests.get(id), signed: undefined };
      }
      const lw = await this.#loaded(r.worker);
      if (approvals.length < lw.worker.policy.approvals) {
        await this.requests.update(id, 'pending', { approvals });
        return { request: await this.requests.get(id), signed: undefined };
      }
      let signed: SignedRelease | SignedDigest;
      const details = { requestId: id, requester: r.requester };
      try {
        signed =
          r.kind === 'digest'
            ? await this.#signDigest(ctx, lw, r.digest!, 'approve', details)
            : await this.#signRelease(ctx, lw, r.release!, 'approve', details);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        await this.requests.update(id, 'pending', { status: 'failed', approvals, reason });
        throw err;
      }
      await this.requests.update(id, 'pending', { status: 'signed', approvals, result: signed });
      return { request: await this.requests.get(id), signed };
    });
  }

  /** Requests visible to `p` (release-manager, auditor or admin on their worker). */
  listRequests(p: Principal, status?: SigningRequest['status']): Promise<SigningRequest[]> {
    return this.requests.list({
      ...(status ? { status } : {}),
      workers: workersWith(p, ['admin', 'release-manager', 'auditor']),
    });
  }
}
