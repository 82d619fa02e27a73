/**
 * Typed errors of the update server, one class and code union per domain. Domain code
 * throws these, never HTTP errors; `http/status.ts` maps codes to HTTP statuses in one
 * table at the edge.
 */
import { BaseError } from '@cairn/core';

export type StorageErrorCode =
  | 'ARTIFACT_NOT_FOUND'
  | 'ARTIFACT_TOO_LARGE'
  | 'ARTIFACT_DIGEST_INVALID'
  | 'ARTIFACT_RANGE_NOT_SATISFIABLE'
  | 'ARTIFACT_ABORTED';
export class StorageError extends BaseError<StorageErrorCode> {}

export type ProductErrorCode = 'PRODUCT_NOT_FOUND' | 'PRODUCT_EXISTS' | 'PRODUCT_ANCHOR_INVALID';
export class ProductError extends BaseError<ProductErrorCode> {}

export type ReleaseErrorCode =
  | 'RELEASE_SIGNATURE_INVALID'
  | 'RELEASE_WRONG_PRODUCT'
  | 'RELEASE_SEQUENCE_NOT_NEWER'
  | 'RELEASE_TOO_LARGE'
  | 'RELEASE_MALFORMED'
  | 'RELEASE_PAYLOAD_INVALID'
  | 'RELEASE_NOT_FOUND'
  | 'RELEASE_ARTIFACT_EXISTS';
export class ReleaseError extends BaseError<ReleaseErrorCode> {}

export type DeviceErrorCode = 'DEVICE_NOT_FOUND' | 'DEVICE_EXISTS';
export class DeviceError extends BaseError<DeviceErrorCode> {}

export type ActionErrorCode =
  'ACTION_NOT_FOUND' | 'ACTION_NOT_ACTIVE' | 'ACTION_NOT_CANCELABLE' | 'ACTION_ALREADY_OPEN';
export class ActionError extends BaseError<ActionErrorCode> {}

export type AuthErrorCode = 'AUTH_REQUIRED' | 'AUTH_INVALID' | 'AUTH_FORBIDDEN';
export class AuthError extends BaseError<AuthErrorCode> {}

export type DdiErrorCode = 'DDI_NOT_FOUND' | 'DDI_BAD_REQUEST';
export class DdiError extends BaseError<DdiErrorCode> {}
