import { BaseError } from '@cairn/core';

/** Why a DDI exchange with the update server failed. */
export type DdiErrorCode =
  /** Connection refused/reset, DNS, TLS handshake, timeout, or a 5xx after retries. */
  | 'DDI_UNREACHABLE'
  /** 401/403: the target or gateway token (or client certificate) was not accepted. */
  | 'DDI_UNAUTHORIZED'
  /** 404 on a resource the server itself linked to (action gone, wrong tenant). */
  | 'DDI_NOT_FOUND'
  /** The server answered something that is not the hawkBit DDI shape. */
  | 'DDI_PROTOCOL'
  /** A response body exceeded its cap. */
  | 'DDI_TOO_LARGE'
  /** The artifact could not be downloaded completely (after resuming). */
  | 'DDI_DOWNLOAD_FAILED'
  /** The downloaded artifact does not match the size or SHA-256 the server announced. */
  | 'DDI_ARTIFACT_MISMATCH'
  /** The deployment carries no `.cairn` artifact this agent can install. */
  | 'DDI_NO_ARTIFACT'
  /** The local OTA state file is unreadable. */
  | 'DDI_STATE_CORRUPT'
  /** Invalid client configuration (base URL, tenant, controller id, polling sleep). */
  | 'DDI_CONFIG_INVALID';

export class DdiError extends BaseError<DdiErrorCode> {}
