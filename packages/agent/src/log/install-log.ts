import { createHash } from 'node:crypto';
import type { Disk } from '../disk/disk.js';
import { AgentError } from '../errors.js';

/** What happened, one per install-log record. */
export type InstallEvent =
  | 'VERIFIED'
  | 'REJECTED'
  | 'WRITTEN'
  | 'TRIAL_BOOT'
  | 'COMMITTED'
  | 'FELL_BACK'
  | 'MARKED_GOOD'
  | 'MARKED_BAD';

export interface InstallLogEntry {
  /** 0-based position in the log. */
  readonly seq: number;
  readonly time: string;
  readonly event: InstallEvent;
  /** Typed error code for REJECTED / FELL_BACK. */
  readonly code?: string;
  readonly detail?: string;
  readonly slot?: string;
  readonly sequenceNumber?: string;
  readonly source?: string;
  /** hex SHA-256 of the previous record's line ('' for the first). */
  readonly prev: string;
}

export type NewInstallLogEntry = Omit<InstallLogEntry, 'seq' | 'time' | 'prev'>;

const MAX_LOG_BYTES = 8 * 1024 * 1024;
const sha256hex = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * The device's append-only, hash-chained install log: one JSON line per event, each
 * carrying the SHA-256 of the line before it, appended and fsynced before the agent
 * moves on. It survives reboots; a power cut can only leave a torn last line, which is
 * dropped on read (it was never acknowledged). Any other damage is reported by verify().
 */
export class InstallLog {
  constructor(
    private readonly disk: Disk,
    private readonly path: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async #lines(): Promise<string[]> {
    const raw = await this.disk.read(this.path);
    if (!raw) return [];
    if (raw.length > MAX_LOG_BYTES) {
      throw new AgentError(
        'LOG_TOO_LARGE',
        `install log ${this.path} is larger than ${MAX_LOG_BYTES} bytes`,
      );
    }
    const text = Buffer.from(raw).toString('utf8');
    const lines = text.split('\n');
    lines.pop(); // text after the last newline: empty, or a torn record
    return lines;
  }

  /** All complete records, in order (not verified: see verify()). */
  async entries(): Promise<InstallLogEntry[]> {
    return (await this.#lines()).map((l) => JSON.parse(l) as InstallLogEntry);
  }

  async append(entry: NewInstallLogEntry): Promise<InstallLogEntry> {
    const lines = await this.#lines();
    const raw = await this.disk.read(this.path);
    const complete = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    if (raw && raw.length !== complete) {
      // drop a torn tail left by a power cut before appending after it
      await this.disk.write(this.path, raw.subarray(0, complete));
      await this.disk.fsync(this.path);
    }
    const last = lines.at(-1);
    const record: InstallLogEntry = {
      seq: lines.length,
      time: this.clock().toISOString(),
      ...entry,
      prev: last === undefined ? '' : sha256hex(last),
    };
    await this.disk.append(this.path, Buffer.from(JSON.stringify(record) + '\n'));
    await this.disk.fsync(this.path);
    return record;
  }

  /** Check the chain; returns the number of records, or throws naming the first bad one. */
  async verify(): Promise<number> {
    const lines = await this.#lines();
    let prev = '';
    lines.forEach((line, i) => {
      let rec: InstallLogEntry;
      try {
        rec = JSON.parse(line) as InstallLogEntry;
      } catch {
        throw new AgentError('LOG_CORRUPT', `install log record ${i} is not valid JSON`);
      }
      if (rec.seq !== i || rec.prev !== prev) {
        throw new AgentError(
          'LOG_CORRUPT',
          `install log record ${i} does not chain to record ${i - 1} (edited, removed or reordered)`,
        );
      }
      prev = sha256hex(line);
    });
    return lines.length;
  }
}
