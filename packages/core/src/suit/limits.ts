/** Caps applied while decoding an envelope; every size read from outside is bounded. */
export interface SuitLimits {
  /** Largest envelope accepted, in bytes. Default 64 KiB. */
  readonly maxEnvelopeBytes: number;
  /** Deepest CBOR nesting inside any one bstr-wrapped element. Default 16. */
  readonly maxCborDepth: number;
  /** Deepest nesting of command sequences (try-each / run-sequence). Default 8. */
  readonly maxSequenceDepth: number;
  /** Most components in suit-components. Default 64. */
  readonly maxComponents: number;
  /** Most byte strings in one component identifier. Default 16. */
  readonly maxComponentIdParts: number;
  /** Most commands in one sequence. Default 256. */
  readonly maxCommands: number;
  /** Most commands in the whole manifest, counting nested sequences. Default 4096. */
  readonly maxTotalCommands: number;
  /** Most authentication blocks (signatures). Default 8. */
  readonly maxSignatures: number;
  /** Most integrated payloads. Default 32. */
  readonly maxIntegratedPayloads: number;
}

export const SUIT_DEFAULT_LIMITS: SuitLimits = Object.freeze({
  maxEnvelopeBytes: 64 * 1024,
  maxCborDepth: 16,
  maxSequenceDepth: 8,
  maxComponents: 64,
  maxComponentIdParts: 16,
  maxCommands: 256,
  maxTotalCommands: 4096,
  maxSignatures: 8,
  maxIntegratedPayloads: 32,
});

export function resolveLimits(limits: Partial<SuitLimits> | undefined): SuitLimits {
  return limits === undefined ? SUIT_DEFAULT_LIMITS : { ...SUIT_DEFAULT_LIMITS, ...limits };
}
