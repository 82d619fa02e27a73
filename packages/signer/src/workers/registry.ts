import { parseCertificate } from '@cairn/core';
import type { SignatureAlgorithm, Signer } from '@cairn/core';
import { fromDbJson, toDbJson, toDbTimestamp } from '@cairn/db';
import type { Kysely } from '@cairn/db';
import { algorithmFor, defaultAlgorithm } from '@cairn/keys';
import type { KeyStore } from '@cairn/keys';
import type { Pki } from '@cairn/pki';
import { SignerError } from '../errors.js';
import type { SignerTables } from '../store/schema.js';
import { assertWorkerInput, DEFAULT_POLICY, workerFromJson, workerToJson } from './worker.js';
import type { SignFormat, Worker, WorkerInput } from './worker.js';

/** What the hot path needs of a worker, resolved once and cached. */
export interface LoadedWorker {
  readonly worker: Worker;
  readonly signer: Signer;
  readonly certNotBefore: Date;
  readonly certNotAfter: Date;
}

function certDer(text: string): Uint8Array {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(text);
  return new Uint8Array(Buffer.from(m ? m[1]!.replace(/\s+/g, '') : text, 'base64'));
}

/** Workers: stored in the database, cached in memory with their bound key signer. */
export class WorkerRegistry {
  readonly #db: Kysely<SignerTables>;
  readonly #keys: KeyStore;
  readonly #pki: Pki | undefined;
  readonly #clock: () => Date;
  readonly #cache = new Map<string, Promise<LoadedWorker>>();
  #creating: Promise<unknown> = Promise.resolve();

  constructor(db: Kysely<SignerTables>, keys: KeyStore, pki: Pki | undefined, clock: () => Date) {
    this.#db = db;
    this.#keys = keys;
    this.#pki = pki;
    this.#clock = clock;
  }

  /**
   * Create a worker. Creations run one at a time, so the key/format check below and the
   * insert cannot interleave with another creation (one signer process per database).
   */
  create(input: WorkerInput): Promise<Worker> {
    const run = this.#creating.then(() => this.#create(input));
    this.#creating = run.catch(() => undefined);
    return run;
  }

