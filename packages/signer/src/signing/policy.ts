import { SignerError } from '../errors.js';
import type { LoadedWorker } from '../workers/registry.js';
import type { SignFormat } from '../workers/worker.js';
import type { Counters } from './counters.js';

/** Counter name of the last sequence signed for a product. */
export function sequenceCounter(vendorId: string, classId: string): string {
  return `seq:${vendorId}:${classId}`;
}

export function usageCounter(keyLabel: string): string {
  return `usage:${keyLabel}`;
}

/** Checks that do not reserve anything: format, product, algorithm, key and cert validity. */
export function checkStatic(
  lw: LoadedWorker,
  format: SignFormat,
  now: Date,
  product?: { vendorId: string; classId: string },
): void {
  const { worker } = lw;
  if (!worker.formats.includes(format))
    throw new SignerError(
      'FORMAT_NOT_ALLOWED',
      `worker '${worker.name}' does not produce '${format}' signatures (formats: ${worker.formats.join(', ')})`,
    );
  if (
    product &&
    !worker.products.some((p) => p.vendorId === product.vendorId && p.classId === product.classId)
  )
    throw new SignerError(
      'PRODUCT_NOT_ALLOWED',
      `worker '${worker.name}' may not sign for product ${product.vendorId}:${product.classId}`,
    );
  if (!worker.policy.allowedAlgorithms.includes(worker.algorithm))
    throw new SignerError(
      'ALGORITHM_NOT_ALLOWED',
      `worker '${worker.name}' policy does not allow ${worker.algorithm}`,
    );
  const t = now.getTime();
  const { keyNotBefore, keyNotAfter } = worker.policy;
  if (keyNotBefore !== undefined && t < Date.parse(keyNotBefore))
    throw new SignerError(
      'KEY_NOT_VALID',
      `key '${worker.keyLabel}' is not valid before ${keyNotBefore}`,
    );
  if (keyNotAfter !== undefined && t > Date.parse(keyNotAfter))
    throw new SignerError(
      'KEY_NOT_VALID',
      `key '${worker.keyLabel}' expired at ${keyNotAfter}: rotate the worker's key`,
    );
  if (t < lw.certNotBefore.getTime() || t > lw.certNotAfter.getTime())
    throw new SignerError(
      'CERTIFICATE_NOT_VALID',
      `the signing certificate of worker '${worker.name}' is valid only ${lw.certNotBefore.toISOString()} to ${lw.certNotAfter.toISOString()}`,
    );
}

/** Whether the key may make one more signature (not reserving it). */
export function checkUsage(lw: LoadedWorker, counters: Counters): void {
  const limit = lw.worker.policy.keyUsageLimit;
  if (
    limit !== undefined &&
    counters.get(lw.worker.name, usageCounter(lw.worker.keyLabel)) >= BigInt(limit)
  )
    throw new SignerError(
      'KEY_USAGE_EXCEEDED',
      `key '${lw.worker.keyLabel}' reached its usage limit of ${limit} signatures`,
    );
}

/** Whether `requested` (or 'auto') is above the last sequence; returns the sequence to use. */
export function checkSequence(
  lw: LoadedWorker,
  counters: Counters,
  vendorId: string,
  classId: string,
  requested: bigint | 'auto',
): bigint {
  const last = counters.get(lw.worker.name, sequenceCounter(vendorId, classId));
  if (requested === 'auto') return last + 1n;
  if (requested <= last)
    throw new SignerError(
      'SEQUENCE_NOT_INCREASING',
      `sequence number ${requested} is not above ${last}, the last one worker '${lw.worker.name}' signed for this product: use a higher sequence number (or 'auto')`,
    );
  return requested;
}

/**
 * Check and reserve, synchronously (so concurrent requests see each other). Returns the
 * sequence number reserved.
 */
export function reserve(
  lw: LoadedWorker,
  counters: Counters,
  product: { vendorId: string; classId: string } | undefined,
  requested: bigint | 'auto' | undefined,
): bigint | undefined {
  checkUsage(lw, counters);
  let seq: bigint | undefined;
  if (product && requested !== undefined)
    seq = checkSequence(lw, counters, product.vendorId, product.classId, requested);
  const name = lw.worker.name;
  const usage = usageCounter(lw.worker.keyLabel);
  counters.set(name, usage, counters.get(name, usage) + 1n);
  if (product && seq !== undefined)
    counters.set(name, sequenceCounter(product.vendorId, product.classId), seq);
  return seq;
}
