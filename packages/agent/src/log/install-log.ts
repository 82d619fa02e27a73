import { createHash } from 'node:crypto';
import { dirnameOf, type Disk } from '../disk/disk.js';
import { AgentError } from '../errors.js';

/** What happened, one per install-log record. */
export type InstallEvent =
  | 'VERIFIED'
  /** A bundle verified and kept for a later install (download-only, maintenance window). */
  | 'STAGED'
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

/** A log file is rotated (to `<path>.1`, one generation kept) before it passes this size. */
const ROTATE_AT_BYTES = 1024 * 1024;
/** Hard cap on what is read from disk (a damaged file larger than this is refused). */
const MAX_LOG_BYTES = 4 * ROTATE_AT_BYTES;
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
    private readonly rotateAtBytes = ROTATE_AT_BYTES,
  ) {}

  async #lines(path = this.path): Promise<string[]> {
    const raw = await this.disk.read(path);
    if (!raw) return [];
    if (raw.length > MAX_LOG_BYTES) {
      throw new AgentError(
        'LOG_TOO_LARGE',
        `install log ${path} is larger than ${MAX_LOG_BYTES} bytes: it is damaged (logs rotate at ${this.rotateAtBytes} bytes); move it aside to continue`,
      );
    }
    const text = Buffer.from(raw).toString('utf8');
    const lines = text.split('\n');
    lines.pop(); // text after the last newline: empty, or a torn record
    return lines;
  }

  /** All complete records kept (rotated file first), in order; not verified: see verify(). */
  async entries(): Promise<InstallLogEntry[]> {
    const lines = [...(await this.#lines(`${this.path}.1`)), ...(await this.#lines())];
    return lines.map((l) => JSON.parse(l) as InstallLogEntry);
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
    const first = lines[0] === undefined ? undefined : (JSON.parse(lines[0]) as InstallLogEntry);
    const nextSeq =
      first === undefined
        ? await this.#continueFrom()
        : { seq: first.seq + lines.length, prev: '' };
    const record: InstallLogEntry = {
      seq: nextSeq.seq,
      time: this.clock().toISOString(),
      ...entry,
      prev: last === undefined ? nextSeq.prev : sha256hex(last),
    };
    const line = Buffer.from(JSON.stringify(record) + '\n');
    const rotate = complete > 0 && complete + line.length > this.rotateAtBytes;
    if (rotate) {
      // the full file becomes <path>.1 (replacing the generation before) and the chain
      // continues in a new file
      await this.disk.rename(this.path, `${this.path}.1`);
      await this.disk.fsyncDir(dirnameOf(this.path));
    }
    await this.disk.append(this.path, line);
    await this.disk.fsync(this.path);
    if (rotate || complete === 0) await this.disk.fsyncDir(dirnameOf(this.path)); // a new file
    return record;
  }

  /** Where a fresh file continues the chain: after the rotated file's last record, if any. */
  async #continueFrom(): Promise<{ seq: number; prev: string }> {
    const old = await this.#lines(`${this.path}.1`);
    const last = old.at(-1);
    if (last === undefined) return { seq: 0, prev: '' };
    return { seq: (JSON.parse(last) as InstallLogEntry).seq + 1, prev: sha256hex(last) };
  }

  /**
   * Check the chain (the current file, joined to the rotated one when present); returns
   * the number of records checked, or throws naming the first bad one.
   */
  async verify(): Promise<number> {
    const older = await this.#lines(`${this.path}.1`);
    const lines = [...older, ...(await this.#lines())];
    let prev: string | undefined;
    let seq: number | undefined;
    lines.forEach((line, i) => {
      let rec: InstallLogEntry;
      try {
        rec = JSON.parse(line) as InstallLogEntry;
      } catch {
        throw new AgentError('LOG_CORRUPT', `install log record ${i} is not valid JSON`);
      }
      // the very first record kept may continue an older, discarded generation
      if (prev !== undefined && (rec.seq !== seq || rec.prev !== prev)) {
        throw new AgentError(
          'LOG_CORRUPT',
          `install log record ${rec.seq} does not chain to the record before it (edited, removed or reordered)`,
        );
      }
      if (prev === undefined && rec.seq === 0 && rec.prev !== '') {
        throw new AgentError('LOG_CORRUPT', 'install log record 0 claims a predecessor');
      }
      prev = sha256hex(line);
      seq = rec.seq + 1;
    });
    return lines.length;
  }
}
