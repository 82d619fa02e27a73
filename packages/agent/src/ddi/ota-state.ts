import { dirnameOf, writeFileAtomic, type Disk } from '../disk/disk.js';
import { DdiError } from './errors.js';
import type { DdiFeedback } from './model.js';

/**
 * The OTA action in flight, kept on the device's disk (written atomically) so its
 * result can be reported after the reboot that decides it, and a final report that
 * could not be sent yet is retried on the next poll.
 */
export interface OtaState {
  readonly version: 1;
  readonly actionId: string;
  /**
   * installing: download+install running; installed: waiting for the trial boot; report:
   * final feedback to send; downloaded: the action's bundle is verified and staged, waiting
   * for the server to allow the install (download-only, maintenance window).
   */
  readonly stage: 'installing' | 'installed' | 'report' | 'downloaded';
  /** Install-log length when the action started: later entries belong to it. */
  readonly logFrom: number;
  /** report: the final feedback; downloaded: the 'downloaded' feedback not yet sent. */
  readonly feedback?: DdiFeedback;
  /** downloaded: the staged bundle. */
  readonly staged?: {
    readonly path: string;
    readonly sha256: string;
    readonly size: number;
    readonly filename: string;
  };
}

const STAGES: readonly string[] = ['installing', 'installed', 'report', 'downloaded'];

const MAX_STATE_BYTES = 256 * 1024;

export class OtaStateStore {
  constructor(
    private readonly disk: Disk,
    readonly path: string,
  ) {}

  async read(): Promise<OtaState | undefined> {
    const raw = await this.disk.read(this.path);
    if (raw === undefined) return undefined;
    if (raw.length > MAX_STATE_BYTES)
      throw new DdiError(
        'DDI_STATE_CORRUPT',
        `OTA state ${this.path} is larger than ${MAX_STATE_BYTES} bytes`,
      );
    try {
      const s = JSON.parse(Buffer.from(raw).toString('utf8')) as Partial<OtaState> | null;
      if (
        s?.version !== 1 ||
        typeof s.actionId !== 'string' ||
        !STAGES.includes(s.stage ?? '') ||
        typeof s.logFrom !== 'number' ||
        (s.stage === 'downloaded' &&
          (typeof s.staged?.path !== 'string' ||
            typeof s.staged.sha256 !== 'string' ||
            typeof s.staged.size !== 'number' ||
            typeof s.staged.filename !== 'string'))
      )
        throw new Error('wrong shape');
      return s as OtaState;
    } catch (err) {
      throw new DdiError(
        'DDI_STATE_CORRUPT',
        `OTA state ${this.path} is unreadable (${err instanceof Error ? err.message : String(err)}); it is written atomically, so this is storage damage: remove it and the server will re-offer the deployment`,
        { cause: err },
      );
    }
  }

  async write(state: OtaState): Promise<void> {
    await writeFileAtomic(this.disk, this.path, Buffer.from(JSON.stringify(state)));
  }

  async clear(): Promise<void> {
    if ((await this.disk.read(this.path)) === undefined) return;
    await this.disk.remove(this.path);
    await this.disk.fsyncDir(dirnameOf(this.path));
  }
}
