import { SIGNATURE_ALGORITHMS, ValidationError } from '@cairn/core';
import type { FieldIssue, SignatureAlgorithm } from '@cairn/core';

export type SignFormat = 'suit' | 'raw-digest';
export const SIGN_FORMATS: readonly SignFormat[] = ['suit', 'raw-digest'];

/** A product a worker may sign for: vendor and class UUIDs (lower-case, dashed). */
export interface Product {
  readonly vendorId: string;
  readonly classId: string;
}

export interface WorkerPolicy {
  /** Algorithms this worker may sign with (its key's algorithm must be listed). */
  readonly allowedAlgorithms: readonly SignatureAlgorithm[];
  /** Most signatures the worker's key may make (counted at reservation); none: no limit. */
  readonly keyUsageLimit?: number;
  /** Key validity window (ISO-8601); the certificate's own validity also applies. */
  readonly keyNotBefore?: string;
  readonly keyNotAfter?: string;
  /** Signatures need this many approvals from distinct release-managers (0: none). */
  readonly approvals: number;
  /** Seconds a pending request waits for approvals before it expires. */
  readonly approvalTtlSeconds: number;
}

/** A named signing profile. */
export interface Worker {
  readonly name: string;
  readonly keyLabel: string;
  readonly algorithm: SignatureAlgorithm;
  /** DER certificates, leaf first (the COSE x5chain). */
  readonly chain: readonly Uint8Array[];
  readonly products: readonly Product[];
  readonly formats: readonly SignFormat[];
  readonly policy: WorkerPolicy;
}

/** What a client sends to create a worker (the chain may be issued by Cairn's PKI). */
export interface WorkerInput {
  readonly name: string;
  readonly keyLabel: string;
  readonly algorithm?: SignatureAlgorithm;
  /** PEM or base64 DER certificates, leaf first; omitted: a code-signing cert is issued. */
  readonly chain?: readonly string[];
  readonly products: readonly Product[];
  readonly formats: readonly SignFormat[];
  readonly policy?: Partial<WorkerPolicy>;
}

export const WORKER_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_PRODUCTS = 256;
const MAX_APPROVALS = 16;

export const DEFAULT_POLICY: WorkerPolicy = Object.freeze({
  allowedAlgorithms: Object.freeze(['ES256', 'ESP256', 'ES384', 'ESP384', 'EdDSA', 'PS256']),
  approvals: 0,
  approvalTtlSeconds: 24 * 3600,
}) as WorkerPolicy;

function isoDate(v: unknown): boolean {
  return typeof v === 'string' && !Number.isNaN(Date.parse(v));
}

/** Check a worker definition, naming every bad field. */
export function assertWorkerInput(input: WorkerInput): void {
  const issues: FieldIssue[] = [];
  if (!WORKER_NAME_RE.test(input.name))
    issues.push({ path: 'name', problem: 'must be 1-64 of a-z 0-9 _ - (starting a-z 0-9)' });
  if (input.keyLabel.length === 0 || input.keyLabel.length > 128)
    issues.push({ path: 'keyLabel', problem: 'must be 1-128 characters' });
  if (input.products.length === 0 || input.products.length > MAX_PRODUCTS)
    issues.push({ path: 'products', problem: `must list 1..${MAX_PRODUCTS} products` });
  input.products.forEach((p, i) => {
    if (!UUID_RE.test(p.vendorId))
      issues.push({ path: `products[${i}].vendorId`, problem: 'must be a lower-case UUID' });
    if (!UUID_RE.test(p.classId))
      issues.push({ path: `products[${i}].classId`, problem: 'must be a lower-case UUID' });
  });
  if (input.formats.length === 0 || input.formats.some((f) => !SIGN_FORMATS.includes(f)))
    issues.push({
      path: 'formats',
      problem: `must list one or more of ${SIGN_FORMATS.join(', ')}`,
    });
  const pol = input.policy ?? {};
  if (pol.allowedAlgorithms?.some((a) => !(SIGNATURE_ALGORITHMS as readonly string[]).includes(a)))
    issues.push({ path: 'policy.allowedAlgorithms', problem: 'names an unknown algorithm' });
  if (
    pol.keyUsageLimit !== undefined &&
    (!Number.isSafeInteger(pol.keyUsageLimit) || pol.keyUsageLimit < 1)
  )
    issues.push({ path: 'policy.keyUsageLimit', problem: 'must be a positive integer' });
  if (pol.keyNotBefore !== undefined && !isoDate(pol.keyNotBefore))
    issues.push({ path: 'policy.keyNotBefore', problem: 'must be an ISO-8601 date' });
  if (pol.keyNotAfter !== undefined && !isoDate(pol.keyNotAfter))
    issues.push({ path: 'policy.keyNotAfter', problem: 'must be an ISO-8601 date' });
  if (
    pol.approvals !== undefined &&
    (!Number.isInteger(pol.approvals) || pol.approvals < 0 || pol.approvals > MAX_APPROVALS)
  )
    issues.push({ path: 'policy.approvals', problem: `must be an integer 0..${MAX_APPROVALS}` });
  if (
    pol.approvalTtlSeconds !== undefined &&
    (!Number.isInteger(pol.approvalTtlSeconds) || pol.approvalTtlSeconds < 1)
  )
    issues.push({ path: 'policy.approvalTtlSeconds', problem: 'must be a positive integer' });
  if (input.chain !== undefined && (input.chain.length === 0 || input.chain.length > 8))
    issues.push({ path: 'chain', problem: 'must hold 1..8 certificates, leaf first' });
  if (issues.length) throw new ValidationError('worker', issues);
}

/** The worker as JSON (API responses and storage). */
export function workerToJson(w: Worker): Record<string, unknown> {
  return {
    name: w.name,
    keyLabel: w.keyLabel,
    algorithm: w.algorithm,
    chain: w.chain.map((c) => Buffer.from(c).toString('base64')),
    products: w.products,
    formats: w.formats,
    policy: w.policy,
  };
}

export function workerFromJson(v: unknown): Worker {
  const o = v as Record<string, unknown>;
  return {
    name: o['name'] as string,
    keyLabel: o['keyLabel'] as string,
    algorithm: o['algorithm'] as SignatureAlgorithm,
    chain: (o['chain'] as string[]).map((c) => new Uint8Array(Buffer.from(c, 'base64'))),
    products: o['products'] as Product[],
    formats: o['formats'] as SignFormat[],
    policy: o['policy'] as WorkerPolicy,
  };
}
