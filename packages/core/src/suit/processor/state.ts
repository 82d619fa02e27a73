import { SuitError } from '../errors.js';
import type { ComponentIndex, SuitEnvelope, SuitManifest, SuitParameters } from '../types.js';
import type { ComponentRef, SuitPlatform } from './platform.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type ParamRecord = Mutable<SuitParameters>;

export interface ProcessOptions {
  /** Largest payload a fetch may deliver, in bytes. Default 256 MiB. */
  readonly maxPayloadBytes?: number;
  /** Most commands executed in one run (loops over components included). Default 100 000. */
  readonly maxSteps?: number;
  /** Integrated payloads ('#name' URIs); processEnvelope passes the envelope's. */
  readonly integrated?: ReadonlyMap<string, Uint8Array>;
}

/** One executed command, for reports and tests. */
export interface TraceEntry {
  readonly sequence: string;
  readonly section: string;
  readonly commandPath: readonly number[];
  readonly command: string;
  readonly componentIndex: number | undefined;
  readonly outcome: 'ok' | 'failed';
}

/** The interpreter state of one sequence run (parameters are cleared between sequences). */
export class RunState {
  readonly params = new Map<number, ParamRecord>();
  index: ComponentIndex = 0;
  softFailure = false;
  steps = 0;
  readonly trace: TraceEntry[];

  constructor(
    readonly manifest: SuitManifest,
    readonly platform: SuitPlatform,
    readonly sequence: string,
    readonly opts: ProcessOptions,
    trace: TraceEntry[],
  ) {
    this.trace = trace;
  }

  get components(): number {
    return this.manifest.common.components.length;
  }

  ref(index: number): ComponentRef {
    const id = this.manifest.common.components[index];
    if (id === undefined)
      throw new SuitError('SUIT_MALFORMED', `component index ${index} out of range`);
    return { index, id };
  }

  paramsOf(index: number): ParamRecord {
    let p = this.params.get(index);
    if (p === undefined) {
      p = {};
      this.params.set(index, p);
    }
    return p;
  }

  /** Copy of every component's parameters (to undo a soft-failed sequence). */
  snapshot(): Map<number, ParamRecord> {
    return new Map([...this.params].map(([k, v]) => [k, { ...v }]));
  }

  restore(snap: Map<number, ParamRecord>): void {
    this.params.clear();
    for (const [k, v] of snap) this.params.set(k, v);
  }

  /** The component indices the current index selects. */
  selected(): number[] {
    if (this.index === true) return [...Array(this.components).keys()];
    if (typeof this.index === 'number') return [this.index];
    return [...this.index];
  }
}

export function integratedFrom(
  envelope: SuitEnvelope | undefined,
): ReadonlyMap<string, Uint8Array> {
  return envelope?.integrated ?? new Map();
}
