import { BaseError } from '@cairn/core';

/** Every way key custody can fail; callers switch on `code`. */
export type KeyErrorCode =
  | 'MODULE_LOAD_FAILED'
  | 'TOKEN_NOT_FOUND'
  | 'PIN_INCORRECT'
  | 'PIN_LOCKED'
  | 'PIN_MISSING'
  | 'KEY_NOT_FOUND'
  | 'KEY_EXISTS'
  | 'LABEL_INVALID'
  | 'ALGORITHM_NOT_SUPPORTED'
  | 'ALGORITHM_KEY_MISMATCH'
  | 'DIGEST_INVALID'
  | 'INPUT_TOO_LARGE'
  | 'PASSPHRASE_MISSING'
  | 'PASSPHRASE_INCORRECT'
  | 'KEYSTORE_CORRUPT'
  | 'KEYSTORE_CLOSED'
  | 'CONFIG_INVALID'
  | 'SIGN_FAILED'
  | 'SESSION_LOST';

/** Raised by @cairn/keys: key stores, PKCS#11 tokens, the software keystore. */
export class KeyError extends BaseError<KeyErrorCode> {}
