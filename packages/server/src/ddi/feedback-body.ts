/**
 * Parsing DDI feedback bodies. Two shapes arrive in the field:
 *  - current hawkBit: {"status":{"execution","result":{"finished","progress"?},"details"?,"code"?},"timestamp"?}
 *  - legacy (hawkBit < 0.3.0M8, still sent by SWUpdate 2022.12): {"id","time","status":{…}}
 * Both carry the same `status` object; `id`/`time`/`timestamp` are informational.
 */
import { ValidationError } from '@cairn/core';
import type { FieldIssue } from '@cairn/core';
import type { Feedback, FeedbackExecution, FeedbackResult } from '../actions/model.js';

const EXECUTIONS: readonly FeedbackExecution[] = [
  'closed',
  'proceeding',
  'canceled',
  'scheduled',
  'rejected',
  'resumed',
  'downloaded',
  'download',
];
const RESULTS: readonly FeedbackResult[] = ['success', 'failure', 'none'];
const MAX_DETAILS = 64;
const MAX_DETAIL_LENGTH = 2048;

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

export function parseFeedback(body: unknown): Feedback {
  const issues: FieldIssue[] = [];
  const status = obj(obj(body)?.['status']);
  if (status === undefined) {
    throw new ValidationError('feedback', [{ path: 'status', problem: 'is required (an object)' }]);
  }
  const execution = status['execution'];
  if (typeof execution !== 'string' || !EXECUTIONS.includes(execution as FeedbackExecution)) {
    issues.push({ path: 'status.execution', problem: `must be one of ${EXECUTIONS.join(', ')}` });
  }
  const result = obj(status['result']);
  const finished = result?.['finished'];
  if (typeof finished !== 'string' || !RESULTS.includes(finished as FeedbackResult)) {
    issues.push({ path: 'status.result.finished', problem: 'must be success, failure or none' });
  }
  let progress: Feedback['progress'];
  const p = result?.['progress'];
  if (p !== undefined && p !== null) {
    const po = obj(p);
    const cnt = po?.['cnt'];
    const of = po?.['of'];
    if (
      typeof cnt !== 'number' ||
      !Number.isInteger(cnt) ||
      cnt < 0 ||
      (of !== undefined && (typeof of !== 'number' || !Number.isInteger(of) || of < 0))
    ) {
      issues.push({
        path: 'status.result.progress',
        problem: 'must be {cnt, of?} non-negative integers',
      });
    } else progress = typeof of === 'number' ? { cnt, of } : { cnt };
  }
  const details: string[] = [];
  const d = status['details'];
  if (d !== undefined && d !== null) {
    if (!Array.isArray(d) || d.length > MAX_DETAILS) {
      issues.push({
        path: 'status.details',
        problem: `must be a list of at most ${MAX_DETAILS} texts`,
      });
    } else {
      d.forEach((x: unknown, i) => {
        if (typeof x !== 'string' || x.length > MAX_DETAIL_LENGTH) {
          issues.push({
            path: `status.details[${i}]`,
            problem: `must be text of at most ${MAX_DETAIL_LENGTH} chars`,
          });
        } else details.push(x);
      });
    }
  }
  const code = status['code'];
  if (
    code !== undefined &&
    code !== null &&
    (typeof code !== 'number' || !Number.isInteger(code))
  ) {
    issues.push({ path: 'status.code', problem: 'must be an integer' });
  }
  if (issues.length > 0) throw new ValidationError('feedback', issues);
  return {
    execution: execution as FeedbackExecution,
    finished: finished as FeedbackResult,
    ...(progress === undefined ? {} : { progress }),
    details,
    ...(typeof code === 'number' ? { code } : {}),
  };
}

/** configData body: {"data": {...}, "mode"?: "merge"|"replace"|"remove"} (legacy id/time/status ignored). */
export function parseConfigData(body: unknown): {
  data: unknown;
  mode: 'merge' | 'replace' | 'remove';
} {
  const b = obj(body);
  const mode = b?.['mode'] ?? 'merge';
  const issues: FieldIssue[] = [];
  if (mode !== 'merge' && mode !== 'replace' && mode !== 'remove') {
    issues.push({ path: 'mode', problem: 'must be merge, replace or remove' });
  }
  if (obj(b?.['data']) === undefined)
    issues.push({ path: 'data', problem: 'is required (an object of text values)' });
  if (issues.length > 0) throw new ValidationError('configData', issues);
  return { data: b?.['data'], mode: mode as 'merge' | 'replace' | 'remove' };
}
