/** Step 6: bind each payload of the table to the signed manifest's digest and size. */
import { bundleError } from './errors.js';
import type { BundlePayloadEntry } from './format.js';
import type { PayloadDigest } from '../stream/verify.js';

/** A component whose image the bundle must carry, as the verified manifest declares it. */
export interface BundleComponent {
  readonly index: number;
  readonly digest: PayloadDigest;
  readonly size: number | bigint;
}

/** What envelope verification hands back: at least the components carried in the bundle. */
export interface BundleManifest {
  readonly components: readonly BundleComponent[];
}

export interface BoundPayload {
  readonly componentIndex: number;
  readonly size: number;
  readonly digest: PayloadDigest;
}

/**
 * Checks that the payload table and the manifest's components are the same set of
 * component indices with the same sizes: no extra payload, none missing, no size
 * disagreement. Every problem is reported in one `BUNDLE_PAYLOAD_MISMATCH`. Returns the
 * table entries paired with the digest each one will be verified against.
 */
export function bindPayloads(
  table: readonly BundlePayloadEntry[],
  manifest: BundleManifest,
): BoundPayload[] {
  const problems: string[] = [];
  const byIndex = new Map<number, BundleComponent>();
  for (const c of manifest.components) {
    if (byIndex.has(c.index)) problems.push(`manifest lists component ${c.index} twice`);
    byIndex.set(c.index, c);
  }
  const bound: BoundPayload[] = [];
  const seen = new Set<number>();
  for (const entry of table) {
    seen.add(entry.componentIndex);
    const c = byIndex.get(entry.componentIndex);
    if (c === undefined) {
      problems.push(
        `payload for component ${entry.componentIndex}, which the manifest does not carry`,
      );
    } else if (BigInt(c.size) !== BigInt(entry.size)) {
      problems.push(
        `component ${entry.componentIndex}: payload is ${entry.size} bytes, the manifest says ${c.size}`,
      );
    } else {
      bound.push({ componentIndex: entry.componentIndex, size: entry.size, digest: c.digest });
    }
  }
  for (const index of byIndex.keys()) {
    if (!seen.has(index)) problems.push(`no payload for component ${index}`);
  }
  if (problems.length > 0) {
    throw bundleError(
      6,
      'BUNDLE_PAYLOAD_MISMATCH',
      `payload table disagrees with the signed manifest: ${problems.join('; ')}`,
      { details: { problems } },
    );
  }
  return bound;
}
