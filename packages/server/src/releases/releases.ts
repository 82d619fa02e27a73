/** Releases: signed bundles verified on upload, plus plain artifacts attached to them. */
import { verifyBundle } from '@cairn/core';
import {
  fromDbBigint,
  fromDbTimestamp,
  fromDbUint64,
  toDbBytes,
  toDbTimestamp,
  toDbUint64,
} from '@cairn/db';
import type { Selectable, Database } from '@cairn/db';
import type { AuditSink } from '../db/audit-sink.js';
import type { ServerTables } from '../db/schema.js';
import { ReleaseError } from '../errors.js';
import type { ProductService } from '../products/products.js';
import { pipeToWriter } from '../storage/storage.js';
import type { ArtifactStorage, BlobWriter } from '../storage/storage.js';
import { checkEnvelope, uploadFailure } from './verify-upload.js';
import type { ReleaseManifest } from './manifest.js';

export interface Release {
  readonly id: number;
  readonly productId: string;
  readonly version: string;
  readonly sequenceNumber: bigint;
  readonly bundleSha256: string;
  readonly bundleSize: number;
  readonly createdAt: Date;
}

export interface ReleaseArtifact {
  readonly id: number;
  readonly releaseId: number;
  readonly filename: string;
  /** `bundle` for the signed .cairn, `file` for attached plain files (e.g. .swu). */
  readonly kind: 'bundle' | 'file';
  readonly sha256: string;
  readonly sha1: string;
  readonly md5: string;
  readonly size: number;
}

export interface UploadOptions {
  readonly actor: string;
  /** Shown to devices as the chunk version; default the sequence number. */
  readonly version?: string;
  /** Announced length (Content-Length), refused early when above the cap. */
  readonly declaredSize?: number;
  readonly signal?: AbortSignal;
}

export interface ReleaseServiceOptions {
  readonly db: Database;
  readonly storage: ArtifactStorage;
  readonly products: ProductService;
  readonly audit: AuditSink;
  readonly maxBundleBytes: number;
  readonly maxArtifactBytes: number;
  readonly clock?: () => Date;
}

/** Artifact file names as DDI paths carry them: no separators, no dot-dot. */
export const ARTIFACT_FILENAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$/;
const VERSION = /^[\w.+~-]{1,64}$/;

export class ReleaseService {
  readonly #o: ReleaseServiceOptions;
  readonly #clock: () => Date;

  constructor(options: ReleaseServiceOptions) {
    this.#o = options;
    this.#clock = options.clock ?? (() => new Date());
  }

