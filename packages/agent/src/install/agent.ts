import { createHash } from 'node:crypto';
import {
  BaseError,
  checkAntiRollback,
  readFirmwareManifest,
  resolveSigningKey,
  verifyBundle,
  verifyEnvelope,
  verifyTlogProof,
  type FirmwareComponent,
  type FirmwareManifest,
  type NoteVerifier,
  type RevocationList,
  type TrustAnchor,
  type TrustStore,
  type VerifyBundleOptions,
} from '@cairn/core';
import type { BootControl } from '../boot/boot-control.js';
import type { CounterStore } from '../counter/counter.js';
import type { StateStore, AgentState, SlotImage } from '../device/state.js';
import type { InstallLog, InstallLogEntry } from '../log/install-log.js';
import type { SlotStorage } from '../slots/slot-storage.js';
import { classifyRejection, InstallError } from './errors.js';

export interface AgentIdentity {
  readonly vendorId: Uint8Array;
  readonly classId: Uint8Array;
}

export interface TransparencyPolicy {
  /** Refuse bundles that carry no proof. */
  readonly required: boolean;
  /** The log's checkpoint key; a proof is checked against it whenever present. */
  readonly logVerifier: NoteVerifier;
  readonly origin?: string;
}

export interface UpdateAgentOptions {
  readonly slots: SlotStorage;
  readonly boot: BootControl;
  readonly counter: CounterStore;
  readonly state: StateStore;
  readonly log: InstallLog;
  readonly anchors: TrustStore | readonly TrustAnchor[];
  readonly revoked?: RevocationList;
  readonly identity: AgentIdentity;
  readonly transparency?: TransparencyPolicy;
  /** The slot the running system booted from (e.g. from rauc.slot= on the kernel command line). */
  bootedSlot(): Promise<string>;
  /** Post-boot health check of a trial slot; default: healthy. */
  healthCheck?(slot: string): Promise<boolean>;
  readonly clock?: () => Date;
  /** Largest envelope+proof header accepted from a bundle. Default 256 KiB. */
  readonly maxHeaderBytes?: number;
}

export interface InstallResult {
  readonly slot: string;
  readonly sequenceNumber: bigint;
  readonly version?: string;
  /** The device must reboot into `slot` for the trial boot. */
  readonly rebootRequired: true;
}

/** What verifyStaged() found in a bundle it accepted. */
export interface StagedBundleInfo {
  readonly sequenceNumber: bigint;
  readonly version?: string;
  /** hex SHA-256 of the signed manifest. */
  readonly manifestDigest: string;
}

export type BootResult =
  | { readonly outcome: 'idle'; readonly slot: string }
  | { readonly outcome: 'committed'; readonly slot: string; readonly sequenceNumber: bigint }
  | { readonly outcome: 'trial-failed'; readonly slot: string; readonly rebootRequired: true }
  | { readonly outcome: 'fell-back'; readonly slot: string; readonly failedSlot: string };

export interface AgentStatus {
  readonly bootedSlot: string;
  readonly primary: string | undefined;
  readonly counter: bigint;
  readonly slots: Readonly<Record<string, { readonly state: string; readonly image?: SlotImage }>>;
  readonly pending?: AgentState['pending'];
  readonly lastResult?: AgentState['lastResult'];
}

interface VerifiedFirmware {
  readonly components: readonly FirmwareComponent[];
  readonly firmware: FirmwareManifest;
  readonly manifestDigest: string;
}

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The device update agent: one install pipeline for every delivery path (USB/SD file or
 * OTA stream). Verify the envelope (signature, chain to the device's anchors, product,
 * anti-rollback, transparency) before reading a single payload byte; stream the payload
 * into the inactive slot while verifying digest and size; read it back; arm a trial
 * boot. After reboot, `onBoot` runs the health check and commits (slot good, counter
 * raised) or records the fallback.
 */
export class UpdateAgent {
  readonly #o: UpdateAgentOptions;
  constructor(options: UpdateAgentOptions) {
    this.#o = options;
  }

  #now(): Date {
    return (this.#o.clock ?? (() => new Date()))();
  }

