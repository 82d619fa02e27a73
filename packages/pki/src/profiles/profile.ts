import 'reflect-metadata';
import type { FieldIssue } from '@cairn/core';
import type { Extension } from '@peculiar/x509';
import type { SubjectInput } from '../x509/names.js';
import type { PublicKeyKind } from '../x509/public-key.js';

/** The certificate profiles the PKI issues. */
export type ProfileName = 'code-signing' | 'device' | 'tls-server' | 'log';

export const PROFILE_NAMES: readonly ProfileName[] = Object.freeze([
  'code-signing',
  'device',
  'tls-server',
  'log',
]);

/** Subject alternative names a request may carry (only tls-server takes them). */
export interface SanInput {
  readonly dns?: readonly string[];
  readonly ip?: readonly string[];
}

/** What a caller asks for; the profile decides everything else. */
export interface ProfileRequest {
  readonly subject: SubjectInput;
  readonly san?: SanInput;
  /** Validity in days; the profile's default when absent, never above its maximum. */
  readonly validityDays?: number;
}

/** Facts a profile builds extensions from. */
export interface ProfileContext {
  readonly request: ProfileRequest;
  readonly key: PublicKeyKind;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** One certificate profile: request rules and the end-entity extensions it sets. */
export interface Profile {
  readonly name: ProfileName;
  readonly defaultDays: number;
  /** Hard upper bound unless the PKI's policy lowers or raises it. */
  readonly maxDays: number;
  /** Every problem with the request (empty when acceptable). */
  validate(request: ProfileRequest, key: PublicKeyKind): FieldIssue[];
  /** keyUsage, extendedKeyUsage, SAN, … (basicConstraints, SKI, AKI are added by the CA). */
  extensions(ctx: ProfileContext): Extension[];
}
