import type { CliIo } from './cli-io.js';

const MiB = 1024 * 1024;

export interface ProgressOptions {
  readonly total: number;
  readonly io: CliIo;
  /** Minimum time between two progress lines (default 1 s). */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

/** "512.0 MiB / 1.0 GiB (50 %), 210.3 MiB/s" */
export function formatProgress(done: number, total: number, seconds: number): string {
  const size = (n: number): string =>
    n >= 1024 * MiB ? `${(n / (1024 * MiB)).toFixed(2)} GiB` : `${(n / MiB).toFixed(1)} MiB`;
  const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
  const rate = seconds > 0 ? done / MiB / seconds : 0;
  return `${size(done)} / ${size(total)} (${pct} %), ${rate.toFixed(1)} MiB/s`;
}

/**
 * Pass chunks through unchanged, reporting bytes, percentage and throughput on stderr at
 * most once per interval (one redrawn line on a terminal, plain lines otherwise).
 */
export async function* withProgress(
  source: AsyncIterable<Uint8Array>,
  o: ProgressOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  const now = o.now ?? Date.now;
  const interval = o.intervalMs ?? 1000;
  const start = now();
  let last = start;
  let done = 0;
  const show = (final: boolean): void => {
    const line = `  ${formatProgress(done, o.total, (now() - start) / 1000)}`;
    if (o.io.errIsTty) o.io.err(`\r${line}\x1b[K${final ? '\n' : ''}`);
    else o.io.err(`${line}\n`);
  };
  for await (const chunk of source) {
    done += chunk.length;
    const t = now();
    if (t - last >= interval) {
      last = t;
      show(false);
    }
    yield chunk;
  }
  show(true);
}
