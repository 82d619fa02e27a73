import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ValidationError } from '../errors/base-error.js';
import type { FieldIssue } from '../errors/base-error.js';
import { spkiSha256, toTrustStore } from './anchors.js';
import type { TrustAnchor, TrustStore } from './anchors.js';
import { bytesEqual, toHex } from './bytes.js';
import {
  HANDLED_CRITICAL_EXTENSIONS,
  hasKeyUsage,
  MAX_CERT_BYTES,
  OID_EKU_CODE_SIGNING,
  parseCertificate,
} from './certificate.js';
import type { ParsedCertificate } from './certificate.js';
import { TrustError } from './errors.js';
import { checkRevocation } from './revocation.js';
import type { PathIssuer, RevocationList } from './revocation.js';
import { verifyX509Signature } from './signature.js';

export interface ChainVerificationOptions {
  /** DER certificates, leaf first, as in a COSE x5chain. */
  readonly chain: readonly Uint8Array[];
  readonly anchors: TrustStore | readonly TrustAnchor[];
  /** The one reference time for every validity and CRL check. */
  readonly at: Date;
  readonly revoked?: RevocationList;
  /** Require EKU codeSigning on the leaf (default true). */
  readonly requireCodeSigning?: boolean;
  /** Most certificates accepted in `chain` (default 5). */
  readonly maxChainLength?: number;
  /** Cap on each certificate's size (default 16 KiB). */
  readonly maxCertBytes?: number;
}

export const CHAIN_DEFAULTS = Object.freeze({
  requireCodeSigning: true,
  maxChainLength: 5,
  maxCertBytes: MAX_CERT_BYTES,
});

export interface VerifiedChain {
  /** The leaf's public key, ready for COSE signature verification. */
  readonly publicKey: KeyObject;
  /** The leaf's DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /** Verified path, leaf first, ending at the anchored certificate. */
  readonly path: readonly ParsedCertificate[];
  readonly anchor: TrustAnchor;
  /** Index in `chain` of the anchored certificate; `path.length` when a key anchor signed the top. */
  readonly anchoredAt: number;
}

/**
 * Verify an X.509 certificate chain for firmware signing. Steps, in order:
 *  1. bounds       CHAIN_EMPTY, CHAIN_TOO_LONG, CERT_TOO_LARGE
 *  2. parse        CERT_MALFORMED (strict DER, importable public key)
 *  3. anchor       NOT_ANCHORED: the first cert whose SPKI is anchored ends the path
 *                  (root, intermediate or the pinned leaf); else a key anchor must sign the top cert
 *  4. names        NAME_CHAIN_MISMATCH: issuer of each == subject of the next (DER bytes)
 *  5. signatures   SIGNATURE_INVALID / SIGNATURE_ALGORITHM_UNSUPPORTED
 *  6. validity     CERT_NOT_YET_VALID, CERT_EXPIRED, every cert in the path at `at`
 *  7. extensions   UNKNOWN_CRITICAL_EXTENSION
 *  8. issuers      NOT_A_CA, KEY_USAGE_MISSING (keyCertSign), PATH_LENGTH_EXCEEDED
 *  9. leaf         KEY_USAGE_MISSING (digitalSignature), EKU_CODE_SIGNING_MISSING
 * 10. revocation   CERT_REVOKED, CRL_INVALID, CRL_EXPIRED
 */
