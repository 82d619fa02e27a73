import { PkiError } from '../errors.js';

export const DAY_MS = 86_400_000;

/** `now` truncated to whole seconds (X.509 times carry no fractions). */
export function wholeSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/** notBefore..notAfter for `days` from `now`. */
export function windowFrom(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  const notBefore = wholeSeconds(now);
  return { notBefore, notAfter: new Date(notBefore.getTime() + days * DAY_MS) };
}

/** Refuse to issue under a CA that is not valid now, or beyond its own notAfter. */
export function checkWithinCa(
  ca: { readonly name: string; readonly notBefore: Date; readonly notAfter: Date },
  notBefore: Date,
  notAfter: Date,
): void {
  if (notBefore < ca.notBefore || notBefore > ca.notAfter) {
    throw new PkiError(
      'CA_EXPIRED',
      `CA '${ca.name}' is not valid at ${notBefore.toISOString()} (valid ${ca.notBefore.toISOString()} .. ${ca.notAfter.toISOString()}): create a new issuing CA`,
    );
  }
  if (notAfter > ca.notAfter) {
    throw new PkiError(
      'VALIDITY_EXCEEDS_CA',
      `requested notAfter ${notAfter.toISOString()} is after CA '${ca.name}' expires (${ca.notAfter.toISOString()}): ask for fewer days or use a newer CA`,
      { details: { notAfter: notAfter.toISOString(), caNotAfter: ca.notAfter.toISOString() } },
    );
  }
}
