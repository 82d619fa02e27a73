import { AgentError } from '../errors.js';
import { dirnameOf, type Disk } from './disk.js';

interface Inode {
  data: Uint8Array;
  durable: Uint8Array | undefined;
}

/** Deterministic PRNG (mulberry32) so a failing power-cut case can be replayed by seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An in-memory disk with the crash semantics of a POSIX file system on power loss:
 * file data written but not fsynced, and directory changes (create, rename, remove) not
 * followed by an fsync of the directory, may be lost. A torn write leaves either the old
 * durable content or a prefix of the new one. `cutAfter(n)` makes the n-th mutating
 * operation from now throw POWER_CUT before it takes effect; `crash()` then turns the
 * disk into what a reboot would find.
 */
export class SimDisk implements Disk {
  #dirs = new Map<string, { live: Map<string, Inode>; durable: Map<string, Inode> }>();
  #opsLeft = Infinity;
  #ops = 0;
  /** Set by a power cut: everything fails until crash() (the reboot). */
  #dead = false;
  #random: () => number;

  constructor(seed = 1) {
    this.#random = rng(seed);
    this.#dirs.set('/', { live: new Map(), durable: new Map() });
  }

  /** Number of mutating operations (write, fsync, rename, fsyncDir, remove) so far. */
  get operations(): number {
    return this.#ops;
  }

  /** Arm a power cut: the n-th mutating operation from now (1 = the next) fails. */
  cutAfter(n: number): void {
    this.#opsLeft = n;
  }

  disarm(): void {
    this.#opsLeft = Infinity;
  }

  #step(what: string): void {
    this.#alive(what);
    this.#opsLeft -= 1;
    if (this.#opsLeft <= 0) {
      this.#opsLeft = Infinity;
      this.#dead = true;
      throw new AgentError('POWER_CUT', `simulated power cut before ${what}`);
    }
    this.#ops += 1;
  }

  #alive(what: string): void {
    if (this.#dead)
      throw new AgentError('POWER_CUT', `the power is off (${what} after a simulated cut)`);
  }

  /** True between a power cut and the next crash(): no operation succeeds. */
  get powerOff(): boolean {
    return this.#dead;
  }

  #dir(dir: string): { live: Map<string, Inode>; durable: Map<string, Inode> } {
    const d = this.#dirs.get(dir);
    if (!d) throw new Error(`SimDisk: no directory ${dir}`);
    return d;
  }

  #split(path: string): [Map<string, Inode>, string, string] {
    const dir = dirnameOf(path);
    return [this.#dir(dir).live, dir, path.slice(path.lastIndexOf('/') + 1)];
  }

  read(path: string): Promise<Uint8Array | undefined> {
    this.#alive(`read ${path}`);
    const [live, , name] = this.#split(path);
    const inode = live.get(name);
    return Promise.resolve(inode ? inode.data.slice() : undefined);
  }

  size(path: string): Promise<number | undefined> {
    this.#alive(`stat ${path}`);
    const [live, , name] = this.#split(path);
    return Promise.resolve(live.get(name)?.data.length);
  }

  async *readChunks(path: string, chunkSize = 1024 * 1024): AsyncIterable<Uint8Array> {
    const data = await this.read(path);
    if (data === undefined) throw new Error(`SimDisk: no file ${path}`);
    for (let pos = 0; pos < data.length; pos += chunkSize) {
      this.#alive(`read ${path}`);
      yield data.subarray(pos, pos + chunkSize);
    }
  }

  write(path: string, data: Uint8Array): Promise<void> {
    this.#step(`write ${path}`);
    const [live, , name] = this.#split(path);
    const inode = live.get(name);
    if (inode) inode.data = data.slice();
    else live.set(name, { data: data.slice(), durable: undefined });
    return Promise.resolve();
  }

  append(path: string, data: Uint8Array): Promise<void> {
    this.#step(`append ${path}`);
    const [live, , name] = this.#split(path);
    const inode = live.get(name);
    if (inode) {
      const next = new Uint8Array(inode.data.length + data.length);
      next.set(inode.data);
      next.set(data, inode.data.length);
      inode.data = next;
    } else live.set(name, { data: data.slice(), durable: undefined });
    return Promise.resolve();
  }

  fsync(path: string): Promise<void> {
    this.#step(`fsync ${path}`);
    const [live, , name] = this.#split(path);
    const inode = live.get(name);
    if (!inode) throw new Error(`SimDisk: fsync of missing ${path}`);
    inode.durable = inode.data.slice();
    return Promise.resolve();
  }

  rename(from: string, to: string): Promise<void> {
    this.#step(`rename ${from} → ${to}`);
    const [liveFrom, dirFrom, nameFrom] = this.#split(from);
    const [liveTo, dirTo, nameTo] = this.#split(to);
    if (dirFrom !== dirTo) throw new Error('SimDisk: rename across directories');
    const inode = liveFrom.get(nameFrom);
    if (!inode) throw new Error(`SimDisk: rename of missing ${from}`);
    liveFrom.delete(nameFrom);
    liveTo.set(nameTo, inode);
    return Promise.resolve();
  }

  fsyncDir(dir: string): Promise<void> {
    this.#step(`fsync dir ${dir}`);
    const d = this.#dir(dir);
    d.durable = new Map(d.live);
    return Promise.resolve();
  }

  remove(path: string): Promise<void> {
    this.#step(`remove ${path}`);
    const [live, , name] = this.#split(path);
    live.delete(name);
    return Promise.resolve();
  }

  mkdirp(dir: string): Promise<void> {
    this.#alive(`mkdir ${dir}`);
    // directories are created durably (they exist on the factory image)
    let cur = '';
    for (const part of dir.split('/').filter(Boolean)) {
      cur += '/' + part;
      if (!this.#dirs.has(cur)) this.#dirs.set(cur, { live: new Map(), durable: new Map() });
    }
    return Promise.resolve();
  }

  list(dir: string): Promise<string[]> {
    this.#alive(`list ${dir}`);
    const d = this.#dirs.get(dir);
    return Promise.resolve(d ? [...d.live.keys()].sort() : []);
  }

  /**
   * Power loss: keep only what was durable. An inode whose latest data was never
   * fsynced ends up with its durable content, or (torn write) with a random prefix of
   * the new data, or — never written durably — empty.
   */
  crash(): void {
    this.#opsLeft = Infinity;
    this.#dead = false;
    const seen = new Set<Inode>();
    for (const d of this.#dirs.values()) {
      d.live = new Map(d.durable);
      for (const inode of d.live.values()) {
        if (seen.has(inode)) continue;
        seen.add(inode);
        if (inode.durable !== undefined && equal(inode.durable, inode.data)) continue;
        const torn = this.#random() < 0.5;
        if (torn) {
          // an append never destroys what was already durable; a rewrite may be cut anywhere
          const d = inode.durable;
          const base =
            d !== undefined &&
            d.length <= inode.data.length &&
            equal(d, inode.data.subarray(0, d.length))
              ? d.length
              : 0;
          const cut = base + Math.floor(this.#random() * (inode.data.length - base + 1));
          inode.data = inode.data.slice(0, cut);
        } else {
          inode.data = inode.durable?.slice() ?? new Uint8Array(0);
        }
        inode.durable = inode.data.slice();
      }
    }
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