export function verifyCertificateChain(options: ChainVerificationOptions): VerifiedChain {
  const opts = {
    chain: options.chain,
    anchors: options.anchors,
    at: options.at,
    revoked: options.revoked,
    requireCodeSigning: options.requireCodeSigning ?? CHAIN_DEFAULTS.requireCodeSigning,
    maxChainLength: options.maxChainLength ?? CHAIN_DEFAULTS.maxChainLength,
    maxCertBytes: options.maxCertBytes ?? CHAIN_DEFAULTS.maxCertBytes,
  };
  assertOptions(opts);
  const { chain, at } = opts;
  const store = toTrustStore(opts.anchors);

  // 1. bounds
  if (chain.length === 0) {
    throw new TrustError(
      'CHAIN_EMPTY',
      'the certificate chain is empty; the signer must include its certificate (x5chain)',
    );
  }
  if (chain.length > opts.maxChainLength) {
    throw new TrustError(
      'CHAIN_TOO_LONG',
      `the chain has ${chain.length} certificates, more than the ${opts.maxChainLength} allowed; send only leaf and intermediates`,
    );
  }

  // 2. parse
  const certs = chain.map((der, i) => parseCertificate(der, `chain[${i}]`, opts.maxCertBytes));
  const describe = (i: number): string => {
    const role = i === 0 ? 'leaf' : 'CA';
    const where = i < chain.length ? `chain[${i}]` : 'trust anchor certificate';
    return `${where} (${role} "${certs[i]!.subjectText}")`;
  };
  const keys = certs.map((c, i) => importKey(c, describe(i)));

  // 3. anchor
  let anchoredAt = certs.findIndex((c) => store.find(c.spki) !== undefined);
  let anchor: TrustAnchor | undefined;
  let outsideAnchor: PathIssuer | undefined;
  if (anchoredAt >= 0) {
    anchor = store.find(certs[anchoredAt]!.spki)!;
  } else {
    const top = certs[certs.length - 1]!;
    const label = describe(certs.length - 1);
    anchor = store
      .keyAnchors()
      .find((a) =>
        safeVerify(() =>
          verifyX509Signature(top.signatureAlgorithm, a.key, top.tbs, top.signature, label),
        ),
      );
    if (anchor === undefined) {
      throw new TrustError(
        'NOT_ANCHORED',
        `no certificate in the chain is anchored and none of the ${store.size} trust anchor(s) issued ${label} (issuer "${top.issuerText}"); ` +
          `provision the issuing CA's key or pin (leaf SPKI SHA-256 ${toHex(spkiSha256(certs[0]!.spki))})`,
      );
    }
    if (anchor.certificate === undefined) {
      anchoredAt = certs.length;
      outsideAnchor = { key: anchor.key, spkiSha256: anchor.spkiSha256, cert: undefined };
    } else {
      // An anchor provisioned as a certificate keeps its constraints (cA, keyUsage,
      // pathLen, validity), as OpenSSL applies them: it joins the path as its top.
      certs.push(parseCertificate(anchor.certificate, 'trust anchor certificate'));
      keys.push(anchor.key);
      anchoredAt = certs.length - 1;
    }
  }
  const pathLength = Math.min(anchoredAt + 1, certs.length);
  const path = certs.slice(0, pathLength);

  // issuers[i] issued path[i]
  const issuers: (PathIssuer | undefined)[] = path.map((_, i) => {
    if (i + 1 < pathLength) {
      const c = path[i + 1]!;
      return { key: keys[i + 1]!, spkiSha256: spkiSha256(c.spki), cert: c };
    }
    return outsideAnchor;
  });

  // 4. names
  for (let i = 0; i + 1 < pathLength; i++) {
    if (!bytesEqual(path[i]!.issuer, path[i + 1]!.subject)) {
      throw new TrustError(
        'NAME_CHAIN_MISMATCH',
        `${describe(i)} names issuer "${path[i]!.issuerText}" but the next certificate is "${path[i + 1]!.subjectText}"; send the chain leaf first, in issuing order`,
      );
    }
  }

  // 5. signatures
  for (let i = 0; i + 1 < pathLength; i++) {
    const c = path[i]!;
    if (!verifyX509Signature(c.signatureAlgorithm, keys[i + 1]!, c.tbs, c.signature, describe(i))) {
      throw new TrustError(
        'SIGNATURE_INVALID',
        `${describe(i)}: its signature does not verify with the key of ${describe(i + 1)}; the certificate was altered or mis-issued`,
      );
    }
  }

  // 6. validity
  path.forEach((c, i) => {
    if (at.getTime() < c.notBefore.getTime()) {
      throw new TrustError(
        'CERT_NOT_YET_VALID',
        `${describe(i)} is not valid before ${c.notBefore.toISOString()} (verification time ${at.toISOString()}); check the device clock`,
      );
    }
    if (at.getTime() > c.notAfter.getTime()) {
      throw new TrustError(
        'CERT_EXPIRED',
        `${describe(i)} expired at ${c.notAfter.toISOString()} (verification time ${at.toISOString()}); re-sign with a current certificate`,
      );
    }
  });

  // 7. extensions
  path.forEach((c, i) => {
    const unknown = c.extensions.find((e) => e.critical && !HANDLED_CRITICAL_EXTENSIONS.has(e.oid));
    if (unknown) {
      throw new TrustError(
        'UNKNOWN_CRITICAL_EXTENSION',
        `${describe(i)} has critical extension ${unknown.oid} that Cairn does not process, so it must be refused (RFC 5280 4.2)`,
      );
    }
  });

  // 8. issuers
  for (let j = 1; j < pathLength; j++) {
    const ca = path[j]!;
    if (ca.basicConstraints?.ca !== true) {
      throw new TrustError(
        'NOT_A_CA',
        `${describe(j)} issued ${describe(j - 1)} but lacks basicConstraints cA=TRUE; only CA certificates may issue`,
      );
    }
    if (!hasKeyUsage(ca, 'keyCertSign')) {
      throw new TrustError(
        'KEY_USAGE_MISSING',
        `${describe(j)} issued a certificate but its keyUsage lacks keyCertSign`,
      );
    }
    const pathLen = ca.basicConstraints.pathLen;
    if (pathLen !== undefined) {
      let below = 0;
      for (let k = 1; k < j; k++) if (!bytesEqual(path[k]!.issuer, path[k]!.subject)) below++;
      if (below > pathLen) {
        throw new TrustError(
          'PATH_LENGTH_EXCEEDED',
          `${describe(j)} allows ${pathLen} intermediate CA(s) below it (pathLenConstraint) but the chain has ${below}`,
        );
      }
    }
  }

  // 9. leaf
  const leaf = path[0]!;
  if (leaf.keyUsage !== undefined && !hasKeyUsage(leaf, 'digitalSignature')) {
    throw new TrustError(
      'KEY_USAGE_MISSING',
      `${describe(0)} has keyUsage without digitalSignature, so it may not sign firmware`,
    );
  }
  if (opts.requireCodeSigning && !(leaf.extKeyUsage ?? []).includes(OID_EKU_CODE_SIGNING)) {
    throw new TrustError(
      'EKU_CODE_SIGNING_MISSING',
      `${describe(0)} lacks extended key usage codeSigning (${OID_EKU_CODE_SIGNING}); sign with a code-signing certificate`,
    );
  }

  // 10. revocation
  if (opts.revoked !== undefined) checkRevocation(opts.revoked, path, issuers, at, describe);

  return Object.freeze({
    publicKey: keys[0]!,
    spki: leaf.spki,
    path: Object.freeze(path),
    anchor,
    anchoredAt,
  });
}

