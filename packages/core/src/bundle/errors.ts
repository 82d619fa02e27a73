import { BaseError } from '../errors/base-error.js';

/**
 * Codes, by the verification step that raises them (see `BUNDLE_CHECKS`):
 * - `BUNDLE_TRUNCATED`: the input ends inside the preamble, header, checksum or a payload.
 * - `BUNDLE_BAD_MAGIC`: the first 8 bytes are not the `.cairn` magic.
 * - `BUNDLE_UNSUPPORTED_VERSION`: a format version this reader does not implement.
 * - `BUNDLE_UNSUPPORTED_FLAGS`: a flag bit that is not defined for this version.
 * - `BUNDLE_HEADER_TOO_LARGE`: the declared header length exceeds the reader's cap.
 * - `BUNDLE_HEADER_CORRUPT`: the SHA-256 over preamble + header does not match.
 * - `BUNDLE_HEADER_INVALID`: the header is not the deterministic CBOR map of the spec.
 * - `BUNDLE_PROOF_INVALID`: the transparency proof does not parse as c2sp tlog-proof.
 * - `BUNDLE_ENVELOPE_INVALID`: the caller's envelope verification refused the envelope.
 * - `BUNDLE_PROOF_MISSING` / `BUNDLE_PROOF_REJECTED`: a proof is required but absent / refused.
 * - `BUNDLE_PAYLOAD_MISMATCH`: the payload table disagrees with the signed manifest.
 * - `BUNDLE_TRAILING_DATA`: bytes follow the last payload.
 */
export type BundleErrorCode =
  | 'BUNDLE_TRUNCATED'
  | 'BUNDLE_BAD_MAGIC'
  | 'BUNDLE_UNSUPPORTED_VERSION'
  | 'BUNDLE_UNSUPPORTED_FLAGS'
  | 'BUNDLE_HEADER_TOO_LARGE'
  | 'BUNDLE_HEADER_CORRUPT'
  | 'BUNDLE_HEADER_INVALID'
  | 'BUNDLE_PROOF_INVALID'
  | 'BUNDLE_ENVELOPE_INVALID'
  | 'BUNDLE_PROOF_MISSING'
  | 'BUNDLE_PROOF_REJECTED'
  | 'BUNDLE_PAYLOAD_MISMATCH'
  | 'BUNDLE_TRAILING_DATA';

export class BundleError extends BaseError<BundleErrorCode> {}

/** One numbered, named step of bundle verification and the codes it can raise. */
export interface BundleCheck {
  readonly step: number;
  readonly name: string;
  readonly codes: readonly string[];
}

/** The verification order of `verifyBundle` (docs/formats/bundle.md, "Verification"). */
export const BUNDLE_CHECKS: readonly BundleCheck[] = Object.freeze([
  {
    step: 1,
    name: 'preamble',
    codes: [
      'BUNDLE_TRUNCATED',
      'BUNDLE_BAD_MAGIC',
      'BUNDLE_UNSUPPORTED_VERSION',
      'BUNDLE_UNSUPPORTED_FLAGS',
      'BUNDLE_HEADER_TOO_LARGE',
    ],
  },
  { step: 2, name: 'header-checksum', codes: ['BUNDLE_TRUNCATED', 'BUNDLE_HEADER_CORRUPT'] },
  { step: 3, name: 'header', codes: ['BUNDLE_HEADER_INVALID', 'BUNDLE_PROOF_INVALID'] },
  { step: 4, name: 'envelope', codes: ['BUNDLE_ENVELOPE_INVALID'] },
  { step: 5, name: 'transparency-proof', codes: ['BUNDLE_PROOF_MISSING', 'BUNDLE_PROOF_REJECTED'] },
  { step: 6, name: 'payload-binding', codes: ['BUNDLE_PAYLOAD_MISMATCH'] },
  {
    step: 7,
    name: 'payloads',
    codes: ['BUNDLE_TRUNCATED', 'PAYLOAD_DIGEST_MISMATCH', 'PAYLOAD_TOO_SHORT', 'STREAM_ABORTED'],
  },
  { step: 8, name: 'end-of-bundle', codes: ['BUNDLE_TRAILING_DATA'] },
]);

/** A BundleError whose details name the step (`{ step, check }`) that raised it. */
export function bundleError(
  step: number,
  code: BundleErrorCode,
  message: string,
  opts: { cause?: unknown; details?: Record<string, unknown> } = {},
): BundleError {
  const check = BUNDLE_CHECKS.find((c) => c.step === step)?.name ?? 'unknown';
  return new BundleError(code, `bundle check ${step} (${check}): ${message}`, {
    ...(opts.cause === undefined ? {} : { cause: opts.cause }),
    details: { step, check, ...opts.details },
  });
}
