/**
 * OTA over hawkBit DDI: poll the controller base, follow deploymentBase / cancelAction /
 * configData, stream the `.cairn` artifact (resumable) into the one install pipeline, and
 * report every stage as DDI feedback. The action in flight is persisted on the device's
 * disk so the verdict of the trial boot (commit or fallback) is reported after reboot.
 *
 * When the server asks for the download but not the install (`update: skip`: a hawkBit
 * download-only action, or a deployment outside its maintenance window), the bundle is
 * downloaded into the staging area, verified without installing it, and reported as
 * `downloaded`; a later deployment of the same artifact installs from the staged copy.
 */
import { BaseError } from '@cairn/core';
import { dirnameOf, type Disk } from '../disk/disk.js';
import type { BootResult, InstallResult, UpdateAgent } from '../install/agent.js';
import { classifyRejection } from '../install/errors.js';
import type { InstallLogEntry } from '../log/install-log.js';
import type { DdiClient } from './client.js';
import {
  downloadArtifact,
  downloadHref,
  type DownloadOptions,
  type DownloadStats,
} from './download.js';
import { DdiError } from './errors.js';
import { feedback, STAGES } from './feedback.js';
import {
  actionIdFromHref,
  type DdiArtifact,
  type DdiChunk,
  type DdiDeploymentBase,
  type DdiFeedback,
} from './model.js';
import { OtaStateStore, type OtaState } from './ota-state.js';
import { parsePollingSleep, PollSchedule, type PollScheduleOptions } from './polling.js';
import { StagingArea, type PartialBundle, type StagedBundle } from './staging.js';

export interface OtaUpdaterOptions {
  readonly client: DdiClient;
  readonly agent: UpdateAgent;
  /** Where the in-flight action is kept (the agent's data disk). */
  readonly disk: Disk;
  /** Default "/data/ota.json". */
  readonly statePath?: string;
  /**
   * Where a bundle downloaded ahead of its install waits (download-only, maintenance
   * window); at most one bundle. Default: "staged" next to the state file.
   */
  readonly stagingDir?: string;
  /** Device attributes sent when the server asks (`configData` link). */
  readonly attributes?: () =>
    Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>;
  /** Which artifact to install; default: the first whose filename ends in ".cairn". */
  readonly selectArtifact?: (chunks: readonly DdiChunk[]) => DdiArtifact | undefined;
  readonly download?: DownloadOptions;
  readonly schedule?: PollScheduleOptions;
  /** Sleep between polls; resolves early (or rejects) when the signal aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly clock?: () => Date;
}

export type PollOutcome =
  | { readonly kind: 'idle' }
  | { readonly kind: 'installed'; readonly actionId: string; readonly install: InstallResult }
  | { readonly kind: 'awaiting-reboot'; readonly actionId: string }
  | {
      readonly kind: 'rejected';
      readonly actionId: string;
      readonly code: string;
      readonly error: unknown;
    }
  | { readonly kind: 'canceled'; readonly actionId: string; readonly accepted: boolean }
  | { readonly kind: 'deferred'; readonly actionId: string; readonly reason: string }
  | {
      /**
       * The server asked for the download only (`update: skip`): the bundle is verified and
       * staged at `path`, reported as `downloaded`; it installs from there once allowed.
       */
      readonly kind: 'downloaded';
      readonly actionId: string;
      readonly path: string;
      readonly sha256: string;
      /** Why it is not installed: 'download-only' or 'maintenance-window'. */
      readonly waitingFor: 'download-only' | 'maintenance-window';
      /** False when nothing was downloaded in this poll (staged by an earlier one). */
      readonly downloadedNow: boolean;
    }
  | { readonly kind: 'failed'; readonly error: unknown };

export interface PollCycle {
  readonly outcome: PollOutcome;
  /** When to poll again (server sleep with jitter, or error backoff). */
  readonly nextPollMs: number;
}

export const defaultSelectArtifact = (chunks: readonly DdiChunk[]): DdiArtifact | undefined =>
  chunks.flatMap((c) => c.artifacts).find((a) => a.filename.toLowerCase().endsWith('.cairn'));