  /**
   * A key that signs raw digests can sign the SUIT digest of any manifest, so a key label
   * never serves both formats: KEY_FORMAT_CONFLICT when `worker` (itself, or together
   * with another worker on its key) would have the key sign 'suit' and 'raw-digest'.
   */
  async #assertKeyFormats(worker: Pick<Worker, 'name' | 'keyLabel' | 'formats'>): Promise<void> {
    const conflict = (a: readonly SignFormat[], b: readonly SignFormat[]): boolean =>
      (a.includes('suit') && b.includes('raw-digest')) ||
      (a.includes('raw-digest') && b.includes('suit'));
    if (conflict(worker.formats, worker.formats))
      throw new SignerError(
        'KEY_FORMAT_CONFLICT',
        `worker '${worker.name}' lists both 'suit' and 'raw-digest': a key that signs raw digests could sign any manifest's SUIT digest, so use two workers with separate keys`,
      );
    const rows = await this.#db.selectFrom('signer_workers').select(['name', 'config']).execute();
    for (const r of rows) {
      if (r.name === worker.name) continue;
      const other = workerFromJson(fromDbJson(r.config));
      if (other.keyLabel === worker.keyLabel && conflict(worker.formats, other.formats))
        throw new SignerError(
          'KEY_FORMAT_CONFLICT',
          `key '${worker.keyLabel}' already serves worker '${other.name}' with format ${other.formats.join(', ')}; worker '${worker.name}' (${worker.formats.join(', ')}) needs a key of its own: a key that signs raw digests could sign any manifest's SUIT digest`,
        );
    }
  }

  async #create(input: WorkerInput): Promise<Worker> {
    assertWorkerInput(input);
    await this.#assertKeyFormats(input);
    const key = await this.#keys.get(input.keyLabel).catch((err: unknown) => {
      throw new SignerError(
        'WORKER_INVALID',
        `key '${input.keyLabel}' is not in the key store: generate it first ('cairn keys generate')`,
        { cause: err },
      );
    });
    const algorithm: SignatureAlgorithm = input.algorithm ?? defaultAlgorithm(key.type);
    try {
      algorithmFor(input.keyLabel, key.type, algorithm);
    } catch (err) {
      throw new SignerError(
        'WORKER_INVALID',
        `algorithm ${algorithm} does not fit key '${input.keyLabel}' (${key.type})`,
        { cause: err },
      );
    }
    let chain: Uint8Array[];
    if (input.chain !== undefined) {
      chain = input.chain.map(certDer);
    } else {
      if (!this.#pki)
        throw new SignerError(
          'WORKER_INVALID',
          'no certificate chain given and no PKI configured: pass chain (PEM, leaf first)',
        );
      const leaf = await this.#pki.issue({
        profile: 'code-signing',
        subject: { commonName: `cairn worker ${input.name}` },
        keyLabel: input.keyLabel,
      });
      const issuing = await this.#pki.getCa(leaf.caId);
      chain = [leaf.der, issuing.der];
    }
    chain.forEach((c, i) => {
      try {
        parseCertificate(c, `chain[${i}]`);
      } catch (err) {
        throw new SignerError('WORKER_INVALID', `chain[${i}] is not a DER/PEM certificate`, {
          cause: err,
        });
      }
    });
    const leafSpki = parseCertificate(chain[0]!).spki;
    if (!Buffer.from(leafSpki).equals(Buffer.from(key.publicKey)))
      throw new SignerError(
        'WORKER_INVALID',
        `chain[0] does not certify key '${input.keyLabel}': its public key differs`,
      );
    const policy = { ...DEFAULT_POLICY, ...input.policy };
    if (!policy.allowedAlgorithms.includes(algorithm))
      throw new SignerError(
        'WORKER_INVALID',
        `policy.allowedAlgorithms does not include the worker's algorithm ${algorithm}`,
      );
    const worker: Worker = {
      name: input.name,
      keyLabel: input.keyLabel,
      algorithm,
      chain,
      products: input.products,
      formats: input.formats,
      policy,
    };
    const now = toDbTimestamp(this.#clock());
    const exists = await this.#db
      .selectFrom('signer_workers')
      .select('name')
      .where('name', '=', input.name)
      .executeTakeFirst();
    if (exists)
      throw new SignerError('WORKER_EXISTS', `a worker named '${input.name}' already exists`);
    await this.#db
      .insertInto('signer_workers')
      .values({
        name: worker.name,
        config: toDbJson(workerToJson(worker)),
        created_at: now,
        updated_at: now,
      })
      .execute();
    return worker;
  }

  async list(): Promise<Worker[]> {
    const rows = await this.#db.selectFrom('signer_workers').selectAll().orderBy('name').execute();
    return rows.map((r) => workerFromJson(fromDbJson(r.config)));
  }

  /** The cached worker with its key signer; WORKER_NOT_FOUND when unknown. */
  load(name: string): Promise<LoadedWorker> {
    let p = this.#cache.get(name);
    if (!p) {
      p = this.#load(name);
      this.#cache.set(name, p);
      p.catch(() => this.#cache.delete(name));
    }
    return p;
  }

  async #load(name: string): Promise<LoadedWorker> {
    const row = await this.#db
      .selectFrom('signer_workers')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    if (!row)
      throw new SignerError(
        'WORKER_NOT_FOUND',
        `no worker named '${name}': list them with 'cairn worker list'`,
      );
    const worker = workerFromJson(fromDbJson(row.config));
    // workers stored before the key/format rule are refused until their keys are split
    await this.#assertKeyFormats(worker);
    const signer = await this.#keys.signer(worker.keyLabel, worker.algorithm);
    const leaf = parseCertificate(worker.chain[0]!);
    return { worker, signer, certNotBefore: leaf.notBefore, certNotAfter: leaf.notAfter };
  }
}
