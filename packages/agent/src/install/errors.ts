import { BaseError } from '@cairn/core';

/**
 * Why an install was refused. Each is distinct so the install log and the server see
 * exactly what happened; the active slot is untouched in every case.
 */
export type InstallRejectCode =
  | 'BUNDLE_MALFORMED'
  | 'NOT_SIGNED'
  | 'SIGNATURE_INVALID'
  | 'KEY_NOT_TRUSTED'
  | 'CERT_EXPIRED'
  | 'CERT_REVOKED'
  | 'CERT_NOT_CODE_SIGNING'
  | 'CERT_INVALID'
  | 'MANIFEST_UNSUPPORTED'
  | 'WRONG_VENDOR'
  | 'WRONG_CLASS'
  | 'DOWNGRADE'
  | 'ALREADY_INSTALLED'
  | 'PROOF_MISSING'
  | 'PROOF_INVALID'
  | 'PAYLOAD_MISMATCH'
  | 'PAYLOAD_TOO_LONG'
  | 'PAYLOAD_TOO_SHORT'
  | 'PAYLOAD_DIGEST_MISMATCH'
  | 'SLOT_VERIFY_FAILED'
  | 'INSTALL_IN_PROGRESS'
  | 'COUNTER_UNAVAILABLE'
  | 'IO_FAILED'
  | 'ABORTED';

export class InstallError extends BaseError<InstallRejectCode> {}

const TRUST_CODES: Readonly<Record<string, InstallRejectCode>> = {
  NOT_ANCHORED: 'KEY_NOT_TRUSTED',
  KEY_NOT_PINNED: 'KEY_NOT_TRUSTED',
  NO_SIGNING_KEY: 'KEY_NOT_TRUSTED',
  ANCHOR_INVALID: 'KEY_NOT_TRUSTED',
  CERT_EXPIRED: 'CERT_EXPIRED',
  CERT_NOT_YET_VALID: 'CERT_EXPIRED',
  CERT_REVOKED: 'CERT_REVOKED',
  EKU_CODE_SIGNING_MISSING: 'CERT_NOT_CODE_SIGNING',
  KEY_USAGE_MISSING: 'CERT_NOT_CODE_SIGNING',
};

const DIRECT: Readonly<Record<string, InstallRejectCode>> = {
  ROLLBACK_REJECTED: 'DOWNGRADE',
  ALREADY_INSTALLED: 'ALREADY_INSTALLED',
  SUIT_NOT_SIGNED: 'NOT_SIGNED',
  FIRMWARE_PROFILE_VIOLATION: 'MANIFEST_UNSUPPORTED',
  BUNDLE_PAYLOAD_MISMATCH: 'PAYLOAD_MISMATCH',
  PAYLOAD_TOO_LONG: 'PAYLOAD_TOO_LONG',
  PAYLOAD_TOO_SHORT: 'PAYLOAD_TOO_SHORT',
  PAYLOAD_DIGEST_MISMATCH: 'PAYLOAD_DIGEST_MISMATCH',
  BUNDLE_PROOF_MISSING: 'PROOF_MISSING',
  BUNDLE_PROOF_INVALID: 'PROOF_INVALID',
  BUNDLE_PROOF_REJECTED: 'PROOF_INVALID',
  // the manifest no longer matches the digest its signature covers
  SUIT_DIGEST_MISMATCH: 'SIGNATURE_INVALID',
  SUIT_SEVERED_MISSING: 'SIGNATURE_INVALID',
  // more bytes after the last declared payload: the payload ran past its size
  BUNDLE_TRAILING_DATA: 'PAYLOAD_TOO_LONG',
  // the bundle ended inside a payload
  BUNDLE_TRUNCATED: 'PAYLOAD_TOO_SHORT',
  BUNDLE_ABORTED: 'ABORTED',
  STREAM_ABORTED: 'ABORTED',
};

/**
 * Map whatever a verification step threw to the one reason the device reports.
 * Looks through wrapping errors (bundle step → envelope → signature block → trust).
 */
export function classifyRejection(err: unknown): InstallRejectCode {
  const seen = new Set<unknown>();
  let cur: unknown = err;
  let fallback: InstallRejectCode = 'BUNDLE_MALFORMED';
  while (cur instanceof BaseError && !seen.has(cur)) {
    seen.add(cur);
    if (cur instanceof InstallError) return cur.code;
    const e = cur as BaseError;
    const code: string = e.code;
    if (code === 'BUNDLE_TRUNCATED' && e.details?.['check'] !== 'payloads')
      return 'BUNDLE_MALFORMED';
    const direct = DIRECT[code] ?? TRUST_CODES[code];
    if (direct) return direct;
    if (code === 'SUIT_SIGNATURE_INVALID') {
      const failures = (e.details?.['failures'] ?? []) as readonly { code: string }[];
      for (const f of failures) {
        const t = TRUST_CODES[f.code];
        if (t) return t;
      }
      return 'SIGNATURE_INVALID';
    }
    if (code.startsWith('CERT_') || code.startsWith('CRL_') || code === 'CHAIN_TOO_LONG')
      fallback = 'CERT_INVALID';
    if (code.startsWith('COUNTER_')) return 'COUNTER_UNAVAILABLE';
    cur = e.cause;
  }
  if (!(cur instanceof BaseError) && cur instanceof Error && !(err instanceof BaseError))
    return 'IO_FAILED';
  return fallback;
}
