import { AgentError } from '../errors.js';
import { runTool } from '../tools/run.js';
import { UINT64_MAX, type CounterStore } from './counter.js';

export interface TpmCounterOptions {
  /** NV index of the monotonic counter (nt=counter). Default 0x1500016. */
  readonly counterIndex?: number;
  /** NV index holding the counter's base value, written once and write-locked. Default 0x1500017. */
  readonly baseIndex?: number;
  /** TCTI for tpm2-tools, e.g. "device:/dev/tpmrm0" or "swtpm:host=127.0.0.1,port=2321". */
  readonly tcti?: string;
  /** Most increments one raise may take (each is one TPM command). Default 10 000. */
  readonly maxStep?: number;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/**
 * Anti-rollback counter in a TPM 2.0 NV counter index (monotonic by hardware), driven
 * through tpm2-tools. A TPM initialises a new counter to the highest value any counter on
 * that TPM ever had, so the store keeps that starting value in a second NV index, written
 * once at provisioning and then write-locked; the counter's meaning is `raw - base`.
 * Raising to N increments the NV counter until it reaches base + N; products that use a
 * TPM counter should therefore use dense sequence numbers (1, 2, 3 …), and `maxStep`
 * bounds the TPM commands one raise may issue.
 */
export class TpmCounterStore implements CounterStore {
  readonly kind = 'tpm' as const;
  readonly description: string;
  readonly #counter: string;
  readonly #base: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #maxStep: bigint;

  constructor(opts: TpmCounterOptions = {}) {
    this.#counter = hex(opts.counterIndex ?? 0x1500016);
    this.#base = hex(opts.baseIndex ?? 0x1500017);
    this.#env = opts.tcti ? { ...process.env, TPM2TOOLS_TCTI: opts.tcti } : process.env;
    this.#maxStep = BigInt(opts.maxStep ?? 10_000);
    this.description = `TPM NV counter ${this.#counter} (base ${this.#base})`;
  }

  async #readU64(index: string): Promise<bigint | undefined> {
    try {
      const { stdout } = await runTool('tpm2_nvread', ['-C', 'o', '-s', '8', index], {
        env: this.#env,
      });
      if (stdout.length !== 8) {
        throw new AgentError(
          'COUNTER_CORRUPT',
          `tpm2_nvread ${index} returned ${stdout.length} bytes, expected 8`,
        );
      }
      return stdout.readBigUInt64BE(0);
    } catch (err) {
      if (
        err instanceof AgentError &&
        err.code === 'TOOL_FAILED' &&
        /0x18b|not defined|handle/i.test(err.message)
      ) {
        return undefined;
      }
      throw err;
    }
  }

  /**
   * Define the two NV indices on a fresh TPM (idempotent). The counter is incremented
   * once (a counter cannot be read before its first increment) and its value becomes
   * the base, so the logical counter starts at 0.
   */
  async provision(): Promise<void> {
    if ((await this.#readU64(this.#base)) !== undefined) return;
    if ((await this.#readU64(this.#counter)) === undefined) {
      await runTool(
        'tpm2_nvdefine',
        [
          '-C',
          'o',
          '-s',
          '8',
          '-a',
          'ownerread|ownerwrite|authread|authwrite|nt=counter',
          this.#counter,
        ],
        { env: this.#env },
      ).catch(() => undefined); // defined but never incremented: fine, increment below
      await runTool('tpm2_nvincrement', ['-C', 'o', this.#counter], { env: this.#env });
    }
    const raw = await this.#readU64(this.#counter);
    if (raw === undefined)
      throw new AgentError(
        'COUNTER_UNAVAILABLE',
        `TPM counter ${this.#counter} could not be read after provisioning`,
      );
    await runTool(
      'tpm2_nvdefine',
      [
        '-C',
        'o',
        '-s',
        '8',
        '-a',
        'ownerread|ownerwrite|authread|authwrite|writedefine',
        this.#base,
      ],
      {
        env: this.#env,
      },
    );
    const buf = Buffer.alloc(8);
    buf.writeBigUInt64BE(raw);
    await runTool('tpm2_nvwrite', ['-C', 'o', '-i', '-', this.#base], {
      env: this.#env,
      input: buf,
    });
    await runTool('tpm2_nvwritelock', ['-C', 'o', this.#base], { env: this.#env });
  }

  async #state(): Promise<{ raw: bigint; base: bigint }> {
    const base = await this.#readU64(this.#base);
    const raw = await this.#readU64(this.#counter);
    if (base === undefined || raw === undefined) {
      throw new AgentError(
        'COUNTER_UNAVAILABLE',
        `${this.description} is not provisioned: run the agent's provisioning step (TpmCounterStore.provision) at manufacture`,
      );
    }
    if (raw < base)
      throw new AgentError('COUNTER_CORRUPT', `TPM counter ${raw} is below its base ${base}`);
    return { raw, base };
  }

  async read(): Promise<bigint> {
    const { raw, base } = await this.#state();
    return raw - base;
  }

  async raise(value: bigint): Promise<void> {
    if (value < 0n || value > UINT64_MAX)
      throw new AgentError('COUNTER_INVALID', `counter value ${value} is outside 0..2^64-1`);
    const { raw, base } = await this.#state();
    const current = raw - base;
    if (value < current) {
      throw new AgentError(
        'COUNTER_LOWER',
        `refusing to lower the anti-rollback counter from ${current} to ${value}`,
      );
    }
    const steps = value - current;
    if (steps > this.#maxStep) {
      throw new AgentError(
        'COUNTER_INVALID',
        `raising the TPM counter from ${current} to ${value} takes ${steps} increments, more than the limit of ${this.#maxStep}; ` +
          'use dense sequence numbers with a TPM counter, or raise maxStep',
      );
    }
    for (let i = 0n; i < steps; i++) {
      await runTool('tpm2_nvincrement', ['-C', 'o', this.#counter], { env: this.#env });
    }
  }
}
