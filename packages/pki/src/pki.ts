import 'reflect-metadata';
import type { KeyType } from '@cairn/core';
import { X509Certificate } from '@peculiar/x509';
import { fromDbTimestamp, toDbBytes, toDbTimestamp, type Database } from '@cairn/db';
import type { Kysely, Transaction } from 'kysely';
import { createCaCertificate, issueLeafCertificate, type IssuerRef } from './ca/authority.js';
import { parseCsr } from './ca/csr.js';
import { buildCrl } from './crl/build.js';
import type { RevocationReason } from './crl/reasons.js';
import { PkiError } from './errors.js';
import type { ProfileName, SanInput } from './profiles/profile.js';
import { PROFILES } from './profiles/profiles.js';
import { caFromRow, certFromRow, crlFromRow } from './store/records.js';
import type { CaInfo, CertificateRecord, CrlInfo, StoredProfile } from './store/records.js';
import { PKI_MIGRATIONS, type PkiTables } from './store/schema.js';
import type { SubjectInput } from './x509/names.js';
import { normalizeSerial, randomSerial } from './x509/serial.js';
import type { PkiKeyStore } from './x509/signing.js';

/** Key store plus optional `generate`, so CA keys can be created on first use. */
export interface PkiKeys extends PkiKeyStore {
  generate?(label: string, type: KeyType): Promise<unknown>;
}

export interface PkiOptions {
  readonly keys: PkiKeys;
  readonly db: Database;
  /** Reference time source (tests pin it). Default: the system clock. */
  readonly clock?: () => Date;
  /** Per-profile maximum validity in days, overriding the profile's built-in maximum. */
  readonly maxDays?: Partial<Record<ProfileName, number>>;
}

export interface CaSpec {
  /** Stable id (letters, digits, '-', '_'), e.g. 'root', 'issuing-1'. */
  readonly id: string;
  readonly subject: SubjectInput;
  readonly keyLabel: string;
  /** Generate the key with this type when the label is missing. Default ecdsa-p384. */
  readonly keyType?: KeyType;
  readonly days?: number;
}

export interface IssueInput {
  readonly profile: ProfileName;
  readonly subject: SubjectInput;
  readonly san?: SanInput;
  readonly validityDays?: number;
  /** Issuing CA id; default: the newest issuing CA. */
  readonly ca?: string;
}

export type IssueWithKey = IssueInput &
  ({ readonly keyLabel: string } | { readonly publicKey: Uint8Array });

const CA_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The certificate authority: CA hierarchy, issuance by profile, revocation, CRLs. */
export class Pki {
  readonly #keys: PkiKeys;
  readonly #db: Kysely<PkiTables>;
  readonly #database: Database;
  readonly #clock: () => Date;
  readonly #maxDays: Partial<Record<ProfileName, number>>;

  private constructor(opts: PkiOptions) {
    this.#keys = opts.keys;
    this.#db = opts.db.typed<PkiTables>();
    this.#database = opts.db;
    this.#clock = opts.clock ?? (() => new Date());
    this.#maxDays = opts.maxDays ?? {};
  }

  /** Open the PKI on a database, applying the 'pki' migrations. */
  static async open(opts: PkiOptions): Promise<Pki> {
    await opts.db.migrate('pki', PKI_MIGRATIONS);
    return new Pki(opts);
  }

  /** A self-signed root CA (pathLen 1). Default validity 20 years. */
  async createRootCa(spec: CaSpec): Promise<CaInfo> {
    return this.#createCa(spec, undefined, 1, spec.days ?? 20 * 365);
  }

  /** An issuing CA (pathLen 0) under the root `parent` (default 'root'). Default 10 years. */
  async createIssuingCa(spec: CaSpec & { readonly parent?: string }): Promise<CaInfo> {
    const parent = await this.getCa(spec.parent ?? 'root');
    if (parent.kind !== 'root') {
      throw new PkiError(
        'PROFILE_VIOLATION',
        `CA '${parent.id}' is an issuing CA (pathLen 0): issuing CAs go under a root`,
      );
    }
    return this.#createCa(spec, parent, 0, spec.days ?? 10 * 365);
  }

