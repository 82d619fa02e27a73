import type { Io } from '../command.js';

/** Progress lines while the platform sets up or a demo runs: "[3/9] issuing certificates … done (42 ms)". */
export class Progress {
  readonly #io: Io;
  readonly #total: number;
  #n = 0;

  constructor(io: Io, total: number) {
    this.#io = io;
    this.#total = total;
  }

  /** Run one step and report its duration (or its failure). */
  async step<T>(label: string, fn: () => Promise<T>): Promise<T> {
    this.#n++;
    const start = Date.now();
    const head = `[${this.#n}/${this.#total}] ${label}`;
    try {
      const r = await fn();
      this.#io.err(`${head} … done (${Date.now() - start} ms)\n`);
      return r;
    } catch (err) {
      this.#io.err(`${head} … FAILED\n`);
      throw err;
    }
  }

  /** A free-form note under the current step. */
  note(text: string): void {
    this.#io.err(`      ${text}\n`);
  }
}
