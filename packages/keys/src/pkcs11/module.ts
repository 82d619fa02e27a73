import pkcs11js from 'pkcs11js';
import { KeyError } from '../errors.js';

export type Pkcs11 = pkcs11js.PKCS11;
export type Handle = Buffer;
export { pkcs11js };

/** Constants of PKCS#11 3.0 that pkcs11js 2.1 does not define. */
export const CKK_EC_EDWARDS = 0x40;
export const CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055;
export const CKM_EDDSA = 0x1057;

interface Loaded {
  readonly lib: Pkcs11;
  refs: number;
}

// One Cryptoki instance per module path and process: C_Initialize/C_Finalize are global.
const modules = new Map<string, Loaded>();

/** PKCS#11 results after which a session is gone (not merely its operation). */
export const SESSION_GONE: ReadonlySet<string> = new Set([
  'CKR_SESSION_HANDLE_INVALID',
  'CKR_SESSION_CLOSED',
  'CKR_CRYPTOKI_NOT_INITIALIZED',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_TOKEN_NOT_RECOGNIZED',
  'CKR_DEVICE_REMOVED',
  'CKR_DEVICE_ERROR',
  'CKR_SLOT_ID_INVALID',
]);

/** CKR_ name of a pkcs11js error, or undefined when it is not a PKCS#11 return value. */
export function ckrName(err: unknown): string | undefined {
  if (err instanceof Error && /^CKR_[A-Z_]+$/.test(err.message)) return err.message;
  return undefined;
}

/**
 * (Re)initialise Cryptoki; already-initialised is fine. True when this call initialised
 * it: the library had been finalised, so session and object handles start over and old
 * handle numbers may name new sessions or objects.
 */
export function initialize(lib: Pkcs11): boolean {
  try {
    lib.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
    return true;
  } catch (err) {
    if (ckrName(err) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') throw err;
    return false;
  }
}

/** Load and initialise a PKCS#11 module, shared by every store in this process. */
export function acquireModule(path: string): Pkcs11 {
  const have = modules.get(path);
  if (have !== undefined) {
    have.refs++;
    return have.lib;
  }
  const lib = new pkcs11js.PKCS11();
  try {
    lib.load(path);
  } catch (cause) {
    throw new KeyError(
      'MODULE_LOAD_FAILED',
      `cannot load the PKCS#11 module ${path} (${(cause as Error).message}): check the path; for SoftHSM2 install the softhsm2 package (module /usr/lib/softhsm/libsofthsm2.so)`,
      { cause },
    );
  }
  try {
    initialize(lib);
  } catch (cause) {
    lib.close();
    throw new KeyError(
      'MODULE_LOAD_FAILED',
      `PKCS#11 module ${path} failed C_Initialize: ${(cause as Error).message}`,
      { cause },
    );
  }
  modules.set(path, { lib, refs: 1 });
  return lib;
}

/** Drop one reference; the last one finalises and unloads the module. */
export function releaseModule(path: string): void {
  const have = modules.get(path);
  if (have === undefined) return;
  if (--have.refs > 0) return;
  modules.delete(path);
  try {
    have.lib.C_Finalize();
  } catch {
    // already finalised behind our back: nothing to release
  }
  have.lib.close();
}