  async #createCa(
    spec: CaSpec,
    parent: CaInfo | undefined,
    pathLength: number,
    days: number,
  ): Promise<CaInfo> {
    if (!CA_ID.test(spec.id)) {
      throw new PkiError('PROFILE_VIOLATION', `CA id '${spec.id}' must be 1-64 of A-Z a-z 0-9 - _`);
    }
    const existing = await this.#db
      .selectFrom('pki_cas')
      .select('id')
      .where('id', '=', spec.id)
      .executeTakeFirst();
    if (existing)
      throw new PkiError('CA_EXISTS', `a CA with id '${spec.id}' already exists: pick another id`);
    await this.#ensureKey(spec.keyLabel, spec.keyType ?? 'ecdsa-p384');
    const issuer = parent ? await this.#issuerRef(parent) : undefined;
    const serial = randomSerial();
    const cert = await createCaCertificate({
      store: this.#keys,
      keyLabel: spec.keyLabel,
      subject: spec.subject,
      days,
      now: this.#clock(),
      serial,
      pathLength,
      ...(issuer ? { issuer } : {}),
    });
    const info = await this.#keys.get(spec.keyLabel);
    const der = new Uint8Array(cert.rawData);
    const now = toDbTimestamp(this.#clock());
    await this.#database.transaction(async (trx: Transaction<PkiTables>) => {
      await trx
        .insertInto('pki_cas')
        .values({
          id: spec.id,
          kind: parent ? 'issuing' : 'root',
          parent_id: parent?.id ?? null,
          key_label: spec.keyLabel,
          key_type: info.type,
          subject: cert.subject,
          serial,
          not_before: toDbTimestamp(cert.notBefore),
          not_after: toDbTimestamp(cert.notAfter),
          der: toDbBytes(der),
          created_at: now,
        })
        .execute();
      await trx
        .insertInto('pki_certificates')
        .values(
          certRow(
            cert,
            der,
            parent?.id ?? spec.id,
            parent ? 'issuing-ca' : 'root-ca',
            spec.keyLabel,
            now,
          ),
        )
        .execute();
    });
    return this.getCa(spec.id);
  }

  async getCa(id: string): Promise<CaInfo> {
    const row = await this.#db
      .selectFrom('pki_cas')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row)
      throw new PkiError('CA_NOT_FOUND', `no CA with id '${id}': run 'cairn pki init' or list CAs`);
    return caFromRow(row);
  }

  async listCas(): Promise<CaInfo[]> {
    const rows = await this.#db
      .selectFrom('pki_cas')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(caFromRow);
  }

  /** Issue an end-entity certificate for a key-store key or a given public key. */
  async issue(input: IssueWithKey): Promise<CertificateRecord> {
    const profile = PROFILES[input.profile] as (typeof PROFILES)[ProfileName] | undefined;
    if (!profile) {
      throw new PkiError(
        'PROFILE_UNKNOWN',
        `unknown profile '${input.profile}': use code-signing, device, tls-server or log`,
      );
    }
    const ca = await this.#issuingCa(input.ca);
    const issuer = await this.#issuerRef(ca);
    const keyLabel = 'keyLabel' in input ? input.keyLabel : null;
    const publicKey =
      'publicKey' in input ? input.publicKey : (await this.#keys.get(input.keyLabel)).publicKey;
    const serial = randomSerial();
    const maxDays = this.#maxDays[input.profile];
    const cert = await issueLeafCertificate({
      store: this.#keys,
      issuer,
      profile,
      publicKey,
      request: {
        subject: input.subject,
        ...(input.san ? { san: input.san } : {}),
        ...(input.validityDays !== undefined ? { validityDays: input.validityDays } : {}),
      },
      now: this.#clock(),
      serial,
      ...(maxDays !== undefined ? { maxDays } : {}),
    });
    const der = new Uint8Array(cert.rawData);
    await this.#db
      .insertInto('pki_certificates')
      .values(certRow(cert, der, ca.id, input.profile, keyLabel, toDbTimestamp(this.#clock())))
      .execute();
    return this.getCertificate(serial);
  }

  /**
   * Issue for a PKCS#10 request whose key is held elsewhere. The CSR's signature is
   * checked; its subject fills fields the input leaves out; its requested extensions
   * (e.g. basicConstraints CA=true) are ignored: the profile decides every extension.
   */
  async issueFromCsr(
    input: Omit<IssueInput, 'subject'> & {
      readonly csr: string | Uint8Array;
      readonly subject?: SubjectInput;
    },
  ): Promise<CertificateRecord & { readonly ignoredExtensions: readonly string[] }> {
    const csr = await parseCsr(input.csr);
    const subject = input.subject ?? csr.subject;
    if (subject.commonName === undefined) {
      throw new PkiError(
        'CSR_INVALID',
        'the CSR subject has no CN and no subject was given: pass a subject',
      );
    }
    const { csr: _csr, ...rest } = input;
    const record = await this.issue({
      ...rest,
      subject: { ...subject, commonName: subject.commonName },
      publicKey: csr.publicKey,
    });
    return { ...record, ignoredExtensions: csr.requestedExtensions };
  }

  async getCertificate(serial: string): Promise<CertificateRecord> {
    const s = normalizeSerial(serial);
    const row =
      s === undefined
        ? undefined
        : await this.#db
            .selectFrom('pki_certificates')
            .selectAll()
            .where('serial', '=', s)
            .executeTakeFirst();
    if (!row)
      throw new PkiError(
        'CERT_NOT_FOUND',
        `no certificate with serial '${serial}' was issued here`,
      );
    return certFromRow(row);
  }

  async listCertificates(
    filter: { readonly ca?: string; readonly profile?: StoredProfile } = {},
  ): Promise<CertificateRecord[]> {
    let q = this.#db.selectFrom('pki_certificates').selectAll();
    if (filter.ca !== undefined) q = q.where('ca_id', '=', filter.ca);
    if (filter.profile !== undefined) q = q.where('profile', '=', filter.profile);
    return (await q.orderBy('created_at').orderBy('serial').execute()).map(certFromRow);
  }

  /** Revoke a certificate (permanent). ALREADY_REVOKED when it was revoked before. */
  async revoke(serial: string, reason: RevocationReason): Promise<CertificateRecord> {
    const cert = await this.getCertificate(serial);
    if (cert.revokedAt) {
      throw new PkiError(
        'ALREADY_REVOKED',
        `certificate ${cert.serial} was already revoked at ${cert.revokedAt.toISOString()} (${cert.reason ?? 'unspecified'})`,
      );
    }
    const res = await this.#db
      .updateTable('pki_certificates')
      .set({ revoked_at: toDbTimestamp(this.#clock()), reason })
      .where('serial', '=', cert.serial)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (res.numUpdatedRows === 0n) {
      throw new PkiError('ALREADY_REVOKED', `certificate ${cert.serial} was revoked concurrently`);
    }
    return this.getCertificate(cert.serial);
  }

  /** A full CRL of everything `ca` (default: newest issuing CA) revoked, with the next crlNumber. */
  async generateCrl(
    opts: { readonly ca?: string; readonly validityHours?: number } = {},
  ): Promise<CrlInfo> {
    const ca = opts.ca !== undefined ? await this.getCa(opts.ca) : await this.#issuingCa(undefined);
    const hours = opts.validityHours ?? 7 * 24;
    if (!Number.isInteger(hours) || hours < 1 || hours > 366 * 24) {
      throw new PkiError(
        'PROFILE_VIOLATION',
        `CRL validity must be 1..${366 * 24} hours, got ${hours}`,
      );
    }
    const issuer = await this.#issuerRef(ca, true);
    const revoked = await this.#db
      .selectFrom('pki_certificates')
      .select(['serial', 'revoked_at', 'reason'])
      .where('ca_id', '=', ca.id)
      .where('revoked_at', 'is not', null)
      .where('serial', '!=', ca.serial)
      .orderBy('serial')
      .execute();
    const last = await this.#db
      .selectFrom('pki_crls')
      .select((eb) => eb.fn.max<number | string | null>('number').as('n'))
      .where('ca_id', '=', ca.id)
      .executeTakeFirst();
    const number = Number(last?.n ?? 0) + 1;
    const thisUpdate = this.#clock();
    const nextUpdate = new Date(thisUpdate.getTime() + hours * 3_600_000);
    const crl = await buildCrl({
      store: this.#keys,
      issuer,
      number: BigInt(number),
      thisUpdate,
      nextUpdate,
      entries: revoked.map((r) => ({
        serial: r.serial,
        revokedAt: fromDbTimestamp(r.revoked_at!),
        reason: (r.reason ?? 'unspecified') as RevocationReason,
      })),
    });
    await this.#db
      .insertInto('pki_crls')
      .values({
        ca_id: ca.id,
        number,
        this_update: toDbTimestamp(crl.thisUpdate),
        next_update: toDbTimestamp(nextUpdate),
        der: toDbBytes(new Uint8Array(crl.rawData)),
      })
      .execute();
    return this.latestCrl(ca.id);
  }

  async latestCrl(caId: string): Promise<CrlInfo> {
    const row = await this.#db
      .selectFrom('pki_crls')
      .selectAll()
      .where('ca_id', '=', caId)
      .orderBy('number', 'desc')
      .executeTakeFirst();
    if (!row)
      throw new PkiError(
        'CERT_NOT_FOUND',
        `CA '${caId}' has not published a CRL yet: generate one first`,
      );
    return crlFromRow(row);
  }

  /** The newest issuing CA, or the one named. */
  async #issuingCa(id: string | undefined): Promise<CaInfo> {
    if (id !== undefined) {
      const ca = await this.getCa(id);
      if (ca.kind !== 'issuing')
        throw new PkiError(
          'PROFILE_VIOLATION',
          `CA '${id}' is a root: end-entity certificates come from an issuing CA`,
        );
      return ca;
    }
    const row = await this.#db
      .selectFrom('pki_cas')
      .selectAll()
      .where('kind', '=', 'issuing')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (!row)
      throw new PkiError(
        'PKI_NOT_INITIALIZED',
        "no issuing CA exists: run 'cairn pki init' (or initPki) first",
      );
    return caFromRow(row);
  }

  async #issuerRef(ca: CaInfo, allowRevoked = false): Promise<IssuerRef> {
    if (!allowRevoked) {
      const own = await this.getCertificate(ca.serial);
      if (own.revokedAt)
        throw new PkiError(
          'CA_REVOKED',
          `CA '${ca.id}' was revoked (${own.reason ?? 'unspecified'}): create a new issuing CA`,
        );
    }
    return {
      name: ca.id,
      certificate: new X509Certificate(ca.der),
      keyLabel: ca.keyLabel,
      keyType: ca.keyType as KeyType,
    };
  }

  async #ensureKey(label: string, type: KeyType): Promise<void> {
    try {
      await this.#keys.get(label);
    } catch (err) {
      if (!this.#keys.generate || !isKeyNotFound(err)) throw err;
      await this.#keys.generate(label, type);
    }
  }
}

function isKeyNotFound(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'KEY_NOT_FOUND'
  );
}

function certRow(
  cert: X509Certificate,
  der: Uint8Array,
  caId: string,
  profile: StoredProfile,
  keyLabel: string | null,
  now: string,
): PkiTables['pki_certificates'] {
  return {
    serial: cert.serialNumber.toLowerCase(),
    ca_id: caId,
    profile,
    subject: cert.subject,
    key_label: keyLabel,
    not_before: toDbTimestamp(cert.notBefore),
    not_after: toDbTimestamp(cert.notAfter),
    der: toDbBytes(der),
    revoked_at: null,
    reason: null,
    created_at: now,
  };
}

export interface InitPkiOptions extends PkiOptions {
  readonly root: CaSpec;
  readonly issuing: CaSpec;
}

/**
 * Create a new hierarchy in one step: a root CA (its key may later be kept offline) and
 * one issuing CA under it. CA_EXISTS when either id is taken.
 */
export async function initPki(
  opts: InitPkiOptions,
): Promise<{ readonly pki: Pki; readonly root: CaInfo; readonly issuing: CaInfo }> {
  const pki = await Pki.open(opts);
  const root = await pki.createRootCa(opts.root);
  const issuing = await pki.createIssuingCa({ ...opts.issuing, parent: root.id });
  return { pki, root, issuing };
}
