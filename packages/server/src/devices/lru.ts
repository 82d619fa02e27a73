/**
 * A bounded cache with approximate LRU eviction in O(1) and no work on a hit in the
 * common case: two generations of Maps. Hits in the young generation cost one Map
 * lookup; a hit in the old one moves the entry to the young one. When the young
 * generation is full it becomes the old one and the old one is dropped (`onEvict` is
 * called for each entry dropped that way). At most `capacity` entries are held; every
 * entry used since the last generation change survives the next one.
 */
export class Lru<K, V> {
  #young = new Map<K, V>();
  #old = new Map<K, V>();
  readonly #generation: number;
  readonly #onEvict: ((key: K, value: V) => void) | undefined;

  constructor(capacity: number, onEvict?: (key: K, value: V) => void) {
    this.#generation = Math.max(1, Math.floor(capacity / 2));
    this.#onEvict = onEvict;
  }

  get(key: K): V | undefined {
    const v = this.#young.get(key);
    if (v !== undefined) return v;
    const o = this.#old.get(key);
    if (o !== undefined) {
      this.#old.delete(key);
      this.#put(key, o);
    }
    return o;
  }

  set(key: K, value: V): void {
    this.#old.delete(key);
    if (this.#young.has(key)) this.#young.set(key, value);
    else this.#put(key, value);
  }

  #put(key: K, value: V): void {
    if (this.#young.size >= this.#generation) {
      const dropped = this.#old;
      this.#old = this.#young;
      this.#young = new Map();
      if (this.#onEvict !== undefined) for (const [k, v] of dropped) this.#onEvict(k, v);
    }
    this.#young.set(key, value);
  }

  delete(key: K): void {
    this.#young.delete(key);
    this.#old.delete(key);
  }

  clear(): void {
    this.#young.clear();
    this.#old.clear();
  }

  get size(): number {
    return this.#young.size + this.#old.size;
  }
}
