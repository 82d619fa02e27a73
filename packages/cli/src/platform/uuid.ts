import { createHash } from 'node:crypto';

/** The RFC 9562 DNS namespace, used for the vendor id as RFC 9124 suggests. */
export const UUID_NAMESPACE_DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

/** A name-based UUID (version 5, SHA-1) in lower-case dashed text. */
export function uuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new TypeError(`namespace "${namespace}" is not a UUID`);
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** SUIT vendor-id and class-id of a product: UUIDv5(DNS, vendor domain), UUIDv5(vendor-id, model). */
export function productUuids(
  vendorDomain: string,
  model: string,
): { vendorId: string; classId: string } {
  const vendorId = uuidV5(UUID_NAMESPACE_DNS, vendorDomain);
  return { vendorId, classId: uuidV5(vendorId, model) };
}
