import { createHash } from 'node:crypto';
import type {
  ComponentRef,
  DigestAlgorithmName,
  SuitDeviceIdentity,
  SuitPlatform,
} from '@cairn/core';

/** A recorded invocation. */
export interface SuitInvocation {
  readonly component: number;
  readonly args: Uint8Array | undefined;
}

/** A digest the device has on record for a given content (the draft's examples use sample digests). */
export interface SuitMeasurement {
  readonly content: Uint8Array;
  readonly algorithm: DigestAlgorithmName;
  readonly digest: Uint8Array;
}

export interface MemorySuitPlatformOptions {
  readonly identity: SuitDeviceIdentity;
  /** Initial component contents by component index. */
  readonly components?: ReadonlyMap<number, Uint8Array>;
  /** uri → payload the fetch directive gets. */
  readonly fetchable?: ReadonlyMap<string, Uint8Array>;
  /** Current slot per component index (A/B). */
  readonly slots?: ReadonlyMap<number, number>;
  /**
   * Recorded measurements: when a component holds exactly `content`, `measure` reports
   * `digest` (lets the draft's examples, whose digests are sample patterns, run). Other
   * content is hashed for real by the processor.
   */
  readonly measurements?: readonly SuitMeasurement[];
  /** Transform applied by copy (e.g. decompression for a load sequence). Default identity. */
  readonly copyTransform?: (data: Uint8Array, source: number, destination: number) => Uint8Array;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/**
 * An in-memory SUIT platform: components are byte arrays, fetch serves a uri map, every
 * fetch, write, copy, swap and invocation is recorded for assertions.
 */
export class MemorySuitPlatform implements SuitPlatform {
  readonly components = new Map<number, Uint8Array>();
  readonly fetched: string[] = [];
  readonly writes: number[] = [];
  readonly copies: { source: number; destination: number }[] = [];
  readonly swaps: { a: number; b: number }[] = [];
  readonly invocations: SuitInvocation[] = [];
  readonly #opts: MemorySuitPlatformOptions;

  constructor(opts: MemorySuitPlatformOptions) {
    this.#opts = opts;
    for (const [k, v] of opts.components ?? []) this.components.set(k, v);
  }

  identity(): SuitDeviceIdentity {
    return this.#opts.identity;
  }

  fetch(uri: string): Promise<Uint8Array> {
    this.fetched.push(uri);
    const data = this.#opts.fetchable?.get(uri);
    if (data === undefined) return Promise.reject(new Error(`404: nothing at ${uri}`));
    return Promise.resolve(data);
  }

  readComponent(c: ComponentRef): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.components.get(c.index));
  }

  writeComponent(c: ComponentRef, data: Uint8Array): Promise<void> {
    this.writes.push(c.index);
    this.components.set(c.index, data.slice());
    return Promise.resolve();
  }

  copy(source: ComponentRef, destination: ComponentRef): Promise<void> {
    const data = this.components.get(source.index);
    if (data === undefined) return Promise.reject(new Error(`component ${source.index} is empty`));
    const out = this.#opts.copyTransform?.(data, source.index, destination.index) ?? data.slice();
    this.copies.push({ source: source.index, destination: destination.index });
    this.components.set(destination.index, out);
    return Promise.resolve();
  }

  swap(a: ComponentRef, b: ComponentRef): Promise<void> {
    const x = this.components.get(a.index);
    const y = this.components.get(b.index);
    if (x === undefined) return Promise.reject(new Error(`component ${a.index} is empty`));
    this.components.set(b.index, x);
    if (y === undefined) this.components.delete(a.index);
    else this.components.set(a.index, y);
    this.swaps.push({ a: a.index, b: b.index });
    return Promise.resolve();
  }

  invoke(c: ComponentRef, args: Uint8Array | undefined): Promise<void> {
    this.invocations.push({ component: c.index, args });
    return Promise.resolve();
  }

  currentSlot(c: ComponentRef): Promise<number | undefined> {
    return Promise.resolve(this.#opts.slots?.get(c.index));
  }

  measure(
    c: ComponentRef,
    algorithm: DigestAlgorithmName,
  ): Promise<{ digest: Uint8Array; size: number } | undefined> {
    const content = this.components.get(c.index);
    if (content === undefined) return Promise.resolve(undefined);
    const m = this.#opts.measurements?.find(
      (x) => x.algorithm === algorithm && hex(x.content) === hex(content),
    );
    return Promise.resolve(
      m === undefined ? undefined : { digest: m.digest, size: content.length },
    );
  }
}

/** Deterministic filler bytes of a given size (distinct per seed). */
export function suitTestPayload(size: number, seed = 0): Uint8Array {
  const out = new Uint8Array(size);
  let block = createHash('sha256').update(`cairn-suit-${seed}`).digest();
  for (let i = 0; i < size; i += 32) {
    out.set(block.subarray(0, Math.min(32, size - i)), i);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}