function importKey(cert: ParsedCertificate, label: string): KeyObject {
  try {
    return createPublicKey({ key: Buffer.from(cert.spki), format: 'der', type: 'spki' });
  } catch (err) {
    throw new TrustError(
      'CERT_MALFORMED',
      `${label}: its subject public key cannot be read (${err instanceof Error ? err.message : String(err)})`,
      { cause: err },
    );
  }
}

function safeVerify(fn: () => boolean): boolean {
  try {
    return fn();
  } catch {
    return false;
  }
}

function assertOptions(o: {
  chain: unknown;
  at: unknown;
  maxChainLength: unknown;
  maxCertBytes: unknown;
}): void {
  const issues: FieldIssue[] = [];
  if (!Array.isArray(o.chain) || !o.chain.every((c) => c instanceof Uint8Array)) {
    issues.push({ path: 'chain', problem: 'must be an array of DER Uint8Arrays' });
  }
  if (!(o.at instanceof Date) || Number.isNaN(o.at.getTime())) {
    issues.push({ path: 'at', problem: 'must be a valid Date' });
  }
  for (const k of ['maxChainLength', 'maxCertBytes'] as const) {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
      issues.push({ path: k, problem: 'must be a positive integer' });
    }
  }
  if (issues.length > 0) throw new ValidationError('chain verification options', issues);
}
