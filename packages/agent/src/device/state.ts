import { writeFileAtomic, type Disk } from '../disk/disk.js';
import { AgentError } from '../errors.js';

/** What the agent knows about one slot's image (written after the slot verified). */
export interface SlotImage {
  readonly sequenceNumber: string; // decimal uint64
  readonly size: number;
  /** hex SHA-256 of the slot's image */
  readonly sha256: string;
  readonly version?: string;
  /** hex SHA-256 of the signed manifest bytes it came from */
  readonly manifestDigest: string;
  readonly installedAt: string;
}

export interface AgentState {
  readonly version: 1;
  readonly slots: Readonly<Record<string, SlotImage | undefined>>;
  /** An installed image waiting for its trial boot and health check. */
  readonly pending?: {
    readonly slot: string;
    readonly sequenceNumber: string;
    readonly since: string;
  };
  readonly lastResult?: { readonly outcome: string; readonly code?: string; readonly time: string };
}

const MAX_STATE_BYTES = 64 * 1024;

/** The agent's small state file, written atomically; a missing file is a factory-fresh device. */
export class StateStore {
  constructor(
    private readonly disk: Disk,
    private readonly path: string,
  ) {}

  async read(): Promise<AgentState> {
    const raw = await this.disk.read(this.path);
    if (raw === undefined) return { version: 1, slots: {} };
    if (raw.length > MAX_STATE_BYTES) {
      throw new AgentError(
        'BOOT_STATE_CORRUPT',
        `agent state ${this.path} is larger than ${MAX_STATE_BYTES} bytes`,
      );
    }
    try {
      const s = JSON.parse(Buffer.from(raw).toString('utf8')) as Partial<AgentState> | null;
      if (s?.version !== 1 || typeof s.slots !== 'object') throw new Error('wrong shape');
      return s as AgentState;
    } catch (err) {
      throw new AgentError(
        'BOOT_STATE_CORRUPT',
        `agent state ${this.path} is unreadable (${err instanceof Error ? err.message : String(err)}); ` +
          'it is written atomically, so this is storage damage: re-provision the state or reinstall',
      );
    }
  }

  async write(state: AgentState): Promise<void> {
    await writeFileAtomic(this.disk, this.path, Buffer.from(JSON.stringify(state, null, 1)));
  }

  async update(fn: (s: AgentState) => AgentState): Promise<AgentState> {
    const next = fn(await this.read());
    await this.write(next);
    return next;
  }
}
