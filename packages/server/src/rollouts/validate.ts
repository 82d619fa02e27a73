/** Boundary validation of a new rollout: every bad field reported at once. */
import { ValidationError } from '@cairn/core';
import type { FieldIssue } from '@cairn/core';
import { MAX_FILTER_LENGTH } from './filter.js';
import type { NewRollout } from './model.js';

export const MAX_GROUPS = 100;
const TYPES = ['forced', 'soft', 'downloadonly'];

export function assertNewRollout(input: unknown): asserts input is NewRollout {
  const issues: FieldIssue[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError('rollout', [{ path: '', problem: 'must be an object' }]);
  }
  const r = input as Record<string, unknown>;
  const pct = (k: string): void => {
    const v = r[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 100))
      issues.push({ path: k, problem: 'must be an integer percentage from 0 to 100' });
  };
  if (typeof r['name'] !== 'string' || r['name'].length < 1 || r['name'].length > 128)
    issues.push({ path: 'name', problem: 'must be 1-128 characters' });
  if (
    typeof r['releaseId'] !== 'number' ||
    !Number.isSafeInteger(r['releaseId']) ||
    r['releaseId'] < 1
  )
    issues.push({ path: 'releaseId', problem: 'must be a release id (positive integer)' });
  if (
    r['filter'] !== undefined &&
    (typeof r['filter'] !== 'string' || r['filter'].length > MAX_FILTER_LENGTH)
  )
    issues.push({
      path: 'filter',
      problem: `must be a filter expression of at most ${MAX_FILTER_LENGTH} characters`,
    });
  const g = r['groups'];
  if (g !== undefined && (typeof g !== 'number' || !Number.isInteger(g) || g < 1 || g > MAX_GROUPS))
    issues.push({ path: 'groups', problem: `must be an integer from 1 to ${MAX_GROUPS}` });
  const gp = r['groupPercentages'];
  if (gp !== undefined) {
    if (g !== undefined)
      issues.push({
        path: 'groupPercentages',
        problem: 'give either groups or groupPercentages, not both',
      });
    if (
      !Array.isArray(gp) ||
      gp.length < 1 ||
      gp.length > MAX_GROUPS ||
      gp.some((p) => typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 100) ||
      (gp as number[]).reduce((a, b) => a + b, 0) !== 100
    )
      issues.push({
        path: 'groupPercentages',
        problem: `must be 1-${MAX_GROUPS} integer percentages (1-100) summing to 100`,
      });
  }
  pct('successThreshold');
  pct('errorThreshold');
  if (r['type'] !== undefined && !TYPES.includes(r['type'] as string))
    issues.push({ path: 'type', problem: 'must be forced, soft or downloadonly' });
  const s = r['startAt'];
  if (s !== undefined && (typeof s !== 'string' || s.length > 40 || Number.isNaN(Date.parse(s))))
    issues.push({ path: 'startAt', problem: 'must be an ISO 8601 date-time' });
  if (r['requireApproval'] !== undefined && typeof r['requireApproval'] !== 'boolean')
    issues.push({ path: 'requireApproval', problem: 'must be true or false' });
  for (const k of Object.keys(r)) {
    if (
      ![
        'name',
        'releaseId',
        'filter',
        'groups',
        'groupPercentages',
        'successThreshold',
        'errorThreshold',
        'type',
        'startAt',
        'requireApproval',
      ].includes(k)
    )
      issues.push({ path: k.slice(0, 64), problem: 'is not a rollout field' });
  }
  if (issues.length > 0) throw new ValidationError('rollout', issues);
}
