/** Products: what a release is built for (SUIT vendor/class IDs) and whose keys sign it. */
import { anchorFromPem, anchorFromPin, isCairnError, ValidationError } from '@cairn/core';
import type { FieldIssue, TrustAnchor } from '@cairn/core';
import { fromDbJson, fromDbTimestamp, toDbJson, toDbTimestamp } from '@cairn/db';
import type { Database } from '@cairn/db';
import type { ServerTables } from '../db/schema.js';
import { ProductError } from '../errors.js';

/** A trust anchor as configured: an SPKI SHA-256 pin, or a PEM public key / CA certificate. */
export type ProductAnchorInput =
  | { readonly kind: 'pin'; readonly value: string; readonly label?: string }
  | { readonly kind: 'pem'; readonly value: string; readonly label?: string };

export interface ProductInput {
  /** Short stable id: [a-z0-9][a-z0-9._-]{0,63} */
  readonly id: string;
  readonly name: string;
  /** SUIT vendor-id (UUID text). */
  readonly vendorId: string;
  /** SUIT class-id (UUID text). */
  readonly classId: string;
  readonly anchors: readonly ProductAnchorInput[];
}

export interface Product extends ProductInput {
  readonly createdAt: Date;
}

export const PRODUCT_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_ANCHORS = 16;
const MAX_PEM = 16 * 1024;

export function toTrustAnchors(anchors: readonly ProductAnchorInput[]): TrustAnchor[] {
  return anchors.map((a) => {
    const opts = a.label === undefined ? {} : { label: a.label };
    return a.kind === 'pin' ? anchorFromPin(a.value, opts) : anchorFromPem(a.value, opts);
  });
}

/** Check a product at the boundary, reporting every bad field. */
export function assertProductInput(input: unknown): asserts input is ProductInput {
  const issues: FieldIssue[] = [];
  const p = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  if (typeof p['id'] !== 'string' || !PRODUCT_ID.test(p['id'])) {
    issues.push({ path: 'id', problem: 'must match [a-z0-9][a-z0-9._-]* (at most 64 chars)' });
  }
  if (typeof p['name'] !== 'string' || p['name'] === '' || p['name'].length > 200) {
    issues.push({ path: 'name', problem: 'must be 1-200 characters' });
  }
  for (const f of ['vendorId', 'classId'] as const) {
    const v = p[f];
    if (typeof v !== 'string' || !UUID.test(v)) {
      issues.push({ path: f, problem: 'must be a lower-case UUID (8-4-4-4-12 hex)' });
    }
  }
  const anchors = p['anchors'];
  if (!Array.isArray(anchors) || anchors.length === 0 || anchors.length > MAX_ANCHORS) {
    issues.push({ path: 'anchors', problem: `must list 1-${MAX_ANCHORS} trust anchors` });
  } else {
    anchors.forEach((a: unknown, i) => {
      const o = (typeof a === 'object' && a !== null ? a : {}) as Record<string, unknown>;
      if (o['kind'] !== 'pin' && o['kind'] !== 'pem') {
        issues.push({ path: `anchors[${i}].kind`, problem: 'must be "pin" or "pem"' });
      }
      const v = o['value'];
      if (typeof v !== 'string' || v === '' || v.length > MAX_PEM) {
        issues.push({ path: `anchors[${i}].value`, problem: `must be 1-${MAX_PEM} characters` });
      }
      if (o['label'] !== undefined && typeof o['label'] !== 'string') {
        issues.push({ path: `anchors[${i}].label`, problem: 'must be text' });
      }
    });
  }
  if (issues.length > 0) throw new ValidationError('product', issues);
}

export class ProductService {
  readonly #db: Database;
  readonly #clock: () => Date;
  readonly #anchors = new Map<string, readonly TrustAnchor[]>();

  constructor(db: Database, clock: () => Date = () => new Date()) {
    this.#db = db;
    this.#clock = clock;
  }

  async create(input: unknown): Promise<Product> {
    assertProductInput(input);
    try {
      toTrustAnchors(input.anchors);
    } catch (err) {
      if (!isCairnError(err)) throw err;
      throw new ProductError(
        'PRODUCT_ANCHOR_INVALID',
        `a trust anchor of product "${input.id}" is unusable: ${err.message}`,
        { cause: err },
      );
    }
    const now = this.#clock();
    const anchors = input.anchors.map((a) => ({
      kind: a.kind,
      value: a.value,
      ...(a.label === undefined ? {} : { label: a.label }),
    }));
    const k = this.#db.typed<ServerTables>();
    const existing = await k
      .selectFrom('products')
      .select('id')
      .where('id', '=', input.id)
      .executeTakeFirst();
    if (existing !== undefined) {
      throw new ProductError('PRODUCT_EXISTS', `product "${input.id}" already exists`);
    }
    await k
      .insertInto('products')
      .values({
        id: input.id,
        name: input.name,
        vendor_id: input.vendorId,
        class_id: input.classId,
        anchors: toDbJson(anchors),
        created_at: toDbTimestamp(now),
      })
      .execute();
    return { ...input, anchors, createdAt: now };
  }

  async get(id: string): Promise<Product> {
    const row = await this.#db
      .typed<ServerTables>()
      .selectFrom('products')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (row === undefined) {
      throw new ProductError(
        'PRODUCT_NOT_FOUND',
        `no product "${id}"; create it first (POST /api/v1/products)`,
      );
    }
    return toProduct(row);
  }

  async list(): Promise<Product[]> {
    const rows = await this.#db
      .typed<ServerTables>()
      .selectFrom('products')
      .selectAll()
      .orderBy('id')
      .execute();
    return rows.map(toProduct);
  }

  /** The product's trust anchors, parsed once and cached. */
  async trustAnchors(id: string): Promise<readonly TrustAnchor[]> {
    const cached = this.#anchors.get(id);
    if (cached !== undefined) return cached;
    const anchors = toTrustAnchors((await this.get(id)).anchors);
    this.#anchors.set(id, anchors);
    return anchors;
  }
}

function toProduct(r: ServerTables['products']): Product {
  return {
    id: r.id,
    name: r.name,
    vendorId: r.vendor_id,
    classId: r.class_id,
    anchors: fromDbJson(r.anchors) as ProductAnchorInput[],
    createdAt: fromDbTimestamp(r.created_at),
  };
}
