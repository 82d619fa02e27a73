import { createHash } from 'node:crypto';
import { writeFileAtomic, type Disk } from '../disk/disk.js';
import { AgentError } from '../errors.js';
import { UINT64_MAX, type CounterStore } from './counter.js';

/*
 * Record layout (32 bytes, big-endian):
 *   0  4  magic "CRNC"
 *   4  1  format version (1)
 *   5  3  zero
 *   8  8  generation (rises by one on every write)
 *  16  8  counter value
 *  24  8  first 8 bytes of SHA-256 over bytes 0..23
 */
const MAGIC = [0x43, 0x52, 0x4e, 0x43];
const RECORD_SIZE = 32;
const COPIES = ['counter.a', 'counter.b'] as const;

interface Record {
  readonly generation: bigint;
  readonly value: bigint;
}

function encodeRecord(r: Record): Uint8Array {
  const b = new Uint8Array(RECORD_SIZE);
  const v = new DataView(b.buffer);
  b.set(MAGIC, 0);
  b[4] = 1;
  v.setBigUint64(8, r.generation);
  v.setBigUint64(16, r.value);
  b.set(createHash('sha256').update(b.subarray(0, 24)).digest().subarray(0, 8), 24);
  return b;
}

function decodeRecord(b: Uint8Array | undefined): Record | undefined {
  if (b?.length !== RECORD_SIZE) return undefined;
  if (!MAGIC.every((m, i) => b[i] === m) || b[4] !== 1) return undefined;
  const sum = createHash('sha256').update(b.subarray(0, 24)).digest().subarray(0, 8);
  if (!sum.every((x, i) => x === b[24 + i])) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { generation: v.getBigUint64(8), value: v.getBigUint64(16) };
}

/**
 * Anti-rollback counter for devices without a TPM: two redundant copies, each with a
 * checksum, each written atomically (temp file, fsync, rename, fsync of the directory).
 * A raise rewrites the older copy first, then the other; the value read is the highest
 * among the copies whose checksum holds, so a torn or lost write can never lower it.
 * If copies exist but none is intact the store fails closed (COUNTER_CORRUPT): the agent
 * then refuses to install rather than guess a value.
 */
export class FileCounterStore implements CounterStore {
  readonly kind = 'file' as const;
  readonly description: string;

  constructor(
    private readonly disk: Disk,
    private readonly dir: string,
  ) {
    this.description = `file ${dir}/{${COPIES.join(',')}}`;
  }

  async #load(): Promise<{ records: (Record | undefined)[]; present: boolean }> {
    const raw = await Promise.all(COPIES.map((c) => this.disk.read(`${this.dir}/${c}`)));
    return {
      records: raw.map(decodeRecord),
      present: raw.some((r) => r !== undefined && r.length > 0),
    };
  }

  async read(): Promise<bigint> {
    const { records, present } = await this.#load();
    const valid = records.filter((r): r is Record => r !== undefined);
    if (valid.length === 0) {
      if (present) {
        throw new AgentError(
          'COUNTER_CORRUPT',
          `anti-rollback counter at ${this.description} is unreadable (both copies fail their checksum); ` +
            'refusing to guess a value — restore it from a backup or re-provision the device',
        );
      }
      return 0n;
    }
    return valid.reduce((max, r) => (r.value > max ? r.value : max), 0n);
  }

  async raise(value: bigint): Promise<void> {
    if (value < 0n || value > UINT64_MAX) {
      throw new AgentError('COUNTER_INVALID', `counter value ${value} is outside 0..2^64-1`);
    }
    const { records, present } = await this.#load();
    const valid = records.filter((r): r is Record => r !== undefined);
    if (valid.length === 0 && present) await this.read(); // throws COUNTER_CORRUPT
    const current = valid.reduce((max, r) => (r.value > max ? r.value : max), 0n);
    if (value < current) {
      throw new AgentError(
        'COUNTER_LOWER',
        `refusing to lower the anti-rollback counter from ${current} to ${value}`,
      );
    }
    if (value === current && records.every((r) => r?.value === value)) return; // nothing to repair
    const generation = valid.reduce((max, r) => (r.generation > max ? r.generation : max), 0n) + 1n;
    const record = encodeRecord({ generation, value });
    // older (or broken) copy first: the newest intact copy survives any cut during this write
    const order = [0, 1].sort((a, b) => {
      const ga = records[a]?.generation ?? -1n;
      const gb = records[b]?.generation ?? -1n;
      return ga < gb ? -1 : ga > gb ? 1 : a - b;
    });
    await this.disk.mkdirp(this.dir);
    for (const i of order) {
      await writeFileAtomic(this.disk, `${this.dir}/${COPIES[i]!}`, record);
    }
  }
}
