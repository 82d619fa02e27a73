import type { InstallLogEntry } from '../log/install-log.js';
import type { DdiExecution, DdiFeedback, DdiFinished } from './model.js';

/** hawkBit servers cap details; Cairn's server takes at most 64 lines of 2048 characters. */
export const MAX_DETAIL_LINES = 64;
export const MAX_DETAIL_CHARS = 2048;

/** Stages reported as `progress` {cnt, of}. */
export const STAGES = { downloading: 1, verified: 2, installed: 3, done: 4 } as const;
const OF = 4;

/** One install-log entry as a feedback detail line. */
export function logLine(e: InstallLogEntry): string {
  const parts = [e.time, e.event];
  if (e.code !== undefined) parts.push(e.code);
  if (e.slot !== undefined) parts.push(`slot=${e.slot}`);
  if (e.sequenceNumber !== undefined) parts.push(`seq=${e.sequenceNumber}`);
  if (e.source !== undefined) parts.push(`source=${e.source}`);
  const head = `install-log #${e.seq} ${parts.join(' ')}`;
  return e.detail === undefined ? head : `${head}: ${e.detail}`;
}

/** A feedback body; details are capped (summary lines first, then the newest log lines). */
export function feedback(
  execution: DdiExecution,
  finished: DdiFinished,
  stage: number | undefined,
  summary: readonly string[],
  log: readonly InstallLogEntry[] = [],
  at: Date = new Date(),
): DdiFeedback {
  const lines = summary.slice(0, MAX_DETAIL_LINES);
  const room = MAX_DETAIL_LINES - lines.length;
  const logLines = room > 0 ? log.slice(-room).map(logLine) : [];
  const details = [...lines, ...logLines].map((l) =>
    l.length > MAX_DETAIL_CHARS ? `${l.slice(0, MAX_DETAIL_CHARS - 1)}…` : l,
  );
  return {
    timestamp: at.getTime(),
    status: {
      execution,
      result: { finished, ...(stage === undefined ? {} : { progress: { cnt: stage, of: OF } }) },
      details,
    },
  };
}