const isPowerCut = (err: unknown): boolean => err instanceof BaseError && err.code === 'POWER_CUT';

const messageOf = (err: unknown): string =>
  err instanceof BaseError
    ? `${err.code}: ${err.message}`
    : err instanceof Error
      ? err.message
      : String(err);

export class OtaUpdater {
  readonly state: OtaStateStore;
  readonly staging: StagingArea;
  readonly #o: OtaUpdaterOptions;
  readonly #schedule: PollSchedule;
  /** Feedback posts that failed (intermediate stages are best effort). */
  feedbackFailures = 0;

  constructor(options: OtaUpdaterOptions) {
    this.#o = options;
    this.state = new OtaStateStore(options.disk, options.statePath ?? '/data/ota.json');
    this.staging = new StagingArea(
      options.disk,
      options.stagingDir ?? `${dirnameOf(this.state.path)}/staged`,
    );
    this.#schedule = new PollSchedule(options.schedule);
  }

  #now(): Date {
    return (this.#o.clock ?? (() => new Date()))();
  }

  async #logSince(from: number): Promise<InstallLogEntry[]> {
    return (await this.#o.agent.log()).slice(from);
  }

  async #progress(actionId: string, fb: DdiFeedback): Promise<void> {
    try {
      await this.#o.client.sendFeedback(actionId, fb);
    } catch (err) {
      if (err instanceof DdiError && err.code === 'DDI_UNAUTHORIZED') throw err;
      this.feedbackFailures++; // intermediate stage: the final report is persisted and retried
    }
  }

  /** Persist a final report, then try to send it; it stays queued until the server took it. */
  async #final(actionId: string, logFrom: number, fb: DdiFeedback): Promise<void> {
    await this.state.write({ version: 1, actionId, stage: 'report', logFrom, feedback: fb });
    await this.flushReport();
  }

  /**
   * Send a queued report (a final one from before a reboot or a failed post, or a
   * `downloaded` one). True when none is left.
   */
  async flushReport(): Promise<boolean> {
    const s = await this.state.read();
    if (s?.feedback === undefined) return s?.stage !== 'report';
    if (s.stage !== 'report') {
      try {
        await this.#o.client.sendFeedback(s.actionId, s.feedback);
      } catch (err) {
        // the action is gone (canceled, or finished by the server): nobody waits for it
        if (!(err instanceof DdiError && err.code === 'DDI_NOT_FOUND')) throw err;
      }
      const { feedback: _sent, ...rest } = s;
      await this.state.write(rest);
      return true;
    }
    await this.#o.client.sendFeedback(s.actionId, s.feedback);
    await this.state.clear();
    return true;
  }

  /** One poll cycle. Never throws for server trouble: that is a `failed` outcome with backoff. */
  async pollOnce(): Promise<PollCycle> {
    try {
      await this.flushReport();
      const base = await this.#o.client.poll();
      const sleepMs = parsePollingSleep(base.config.polling.sleep);
      const links = base._links;
      if (links.configData && this.#o.attributes) {
        await this.#o.client.putConfigData(
          { mode: 'merge', data: await this.#o.attributes() },
          links.configData.href,
        );
      }
      let outcome: PollOutcome = { kind: 'idle' };
      if (links.cancelAction) outcome = await this.#cancel(links.cancelAction.href);
      else if (links.deploymentBase) outcome = await this.#deploy(links.deploymentBase.href);
      return { outcome, nextPollMs: this.#schedule.success(sleepMs) };
    } catch (error) {
      return { outcome: { kind: 'failed', error }, nextPollMs: this.#schedule.failure() };
    }
  }

  async #cancel(href: string): Promise<PollOutcome> {
    const c = await this.#o.client.cancelAction(href);
    const stopId = c.cancelAction.stopId;
    const s = await this.state.read();
    const inFlight = s?.actionId === stopId;
    if (inFlight && (s.stage === 'installed' || s.stage === 'report')) {
      await this.#o.client.sendCancelFeedback(
        c.id,
        feedback(
          'rejected',
          'none',
          undefined,
          [
            `cannot cancel action ${stopId}: the update is already installed and waiting for its trial boot`,
          ],
          [],
          this.#now(),
        ),
      );
      return { kind: 'canceled', actionId: stopId, accepted: false };
    }
    await this.#o.client.sendCancelFeedback(
      c.id,
      feedback(
        'closed',
        'success',
        undefined,
        [
          `action ${stopId} canceled; nothing was installed${inFlight && s.stage === 'downloaded' ? '; the staged bundle was removed' : ''}`,
        ],
        [],
        this.#now(),
      ),
    );
    if (inFlight && s.stage === 'downloaded') await this.staging.clear();
    if (inFlight) await this.state.clear();
    return { kind: 'canceled', actionId: stopId, accepted: true };
  }

  async #deploy(href: string): Promise<PollOutcome> {
    const actionId = actionIdFromHref(href);
    const s = await this.state.read();
    if (s?.actionId === actionId && s.stage === 'installed')
      return { kind: 'awaiting-reboot', actionId };
    const dep = await this.#o.client.deploymentBase(href);
    if (dep.id !== actionId)
      throw new DdiError(
        'DDI_PROTOCOL',
        `deployment base for action ${actionId} names action ${dep.id}`,
      );
    if (dep.deployment.download === 'skip') {
      return {
        kind: 'deferred',
        actionId,
        reason:
          'the server asks not to download yet (download: skip); asking again at the next poll',
      };
    }
    const logFrom = (await this.#o.agent.log()).length;
    const artifact = (this.#o.selectArtifact ?? defaultSelectArtifact)(dep.deployment.chunks);
    if (artifact === undefined) {
      const err = new DdiError(
        'DDI_NO_ARTIFACT',
        `action ${actionId} has no .cairn artifact (got: ${dep.deployment.chunks.flatMap((c) => c.artifacts.map((a) => a.filename)).join(', ') || 'none'})`,
      );
      await this.#final(
        actionId,
        logFrom,
        feedback('closed', 'failure', STAGES.done, [messageOf(err)], [], this.#now()),
      );
      return { kind: 'rejected', actionId, code: err.code, error: err };
    }
    if (dep.deployment.update === 'skip')
      return this.#stage(actionId, artifact, dep.deployment, s, logFrom);
    const staged = await this.#findStaged(artifact);
    await this.state.write({ version: 1, actionId, stage: 'installing', logFrom });
    await this.#progress(
      actionId,
      feedback(
        'proceeding',
        'none',
        STAGES.downloading,
        staged.bundle
          ? [
              `installing ${artifact.filename} (${artifact.size} bytes) from the copy staged earlier (sha256 ${staged.bundle.sha256}); nothing to download`,
            ]
          : [
              `downloading ${artifact.filename} (${artifact.size} bytes)`,
              ...(staged.note === undefined ? [] : [staged.note]),
            ],
        [],
        this.#now(),
      ),
    );
    let install: InstallResult;
    try {
      install = staged.bundle
        ? await this.#o.agent.install(this.staging.read(staged.bundle), {
            origin: `ddi:action/${actionId}/${artifact.filename}@staged`,
          })
        : await this.#installFrom(
            artifact,
            downloadHref(artifact, this.#o.client.controllerUrl.startsWith('https:')),
            actionId,
          );
    } catch (err) {
      const cause =
        err instanceof BaseError && err.cause instanceof DdiError ? [messageOf(err.cause)] : [];
      // a refused staged bundle is of no further use: a re-offered action downloads again
      if (staged.bundle && !isPowerCut(err)) await this.staging.clear();
      return this.#rejected(actionId, logFrom, err, cause);
    }
    await this.state.write({ version: 1, actionId, stage: 'installed', logFrom });
    // installed: a staged bundle (this one, or one for another release) has served its turn
    await this.staging.clear();
    const log = await this.#logSince(logFrom);
    await this.#progress(
      actionId,
      feedback(
        'proceeding',
        'none',
        STAGES.verified,
        [
          staged.bundle
            ? `verified the staged ${artifact.filename}`
            : `downloaded and verified ${artifact.filename}`,
        ],
        log.filter((e) => e.event === 'VERIFIED'),
        this.#now(),
      ),
    );
    await this.#progress(
      actionId,
      feedback(
        'proceeding',
        'none',
        STAGES.installed,
        [
          `installed into slot ${install.slot} (sequence number ${install.sequenceNumber}); awaiting reboot for the trial boot`,
        ],
        log,
        this.#now(),
      ),
    );
    return { kind: 'installed', actionId, install };
  }

  /**
   * The staged copy of this artifact, if one is on the device and reads back with the
   * SHA-256 the server announces (a damaged copy is removed; `note` says so).
   */
  async #findStaged(artifact: DdiArtifact): Promise<{ bundle?: StagedBundle; note?: string }> {
    const sha = artifact.hashes.sha256;
    if (sha === undefined) return {};
    const c = await this.staging.check(sha, artifact.size);
    if (c.ok) return { bundle: c.bundle };
    return c.reason === 'not staged' ? {} : { note: `${c.reason}; downloading it again` };
  }

  /**
   * `update: skip`: download the bundle into the staging area, verify it without installing
   * (the install pipeline's checks), and report `downloaded`. A bundle already staged with
   * the announced SHA-256 is not downloaded again.
   */
  async #stage(
    actionId: string,
    artifact: DdiArtifact,
    deployment: DdiDeploymentBase['deployment'],
    s: OtaState | undefined,
    logFrom: number,
  ): Promise<PollOutcome> {
    const waitingFor =
      deployment.maintenanceWindow === 'unavailable' ? 'maintenance-window' : 'download-only';
    const why =
      waitingFor === 'download-only'
        ? 'the action is download-only'
        : 'the deployment is outside its maintenance window';
    const sha = artifact.hashes.sha256;
    if (
      s?.actionId === actionId &&
      s.stage === 'downloaded' &&
      s.staged !== undefined &&
      (sha === undefined || s.staged.sha256 === sha) &&
      (await this.staging.present(s.staged.sha256, s.staged.size))
    ) {
      // staged by an earlier poll (or before a restart): nothing to do until the server allows the install
      return {
        kind: 'downloaded',
        actionId,
        path: s.staged.path,
        sha256: s.staged.sha256,
        waitingFor,
        downloadedNow: false,
      };
    }
    if (s !== undefined && s.actionId !== actionId && s.stage === 'installed') {
      return {
        kind: 'deferred',
        actionId,
        reason: `action ${s.actionId} is installed and waits for its trial boot; action ${actionId} is staged after the reboot`,
      };
    }
    const origin = `ddi:action/${actionId}/${artifact.filename}`;
    const detail = `staged, not installed: ${why}`;
    const reuse = await this.#findStaged(artifact);
    let bundle: StagedBundle;
    let downloadedNow: boolean;
    if (reuse.bundle) {
      // the same artifact was staged for another action (or before a power cut)
      bundle = reuse.bundle;
      downloadedNow = false;
      try {
        await this.#o.agent.verifyStaged(this.staging.read(bundle), { origin, detail });
      } catch (err) {
        if (!isPowerCut(err)) await this.staging.remove(bundle.sha256);
        return this.#stagingFailed(actionId, logFrom, err);
      }
    } else {
      await this.#progress(
        actionId,
        feedback(
          'proceeding',
          'none',
          STAGES.downloading,
          [
            `downloading ${artifact.filename} (${artifact.size} bytes) to stage it; not installing it yet: ${why}`,
            ...(reuse.note === undefined ? [] : [reuse.note]),
          ],
          [],
          this.#now(),
        ),
      );
      let partial: PartialBundle;
      try {
        partial = await this.#downloadToStaging(artifact);
      } catch (err) {
        return this.#stagingFailed(actionId, logFrom, err);
      }
      try {
        await this.#o.agent.verifyStaged(this.staging.read(partial), { origin, detail });
      } catch (err) {
        if (!isPowerCut(err)) await this.staging.discard(partial);
        return this.#stagingFailed(actionId, logFrom, err);
      }
      bundle = await this.staging.commit(partial);
      downloadedNow = true;
    }
    const log = await this.#logSince(logFrom);
    const staged = log.findLast((e) => e.event === 'STAGED');
    const fb = feedback(
      'downloaded',
      'none',
      STAGES.verified,
      [
        `downloaded and verified ${artifact.filename}${staged?.sequenceNumber === undefined ? '' : ` (sequence number ${staged.sequenceNumber})`}; not installed: ${why}. It installs from the staged copy (sha256 ${bundle.sha256}) once the server allows the update`,
      ],
      log,
      this.#now(),
    );
    await this.state.write({
      version: 1,
      actionId,
      stage: 'downloaded',
      logFrom,
      staged: { ...bundle, filename: artifact.filename },
      feedback: fb,
    });
    try {
      await this.flushReport();
    } catch (err) {
      if (!(err instanceof DdiError) || err.code === 'DDI_UNAUTHORIZED') throw err;
      this.feedbackFailures++; // kept in the state file and sent at the next poll
    }
    return {
      kind: 'downloaded',
      actionId,
      path: bundle.path,
      sha256: bundle.sha256,
      waitingFor,
      downloadedNow,
    };
  }

  /** The artifact, resumably downloaded into a partial file of the staging area. */
  #downloadToStaging(artifact: DdiArtifact): Promise<PartialBundle> {
    const href = downloadHref(artifact, this.#o.client.controllerUrl.startsWith('https:'));
    return this.staging.writePartial(
      () =>
        downloadArtifact(
          this.#o.client,
          artifact,
          href,
          { received: 0, resumes: 0, requests: 0 },
          this.#o.download,
        ),
      // the server ignored a Range request: start the file over, once
      (err) => err instanceof DdiError && err.details?.['rangeIgnored'] === true,
    );
  }

  async #stagingFailed(actionId: string, logFrom: number, err: unknown): Promise<PollOutcome> {
    if (isPowerCut(err)) throw err;
    return this.#rejected(actionId, logFrom, err);
  }

  /** Report `err` as closed/failure (`REJECTED <code>: …`) and return the rejected outcome. */
  async #rejected(
    actionId: string,
    logFrom: number,
    err: unknown,
    extra: readonly string[] = [],
  ): Promise<PollOutcome> {
    const code = err instanceof DdiError ? err.code : classifyRejection(err);
    await this.#final(
      actionId,
      logFrom,
      feedback(
        'closed',
        'failure',
        STAGES.done,
        [`REJECTED ${code}: ${messageOf(err)}`, ...extra],
        await this.#logSince(logFrom),
        this.#now(),
      ),
    );
    return { kind: 'rejected', actionId, code, error: err };
  }

  /**
   * Download into the install pipeline. A download failure aborts the install through its
   * AbortSignal (so the install log records ABORTED, not a format error); if the server
   * ignored a Range request, the install restarts once from byte 0.
   */
  async #installFrom(
    artifact: DdiArtifact,
    href: string,
    actionId: string,
  ): Promise<InstallResult> {
    for (let attempt = 1; ; attempt++) {
      const ctl = new AbortController();
      const stats: DownloadStats = { received: 0, resumes: 0, requests: 0 };
      let failure: unknown;
      const src = downloadArtifact(this.#o.client, artifact, href, stats, {
        ...this.#o.download,
        onResume: (offset, n) => {
          this.#o.download?.onResume?.(offset, n);
        },
      });
      const guarded = (async function* () {
        try {
          yield* src;
        } catch (err) {
          failure = err;
          ctl.abort(err);
        }
      })();
      try {
        return await this.#o.agent.install(guarded, {
          origin: `ddi:action/${actionId}/${artifact.filename}`,
          signal: ctl.signal,
        });
      } catch (err) {
        if (failure === undefined) throw err;
        const rangeIgnored =
          failure instanceof DdiError && failure.details?.['rangeIgnored'] === true;
        if (rangeIgnored && attempt === 1) continue;
        throw failure instanceof Error
          ? failure
          : new DdiError('DDI_DOWNLOAD_FAILED', `download failed: ${messageOf(failure)}`);
      }
    }
  }

  /**
   * Report the verdict of a boot to the server (call with what `agent.onBoot()` returned).
   * Commit → closed/success; fallback → closed/failure TRIAL_BOOT_FAILED; both with the
   * action's install-log lines. The report is persisted first and retried on later polls.
   */
  async reportBoot(result: BootResult): Promise<DdiFeedback | undefined> {
    const s = await this.state.read();
    if (s === undefined || s.stage === 'report' || s.stage === 'downloaded') {
      // downloaded: a staged bundle is not what booted; only a queued report is sent
      if (s) await this.flushReport().catch(() => false);
      return undefined;
    }
    const log = await this.#logSince(s.logFrom);
    let fb: DdiFeedback;
    if (result.outcome === 'committed') {
      fb = feedback(
        'closed',
        'success',
        STAGES.done,
        [`COMMITTED slot ${result.slot} (sequence number ${result.sequenceNumber})`],
        log,
        this.#now(),
      );
    } else if (result.outcome === 'fell-back') {
      fb = feedback(
        'closed',
        'failure',
        STAGES.done,
        [
          `REJECTED TRIAL_BOOT_FAILED: slot ${result.failedSlot} did not boot; fell back to slot ${result.slot}`,
        ],
        log,
        this.#now(),
      );
    } else if (result.outcome === 'trial-failed') {
      await this.#progress(
        s.actionId,
        feedback(
          'proceeding',
          'none',
          STAGES.installed,
          [
            `HEALTH_CHECK_FAILED: slot ${result.slot} failed its health check; falling back on the next boot`,
          ],
          log,
          this.#now(),
        ),
      );
      return undefined;
    } else if (s.stage === 'installing') {
      await this.state.clear(); // power lost before the install armed a trial: the server re-offers it
      return undefined;
    } else {
      const last = (await this.#o.agent.status()).lastResult;
      fb =
        last?.outcome === 'committed'
          ? feedback(
              'closed',
              'success',
              STAGES.done,
              [`COMMITTED slot ${result.slot}`],
              log,
              this.#now(),
            )
          : feedback(
              'closed',
              'failure',
              STAGES.done,
              [
                `REJECTED ${last?.code ?? 'NOT_BOOTED'}: the installed update is not running (slot ${result.slot} booted)`,
              ],
              log,
              this.#now(),
            );
    }
    await this.state.write({
      version: 1,
      actionId: s.actionId,
      stage: 'report',
      logFrom: s.logFrom,
      feedback: fb,
    });
    await this.flushReport().catch(() => false);
    return fb;
  }

  /** For a real device: run the agent's boot step, then report it. */
  async onBoot(): Promise<BootResult> {
    const r = await this.#o.agent.onBoot();
    await this.reportBoot(r);
    return r;
  }

  /**
   * Poll until an update is installed (resolves with it: the caller reboots) or the signal
   * aborts (resolves undefined).
   */
  async run(signal?: AbortSignal): Promise<PollOutcome | undefined> {
    const sleep =
      this.#o.sleep ??
      ((ms: number, sig?: AbortSignal) =>
        new Promise<void>((resolve) => {
          const t = setTimeout(resolve, ms);
          sig?.addEventListener(
            'abort',
            () => {
              clearTimeout(t);
              resolve();
            },
            { once: true },
          );
        }));
    while (signal?.aborted !== true) {
      const cycle = await this.pollOnce();
      if (cycle.outcome.kind === 'installed' || cycle.outcome.kind === 'awaiting-reboot')
        return cycle.outcome;
      await sleep(cycle.nextPollMs, signal);
    }
    return undefined;
  }
}