  async #inactive(): Promise<{ booted: string; inactive: string }> {
    const booted = await this.#o.bootedSlot();
    const inactive = this.#o.slots.slots.find((s) => s !== booted);
    if (inactive === undefined || !this.#o.slots.slots.includes(booted)) {
      throw new InstallError(
        'IO_FAILED',
        `cannot tell the inactive slot: booted '${booted}', slots ${this.#o.slots.slots.join(', ')}`,
      );
    }
    return { booted, inactive };
  }

  /** Step 2–4: signature and chain, product binding, anti-rollback. No payload byte read yet. */
  #verifyEnvelope(envelope: Uint8Array, at: Date, counter: bigint): VerifiedFirmware {
    const verified = verifyEnvelope(envelope, {
      resolveKey: (h) =>
        resolveSigningKey({
          ...(h.x5chain ? { x5chain: h.x5chain } : {}),
          ...(h.kid ? { kid: h.kid } : {}),
          anchors: this.#o.anchors,
          at,
          ...(this.#o.revoked ? { revoked: this.#o.revoked } : {}),
        }),
    });
    const firmware = readFirmwareManifest(verified.manifest);
    if (!equalBytes(firmware.vendorId, this.#o.identity.vendorId)) {
      throw new InstallError(
        'WRONG_VENDOR',
        `the update is for vendor ${firmware.vendorUuid}, not this device's vendor`,
      );
    }
    if (!equalBytes(firmware.classId, this.#o.identity.classId)) {
      throw new InstallError(
        'WRONG_CLASS',
        `the update is for device class ${firmware.classUuid}, not this device's class`,
      );
    }
    if (firmware.components.length !== 1) {
      throw new InstallError(
        'MANIFEST_UNSUPPORTED',
        `this A/B device installs one image per update; the manifest has ${firmware.components.length}`,
      );
    }
    checkAntiRollback(counter, firmware.sequenceNumber);
    return {
      components: firmware.components,
      firmware,
      manifestDigest: createHash('sha256').update(verified.manifest.bytes).digest('hex'),
    };
  }

  async #logReject(err: unknown, source: string, slot: string | undefined): Promise<InstallError> {
    const code = classifyRejection(err);
    const detail =
      err instanceof BaseError
        ? `${err.code}: ${err.message}`
        : err instanceof Error
          ? err.message
          : String(err);
    const rejected =
      err instanceof InstallError ? err : new InstallError(code, detail, { cause: err });
    await this.#o.log.append({
      event: 'REJECTED',
      code,
      detail: code === 'DOWNGRADE' ? `attempted downgrade: ${detail}` : detail,
      source,
      ...(slot ? { slot } : {}),
    });
    return rejected;
  }

  /**
   * What every bundle goes through before it is trusted: signature and chain, product,
   * anti-rollback (#verifyEnvelope), the transparency proof, the header cap. Payload
   * digests and sizes are checked by verifyBundle as the payload streams.
   */
  #checks(
    at: Date,
    counter: bigint,
    signal: AbortSignal | undefined,
  ): VerifyBundleOptions<VerifiedFirmware> {
    const t = this.#o.transparency;
    return {
      verifyEnvelope: (env) => this.#verifyEnvelope(env, at, counter),
      ...(t
        ? {
            requireProof: t.required,
            verifyProof: (proof: Uint8Array, envelope: Uint8Array) =>
              verifyTlogProof(
                proof,
                { data: envelope },
                t.logVerifier,
                t.origin ? { origin: t.origin } : {},
              ),
          }
        : {}),
      maxHeaderBytes: this.#o.maxHeaderBytes ?? 256 * 1024,
      ...(signal ? { signal } : {}),
    };
  }

  /**
   * Verify a bundle without installing it: the same checks as install() (signature and
   * chain to the anchors, vendor/class, anti-rollback against the current counter,
   * transparency proof, payload digest and size, streamed), but the payload goes nowhere
   * and no slot, boot setting or state is touched. For a bundle kept on the device for a
   * later install (hawkBit download-only, or a deployment outside its maintenance window).
   * Logged as STAGED, or REJECTED with the reason; throws the InstallError on rejection.
   */
  async verifyStaged(
    source: AsyncIterable<Uint8Array>,
    opts: { origin: string; signal?: AbortSignal; detail?: string },
  ): Promise<StagedBundleInfo> {
    const at = this.#now();
    try {
      const counter = await this.#o.counter.read();
      const result = await verifyBundle<VerifiedFirmware>(
        source,
        this.#checks(at, counter, opts.signal),
      );
      const fw = result.manifest.firmware;
      await this.#o.log.append({
        event: 'STAGED',
        source: opts.origin,
        sequenceNumber: String(fw.sequenceNumber),
        ...(opts.detail === undefined ? {} : { detail: opts.detail }),
      });
      return {
        sequenceNumber: fw.sequenceNumber,
        ...(fw.version === undefined ? {} : { version: fw.version }),
        manifestDigest: result.manifest.manifestDigest,
      };
    } catch (err) {
      if (err instanceof BaseError && err.code === 'POWER_CUT') throw err;
      throw await this.#logReject(err, opts.origin, undefined);
    }
  }

  /**
   * Install a bundle from any byte stream (a file on a USB stick, an HTTP download).
   * On success the inactive slot holds the verified image and is armed for a trial boot.
   * On failure the active slot is untouched, the inactive slot is marked bad, and the
   * reason is in the install log; the InstallError thrown carries the reason code.
   */
  async install(
    source: AsyncIterable<Uint8Array>,
    opts: { origin: string; signal?: AbortSignal },
  ): Promise<InstallResult> {
    const at = this.#now(); // one reference time for the whole verification
    let inactive: string | undefined;
    const progress = { slotTouched: false };
    try {
      const slots = await this.#inactive();
      inactive = slots.inactive;
      const state = await this.#o.state.read();
      if (state.pending) {
        throw new InstallError(
          'INSTALL_IN_PROGRESS',
          `slot ${state.pending.slot} is waiting for its trial boot; reboot (or run mark-good / mark-bad) before installing again`,
        );
      }
      const counter = await this.#o.counter.read();
      let written = 0;
      const target = inactive;
      const result = await verifyBundle<VerifiedFirmware>(source, {
        ...this.#checks(at, counter, opts.signal),
        onPayload: async (p) => {
          // the envelope verified: from here on the inactive slot is being overwritten
          await this.#o.boot.setState(target, 'bad');
          progress.slotTouched = true;
          written = await this.#o.slots.write(target, p.stream);
        },
      });
      const component = result.manifest.components[0]!;
      await this.#o.log.append({
        event: 'VERIFIED',
        source: opts.origin,
        slot: target,
        sequenceNumber: String(result.manifest.firmware.sequenceNumber),
      });
      // read back what the slot holds: storage can lie
      const h = createHash('sha256');
      let size = 0;
      for await (const chunk of this.#o.slots.read(target, component.size)) {
        h.update(chunk);
        size += chunk.length;
      }
      const sha256 = h.digest();
      if (
        written !== component.size ||
        size !== component.size ||
        !equalBytes(sha256, component.digest.value)
      ) {
        throw new InstallError(
          'SLOT_VERIFY_FAILED',
          `slot ${target} does not read back the verified image (${size} of ${component.size} bytes)`,
        );
      }
      const seq = result.manifest.firmware.sequenceNumber;
      const image: SlotImage = {
        sequenceNumber: String(seq),
        size: component.size,
        sha256: sha256.toString('hex'),
        ...(result.manifest.firmware.version === undefined
          ? {}
          : { version: result.manifest.firmware.version }),
        manifestDigest: result.manifest.manifestDigest,
        installedAt: at.toISOString(),
      };
      await this.#o.log.append({
        event: 'WRITTEN',
        slot: target,
        sequenceNumber: String(seq),
        source: opts.origin,
      });
      await this.#o.state.update((s) => ({
        ...s,
        slots: { ...s.slots, [target]: image },
        pending: { slot: target, sequenceNumber: String(seq), since: at.toISOString() },
      }));
      await this.#o.boot.setPrimary(target); // the trial boot is armed from here on
      await this.#o.log.append({ event: 'TRIAL_BOOT', slot: target, sequenceNumber: String(seq) });
      return {
        slot: target,
        sequenceNumber: seq,
        ...(image.version === undefined ? {} : { version: image.version }),
        rebootRequired: true,
      };
    } catch (err) {
      if (err instanceof BaseError && err.code === 'POWER_CUT') throw err; // simulated power loss: nothing more runs
      if (progress.slotTouched && inactive !== undefined) {
        await this.#o.boot.setState(inactive, 'bad');
        await this.#o.state.update((s) => ({
          ...s,
          slots: { ...s.slots, [inactive!]: undefined },
        }));
      }
      throw await this.#logReject(err, opts.origin, inactive);
    }
  }

  /**
   * Run after every boot. A pending trial in the booted slot gets its health check and is
   * committed (slot good, anti-rollback counter raised to its sequence number, the older
   * slot retired); a pending trial in the other slot means the bootloader fell back.
   */
  async onBoot(): Promise<BootResult> {
    const booted = await this.#o.bootedSlot();
    const state = await this.#o.state.read();
    const pending = state.pending;
    if (!pending) {
      // The bootloader spent one attempt on this boot; a healthy committed slot gets its
      // attempts back, or after a few reboots it would look bad and a stock boot script
      // would reset all slots — re-enabling the retired older one.
      await this.#o.boot.setState(booted, 'good');
      return { outcome: 'idle', slot: booted };
    }
    if (pending.slot !== booted) {
      await this.#o.boot.setState(pending.slot, 'bad');
      await this.#o.log.append({
        event: 'FELL_BACK',
        slot: booted,
        code: 'TRIAL_BOOT_FAILED',
        detail: `slot ${pending.slot} did not boot; running ${booted}`,
      });
      await this.#o.state.write({
        version: 1,
        slots: state.slots,
        lastResult: {
          outcome: 'fell-back',
          code: 'TRIAL_BOOT_FAILED',
          time: this.#now().toISOString(),
        },
      });
      return { outcome: 'fell-back', slot: booted, failedSlot: pending.slot };
    }
    const healthy = await (this.#o.healthCheck ?? (() => Promise.resolve(true)))(booted);
    if (!healthy) {
      await this.#o.boot.setState(booted, 'bad');
      await this.#o.log.append({ event: 'MARKED_BAD', slot: booted, code: 'HEALTH_CHECK_FAILED' });
      return { outcome: 'trial-failed', slot: booted, rebootRequired: true };
    }
    return this.#commit(booted, pending.sequenceNumber);
  }

  async #commit(slot: string, sequenceNumber: string): Promise<BootResult> {
    const seq = BigInt(sequenceNumber);
    await this.#o.boot.setState(slot, 'good');
    await this.#o.counter.raise(seq); // only now: a failed trial could still fall back until here
    for (const other of this.#o.boot.slots) {
      if (other !== slot) await this.#o.boot.setState(other, 'bad'); // older image: never boot it again
    }
    const state = await this.#o.state.read();
    await this.#o.state.write({
      version: 1,
      slots: state.slots,
      lastResult: { outcome: 'committed', time: this.#now().toISOString() },
    });
    await this.#o.log.append({ event: 'COMMITTED', slot, sequenceNumber });
    return { outcome: 'committed', slot, sequenceNumber: seq };
  }

  /** Operator: accept the running trial slot now (same as a passing health check). */
  async markGood(): Promise<BootResult> {
    const booted = await this.#o.bootedSlot();
    const state = await this.#o.state.read();
    if (state.pending?.slot === booted) return this.#commit(booted, state.pending.sequenceNumber);
    await this.#o.boot.setState(booted, 'good');
    await this.#o.log.append({ event: 'MARKED_GOOD', slot: booted });
    return { outcome: 'idle', slot: booted };
  }

  /** Operator: reject the running slot; the bootloader falls back on the next boot. */
  async markBad(): Promise<void> {
    const booted = await this.#o.bootedSlot();
    await this.#o.boot.setState(booted, 'bad');
    await this.#o.log.append({ event: 'MARKED_BAD', slot: booted, code: 'OPERATOR' });
  }

  async status(): Promise<AgentStatus> {
    const state = await this.#o.state.read();
    const slots: Record<string, { state: string; image?: SlotImage }> = {};
    for (const s of this.#o.boot.slots) {
      const image = state.slots[s];
      slots[s] = { state: await this.#o.boot.getState(s), ...(image ? { image } : {}) };
    }
    return {
      bootedSlot: await this.#o.bootedSlot(),
      primary: await this.#o.boot.getPrimary(),
      counter: await this.#o.counter.read(),
      slots,
      ...(state.pending ? { pending: state.pending } : {}),
      ...(state.lastResult ? { lastResult: state.lastResult } : {}),
    };
  }

  async log(): Promise<InstallLogEntry[]> {
    await this.#o.log.verify();
    return this.#o.log.entries();
  }
}
