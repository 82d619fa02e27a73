/**
 * The device's anti-rollback counter: the highest committed manifest sequence number.
 * It only ever rises, and it rises only at commit (after the new image booted and passed
 * its health check), so a failed trial boot can still fall back.
 */
export interface CounterStore {
  readonly kind: 'tpm' | 'file';
  /** Human-readable location, e.g. "TPM NV index 0x1500016" or "file /var/lib/cairn/counter.{a,b}". */
  readonly description: string;
  read(): Promise<bigint>;
  /** Raise to `value`. Equal is a no-op; lower throws COUNTER_LOWER and changes nothing. */
  raise(value: bigint): Promise<void>;
}

export const UINT64_MAX = 0xffffffffffffffffn;
