import { children } from '../der/reader.js';
import type { DerElement } from '../der/reader.js';
import { decodeOid, decodeString, sequence } from '../der/values.js';

const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/**
 * A Name (RDNSequence) as a one-line string for messages, e.g. `CN=Issuing CA, O=Acme`.
 * Only for display: names are always compared as DER bytes.
 */
export function formatName(name: DerElement): string {
  const parts: string[] = [];
  for (const rdn of children(name)) {
    for (const atv of children(rdn)) {
      const s = sequence(atv, 'AttributeTypeAndValue');
      const oid = decodeOid(s.next('type'));
      const value = s.next('value');
      parts.push(`${SHORT_NAMES[oid] ?? oid}=${decodeString(value)}`);
    }
  }
  return parts.length === 0 ? '(empty name)' : parts.join(', ');
}
