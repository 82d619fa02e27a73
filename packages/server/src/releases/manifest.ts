/**
 * What the server needs from a verified SUIT manifest: its sequence number, the
 * vendor/class IDs it is bound to and each component's image digest and size, read from
 * the shared sequence (where draft-ietf-suit-manifest puts them).
 */
import { formatUuid } from '@cairn/core';
import type {
  BundleComponent,
  BundleManifest,
  DigestAlgorithm,
  SuitCommand,
  SuitManifest,
  SuitParameters,
} from '@cairn/core';
import { ReleaseError } from '../errors.js';

export interface ReleaseManifest extends BundleManifest {
  readonly sequenceNumber: bigint;
  readonly vendorId: string | undefined;
  readonly classId: string | undefined;
}

const DIGEST: Readonly<Record<string, DigestAlgorithm>> = {
  sha256: 'sha-256',
  sha384: 'sha-384',
  sha512: 'sha-512',
};

function indices(index: number | true | readonly number[], count: number): number[] {
  if (index === true) return Array.from({ length: count }, (_, i) => i);
  return typeof index === 'number' ? [index] : [...index];
}

/** Parameters per component after running the shared sequence's parameter directives. */
function sharedParameters(manifest: SuitManifest): Map<number, SuitParameters> {
  const count = manifest.common.components.length;
  const params = new Map<number, SuitParameters>();
  let current = [0];
  const visit = (commands: readonly SuitCommand[]): void => {
    for (const c of commands) {
      if (c.kind !== 'directive') continue;
      if (c.name === 'set-component-index') current = indices(c.index, count);
      else if (c.name === 'override-parameters' || c.name === 'set-parameters') {
        for (const i of current) {
          const before = params.get(i) ?? {};
          params.set(
            i,
            c.name === 'override-parameters'
              ? { ...before, ...c.parameters }
              : { ...c.parameters, ...before },
          );
        }
      }
    }
  };
  visit(manifest.common.sharedSequence?.commands ?? []);
  return params;
}

function uuidText(p: SuitParameters, which: 'vendorId' | 'classId'): string | undefined {
  if (which === 'classId') return p.classId === undefined ? undefined : formatUuid(p.classId);
  const v = p.vendorId;
  if (v === undefined) return undefined;
  return 'uuid' in v ? formatUuid(v.uuid) : `pen:${Buffer.from(v.pen).toString('hex')}`;
}

export function describeManifest(manifest: SuitManifest): ReleaseManifest {
  const params = sharedParameters(manifest);
  const components: BundleComponent[] = [];
  const vendors = new Set<string>();
  const classes = new Set<string>();
  for (const [index, p] of params) {
    const vendor = uuidText(p, 'vendorId');
    const cls = uuidText(p, 'classId');
    if (vendor !== undefined) vendors.add(vendor);
    if (cls !== undefined) classes.add(cls);
    if (p.imageDigest !== undefined && p.imageSize !== undefined) {
      const algorithm = DIGEST[p.imageDigest.algorithm];
      if (algorithm === undefined) {
        throw new ReleaseError(
          'RELEASE_MALFORMED',
          `component ${index} uses image digest algorithm ${p.imageDigest.algorithm}; the server verifies sha256, sha384 or sha512`,
        );
      }
      components.push({
        index,
        digest: { algorithm, value: p.imageDigest.value },
        size: p.imageSize,
      });
    }
  }
  if (vendors.size > 1 || classes.size > 1) {
    throw new ReleaseError(
      'RELEASE_WRONG_PRODUCT',
      `the manifest names several vendor/class IDs (${[...vendors, ...classes].join(', ')}); one release serves one product`,
    );
  }
  return {
    sequenceNumber: BigInt(manifest.sequenceNumber),
    vendorId: [...vendors][0],
    classId: [...classes][0],
    components: components.sort((a, b) => a.index - b.index),
  };
}
