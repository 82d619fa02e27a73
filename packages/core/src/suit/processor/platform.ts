import type { DigestAlgorithmName } from '../constants.js';
import type { ComponentId } from '../types.js';

/** A component the processor acts on: its index in suit-components and its identifier. */
export interface ComponentRef {
  readonly index: number;
  readonly id: ComponentId;
}

/** What the device asserts about itself for the identifier conditions. */
export interface SuitDeviceIdentity {
  /** Vendor IDs this device matches (16-byte UUIDs, or PEN bytes). */
  readonly vendorIds: readonly Uint8Array[];
  /** Class IDs this device matches. */
  readonly classIds: readonly Uint8Array[];
  readonly deviceId?: Uint8Array;
}

/**
 * The device side of the SUIT processor (async, injected). The processor holds no I/O:
 * every read, write, fetch and invocation goes through here.
 */
export interface SuitPlatform {
  /** Identity for vendor/class/device-identifier; may depend on the component. */
  identity(component: ComponentRef): SuitDeviceIdentity | Promise<SuitDeviceIdentity>;
  /** Fetch a payload from a URI (not '#…': integrated payloads are resolved by the processor). */
  fetch(uri: string, target: ComponentRef, fetchArgs?: Uint8Array): Promise<Uint8Array>;
  /** The component's current content, or undefined when it holds nothing. */
  readComponent(component: ComponentRef): Promise<Uint8Array | undefined>;
  writeComponent(component: ComponentRef, data: Uint8Array): Promise<void>;
  /** Copy source → destination (may transform, e.g. decompress). Default: read + write. */
  copy?(source: ComponentRef, destination: ComponentRef): Promise<void>;
  /** Exchange two components' contents. Default: read both, write both. */
  swap?(a: ComponentRef, b: ComponentRef): Promise<void>;
  invoke(component: ComponentRef, args: Uint8Array | undefined): Promise<void>;
  /** The slot the component currently uses (A/B), for suit-condition-component-slot. */
  currentSlot?(component: ComponentRef): Promise<number | undefined>;
  /**
   * A digest the platform measured for the component (e.g. recorded at flashing, or by a
   * hash engine). Undefined (or absent) → the processor hashes readComponent's bytes.
   */
  measure?(
    component: ComponentRef,
    algorithm: DigestAlgorithmName,
  ): Promise<{ digest: Uint8Array; size: number } | undefined>;
}