  /** Stream a signed bundle in, verify it against the product and store it. */
  async upload(
    productId: string,
    source: AsyncIterable<Uint8Array>,
    opts: UploadOptions,
  ): Promise<Release> {
    const subject = `product:${productId}`;
    try {
      const release = await this.#upload(productId, source, opts);
      await this.#o.audit.record({
        actor: opts.actor,
        event: 'release.upload',
        subject,
        outcome: 'accepted',
        details: {
          releaseId: release.id,
          sequenceNumber: release.sequenceNumber.toString(),
          sha256: release.bundleSha256,
          size: release.bundleSize,
        },
      });
      return release;
    } catch (err) {
      const e = uploadFailure(err);
      const code = (e as { code?: unknown }).code;
      await this.#o.audit.record({
        actor: opts.actor,
        event: 'release.upload',
        subject,
        outcome: 'refused',
        ...(typeof code === 'string' ? { code } : {}),
        details: { message: e instanceof Error ? e.message : String(e) },
      });
      throw e;
    }
  }

  async #upload(
    productId: string,
    source: AsyncIterable<Uint8Array>,
    opts: UploadOptions,
  ): Promise<Release> {
    const product = await this.#o.products.get(productId);
    const max = this.#o.maxBundleBytes;
    if (opts.version !== undefined && !VERSION.test(opts.version)) {
      throw new ReleaseError('RELEASE_MALFORMED', 'version must be 1-64 of [A-Za-z0-9_.+~-]');
    }
    if (opts.declaredSize !== undefined && opts.declaredSize > max) {
      throw new ReleaseError(
        'RELEASE_TOO_LARGE',
        `the bundle is ${opts.declaredSize} bytes, above the server's ${max}-byte limit (maxBundleBytes)`,
      );
    }
    const anchors = await this.#o.products.trustAnchors(productId);
    const previousSequence = await this.#highestSequence(productId);
    const at = this.#clock();
    const writer = await this.#o.storage.begin({
      maxBytes: max,
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
    let manifest: ReleaseManifest | undefined;
    let envelope: Uint8Array;
    try {
      const verified = await verifyBundle(tee(source, writer), {
        verifyEnvelope: (env) => {
          manifest = checkEnvelope(env, { product, anchors, previousSequence, at });
          return manifest;
        },
        ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      });
      envelope = verified.envelope;
    } catch (err) {
      await writer.abort();
      throw err;
    }
    const staged = await writer.finish();
    if (manifest === undefined) throw new Error('unreachable: envelope was not checked');
    const hashes = await staged.commit();
    const seq = manifest.sequenceNumber;
    const now = this.#clock();
    const version = opts.version ?? seq.toString();
    const id = await this.#o.db.transaction<ServerTables, number>(async (trx) => {
      // Re-check under the transaction: a concurrent upload may have won.
      const top = await trx
        .selectFrom('releases')
        .select((eb) => eb.fn.max('sequence').as('top'))
        .where('product_id', '=', productId)
        .executeTakeFirst();
      if (top?.top != null && fromDbUint64(top.top) >= seq) {
        throw new ReleaseError(
          'RELEASE_SEQUENCE_NOT_NEWER',
          `sequence number ${seq} is not above ${fromDbUint64(top.top)}, the highest release of product "${productId}" (uploaded concurrently)`,
        );
      }
      const row = await trx
        .insertInto('releases')
        .values({
          product_id: productId,
          version,
          sequence: toDbUint64(seq),
          envelope: toDbBytes(envelope),
          bundle_sha256: hashes.sha256,
          bundle_size: hashes.size,
          created_at: toDbTimestamp(now),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const rid = Number(row.id);
      await trx
        .insertInto('release_artifacts')
        .values({
          release_id: rid,
          filename: `${productId}-${seq}.cairn`,
          kind: 'bundle',
          sha256: hashes.sha256,
          sha1: hashes.sha1,
          md5: hashes.md5,
          size: hashes.size,
          created_at: toDbTimestamp(now),
        })
        .execute();
      return rid;
    });
    return {
      id,
      productId,
      version,
      sequenceNumber: seq,
      bundleSha256: hashes.sha256,
      bundleSize: hashes.size,
      createdAt: now,
    };
  }

  /** Attach a plain file (e.g. an SWUpdate .swu) to a release, stored with its hashes. */
  async attach(
    releaseId: number,
    filename: string,
    source: AsyncIterable<Uint8Array>,
    opts: { readonly actor: string; readonly signal?: AbortSignal },
  ): Promise<ReleaseArtifact> {
    const release = await this.get(releaseId);
    if (!ARTIFACT_FILENAME.test(filename)) {
      throw new ReleaseError(
        'RELEASE_MALFORMED',
        `artifact file name "${filename.slice(0, 80)}" must be 1-200 of [A-Za-z0-9._+-], starting with a letter or digit`,
      );
    }
    const existing = await this.artifacts(releaseId);
    if (existing.some((a) => a.filename === filename)) {
      throw new ReleaseError(
        'RELEASE_ARTIFACT_EXISTS',
        `release ${releaseId} already has an artifact "${filename}"; artifacts are immutable, use another name`,
      );
    }
    const writer = await this.#o.storage.begin({
      maxBytes: this.#o.maxArtifactBytes,
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
    const hashes = await (await pipeToWriter(source, writer)).commit();
    const row = await this.#o.db
      .typed<ServerTables>()
      .insertInto('release_artifacts')
      .values({
        release_id: releaseId,
        filename,
        kind: 'file',
        sha256: hashes.sha256,
        sha1: hashes.sha1,
        md5: hashes.md5,
        size: hashes.size,
        created_at: toDbTimestamp(this.#clock()),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await this.#o.audit.record({
      actor: opts.actor,
      event: 'release.attach',
      subject: `release:${release.id}`,
      outcome: 'accepted',
      details: { filename, sha256: hashes.sha256, size: hashes.size },
    });
    return {
      id: Number(row.id),
      releaseId,
      filename,
      kind: 'file',
      sha256: hashes.sha256,
      sha1: hashes.sha1,
      md5: hashes.md5,
      size: hashes.size,
    };
  }

  async get(id: number): Promise<Release> {
    const row = await this.#o.db
      .typed<ServerTables>()
      .selectFrom('releases')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (row === undefined) throw new ReleaseError('RELEASE_NOT_FOUND', `no release ${id}`);
    return toRelease(row);
  }

  async list(productId?: string): Promise<Release[]> {
    let q = this.#o.db.typed<ServerTables>().selectFrom('releases').selectAll();
    if (productId !== undefined) q = q.where('product_id', '=', productId);
    return (await q.orderBy('id').execute()).map(toRelease);
  }

  async artifacts(releaseId: number): Promise<ReleaseArtifact[]> {
    const rows = await this.#o.db
      .typed<ServerTables>()
      .selectFrom('release_artifacts')
      .selectAll()
      .where('release_id', '=', releaseId)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      releaseId: Number(r.release_id),
      filename: r.filename,
      kind: r.kind === 'bundle' ? 'bundle' : 'file',
      sha256: r.sha256,
      sha1: r.sha1,
      md5: r.md5,
      size: Number(r.size),
    }));
  }

  async #highestSequence(productId: string): Promise<bigint | undefined> {
    const top = await this.#o.db
      .typed<ServerTables>()
      .selectFrom('releases')
      .select((eb) => eb.fn.max('sequence').as('top'))
      .where('product_id', '=', productId)
      .executeTakeFirst();
    return top?.top == null ? undefined : fromDbUint64(top.top);
  }
}

/** Pass chunks through to the verifier while writing each one to the store. */
async function* tee(
  source: AsyncIterable<Uint8Array>,
  writer: BlobWriter,
): AsyncGenerator<Uint8Array, void, undefined> {
  for await (const chunk of source) {
    await writer.write(chunk);
    yield chunk;
  }
}

function toRelease(r: Selectable<ServerTables['releases']>): Release {
  return {
    id: Number(r.id),
    productId: r.product_id,
    version: r.version,
    sequenceNumber: fromDbUint64(r.sequence),
    bundleSha256: r.bundle_sha256,
    bundleSize: Number(fromDbBigint(r.bundle_size)),
    createdAt: fromDbTimestamp(r.created_at),
  };
}
