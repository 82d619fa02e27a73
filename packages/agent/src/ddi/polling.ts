import { DdiError } from './errors.js';

/** Longest polling sleep accepted from a server (a day); longer values are clamped. */
export const MAX_POLL_SLEEP_MS = 24 * 3600 * 1000;

/**
 * hawkBit's `config.polling.sleep` ("HH:MM:SS", e.g. "00:05:00") in milliseconds.
 * Throws DDI_PROTOCOL for anything else; clamps to MAX_POLL_SLEEP_MS.
 */
export function parsePollingSleep(text: string): number {
  const m = /^(\d{1,3}):([0-5]\d):([0-5]\d)$/.exec(text);
  if (m === null) {
    throw new DdiError(
      'DDI_PROTOCOL',
      `polling sleep "${text.slice(0, 40)}" is not HH:MM:SS (hawkBit config.polling.sleep)`,
    );
  }
  const ms = (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000;
  return Math.min(ms, MAX_POLL_SLEEP_MS);
}

export interface PollScheduleOptions {
  /** Fraction of the delay added or removed at random (default 0.1 = ±10 %). */
  readonly jitter?: number;
  /** First delay after a failed poll (default 5 s), doubled per consecutive failure. */
  readonly backoffBaseMs?: number;
  /** Cap for the error backoff (default 1 h). */
  readonly backoffMaxMs?: number;
  /** Random source in [0, 1) (default Math.random), injectable for tests. */
  readonly random?: () => number;
}

/** When to poll next: the server's sleep after a success, exponential backoff after failures. */
export class PollSchedule {
  readonly #jitter: number;
  readonly #base: number;
  readonly #max: number;
  readonly #random: () => number;
  #failures = 0;

  constructor(o: PollScheduleOptions = {}) {
    this.#jitter = Math.min(Math.max(o.jitter ?? 0.1, 0), 0.5);
    this.#base = o.backoffBaseMs ?? 5000;
    this.#max = o.backoffMaxMs ?? 3600 * 1000;
    this.#random = o.random ?? Math.random;
  }

  get failures(): number {
    return this.#failures;
  }

  #jittered(ms: number): number {
    const f = 1 + this.#jitter * (2 * this.#random() - 1);
    return Math.max(0, Math.round(ms * f));
  }

  /** After a successful poll: the server's sleep, jittered. */
  success(sleepMs: number): number {
    this.#failures = 0;
    return this.#jittered(sleepMs);
  }

  /** After a failed poll: base·2^(n-1), capped, jittered. */
  failure(): number {
    this.#failures++;
    const exp = Math.min(this.#failures - 1, 30);
    return this.#jittered(Math.min(this.#max, this.#base * 2 ** exp));
  }
}
