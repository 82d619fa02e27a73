/**
 * hawkBit DDI JSON shapes as the agent reads and writes them. Field names are hawkBit's
 * (DdiControllerBase, DdiDeploymentBase, DdiDeployment, DdiChunk, DdiArtifact, DdiCancel,
 * DdiActionFeedback, DdiConfigData; https://eclipse.dev/hawkbit/rest-api/ddi/), the same
 * fields SWUpdate's suricatta (server_hawkbit.c) and Zephyr's hawkbit.c rely on.
 * Parsers check what the agent uses and report every bad field; unknown fields are ignored.
 */
import { ValidationError, type FieldIssue } from '@cairn/core';
import { DdiError } from './errors.js';

export interface DdiLink {
  readonly href: string;
}

export interface DdiControllerBase {
  readonly config: { readonly polling: { readonly sleep: string } };
  readonly _links: {
    readonly deploymentBase?: DdiLink;
    readonly cancelAction?: DdiLink;
    readonly configData?: DdiLink;
    readonly installedBase?: DdiLink;
  };
}

export type DdiHandling = 'skip' | 'attempt' | 'forced';

export interface DdiArtifact {
  readonly filename: string;
  readonly size: number;
  readonly hashes: { readonly sha1?: string; readonly md5?: string; readonly sha256?: string };
  readonly _links: {
    readonly download?: DdiLink;
    readonly 'download-http'?: DdiLink;
    readonly md5sum?: DdiLink;
    readonly 'md5sum-http'?: DdiLink;
  };
}

export interface DdiChunk {
  readonly part: string;
  readonly version: string;
  readonly name: string;
  readonly artifacts: readonly DdiArtifact[];
}

export interface DdiDeploymentBase {
  readonly id: string;
  readonly deployment: {
    readonly download: DdiHandling;
    readonly update: DdiHandling;
    readonly maintenanceWindow?: 'available' | 'unavailable';
    readonly chunks: readonly DdiChunk[];
  };
}

export interface DdiCancel {
  readonly id: string;
  readonly cancelAction: { readonly stopId: string };
}

export type DdiExecution =
  | 'proceeding'
  | 'closed'
  | 'canceled'
  | 'rejected'
  | 'scheduled'
  | 'resumed'
  | 'download'
  | 'downloaded';
export type DdiFinished = 'none' | 'success' | 'failure';

/** POST …/deploymentBase/{id}/feedback and …/cancelAction/{id}/feedback body. */
export interface DdiFeedback {
  readonly timestamp?: number;
  readonly status: {
    readonly execution: DdiExecution;
    readonly result: {
      readonly finished: DdiFinished;
      readonly progress?: { readonly cnt: number; readonly of?: number };
    };
    readonly details?: readonly string[];
    readonly code?: number;
  };
}

/** PUT …/configData body. */
export interface DdiConfigData {
  readonly mode?: 'merge' | 'replace' | 'remove';
  readonly data: Readonly<Record<string, string>>;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;

function protocol(what: string, issues: FieldIssue[]): DdiError {
  const v = new ValidationError(what, issues);
  return new DdiError('DDI_PROTOCOL', `the server's ${what} is not hawkBit DDI: ${v.message}`, {
    cause: v,
  });
}

function link(v: unknown, path: string, issues: FieldIssue[]): DdiLink | undefined {
  if (v === undefined || v === null) return undefined;
  const href = obj(v)?.['href'];
  if (typeof href !== 'string' || !/^https?:\/\//i.test(href) || href.length > 4096) {
    issues.push({ path: `${path}.href`, problem: 'must be an http(s) URL' });
    return undefined;
  }
  return { href };
}

export function parseControllerBase(body: unknown): DdiControllerBase {
  const issues: FieldIssue[] = [];
  const b = obj(body);
  const sleep = obj(obj(b?.['config'])?.['polling'])?.['sleep'];
  if (typeof sleep !== 'string')
    issues.push({ path: 'config.polling.sleep', problem: 'is required (HH:MM:SS)' });
  const l = obj(b?.['_links']) ?? {};
  const links: Record<string, DdiLink> = {};
  for (const name of ['deploymentBase', 'cancelAction', 'configData', 'installedBase']) {
    const v = link(l[name], `_links.${name}`, issues);
    if (v) links[name] = v;
  }
  if (issues.length > 0) throw protocol('controller base', issues);
  return { config: { polling: { sleep: sleep as string } }, _links: links };
}

const HANDLING: readonly string[] = ['skip', 'attempt', 'forced'];

function artifact(v: unknown, path: string, issues: FieldIssue[]): DdiArtifact | undefined {
  const a = obj(v);
  const before = issues.length;
  const filename = a?.['filename'];
  const size = a?.['size'];
  if (typeof filename !== 'string' || filename.length === 0 || filename.length > 255)
    issues.push({ path: `${path}.filename`, problem: 'must be a file name' });
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    issues.push({ path: `${path}.size`, problem: 'must be a non-negative integer' });
  const h = obj(a?.['hashes']) ?? {};
  const hashes: Record<string, string> = {};
  for (const [k, len] of [
    ['sha1', 40],
    ['md5', 32],
    ['sha256', 64],
  ] as const) {
    const x = h[k];
    if (x === undefined || x === null) continue;
    if (typeof x !== 'string' || !new RegExp(`^[0-9a-fA-F]{${len}}$`).test(x))
      issues.push({ path: `${path}.hashes.${k}`, problem: `must be ${len} hex digits` });
    else hashes[k] = x.toLowerCase();
  }
  const l = obj(a?.['_links']) ?? {};
  const links: Record<string, DdiLink> = {};
  for (const name of ['download', 'download-http', 'md5sum', 'md5sum-http']) {
    const x = link(l[name], `${path}._links.${name}`, issues);
    if (x) links[name] = x;
  }
  if (issues.length > before) return undefined;
  return { filename: filename as string, size: size as number, hashes, _links: links };
}

export function parseDeploymentBase(body: unknown): DdiDeploymentBase {
  const issues: FieldIssue[] = [];
  const b = obj(body);
  const id = b?.['id'];
  if (typeof id !== 'string' && typeof id !== 'number')
    issues.push({ path: 'id', problem: 'is required (the action id)' });
  const d = obj(b?.['deployment']);
  const download = d?.['download'];
  const update = d?.['update'];
  if (typeof download !== 'string' || !HANDLING.includes(download))
    issues.push({ path: 'deployment.download', problem: 'must be skip, attempt or forced' });
  if (typeof update !== 'string' || !HANDLING.includes(update))
    issues.push({ path: 'deployment.update', problem: 'must be skip, attempt or forced' });
  const mw = d?.['maintenanceWindow'];
  if (mw !== undefined && mw !== 'available' && mw !== 'unavailable')
    issues.push({
      path: 'deployment.maintenanceWindow',
      problem: 'must be available or unavailable',
    });
  const rawChunks = d?.['chunks'];
  const chunks: DdiChunk[] = [];
  if (!Array.isArray(rawChunks) || rawChunks.length > 64) {
    issues.push({ path: 'deployment.chunks', problem: 'must be a list (at most 64)' });
  } else {
    rawChunks.forEach((c: unknown, i) => {
      const co = obj(c);
      const arts = co?.['artifacts'];
      const path = `deployment.chunks[${i}]`;
      if (!Array.isArray(arts) || arts.length > 256) {
        issues.push({ path: `${path}.artifacts`, problem: 'must be a list (at most 256)' });
        return;
      }
      const parsed = arts.map((a: unknown, j) => artifact(a, `${path}.artifacts[${j}]`, issues));
      const str = (k: string): string => (typeof co?.[k] === 'string' ? co[k] : '');
      chunks.push({
        part: str('part'),
        version: str('version'),
        name: str('name'),
        artifacts: parsed.filter((a): a is DdiArtifact => a !== undefined),
      });
    });
  }
  if (issues.length > 0) throw protocol('deployment base', issues);
  return {
    id: String(id),
    deployment: {
      download: download as DdiHandling,
      update: update as DdiHandling,
      ...(mw === undefined ? {} : { maintenanceWindow: mw as 'available' | 'unavailable' }),
      chunks,
    },
  };
}

export function parseCancel(body: unknown): DdiCancel {
  const b = obj(body);
  const id = b?.['id'];
  const stopId = obj(b?.['cancelAction'])?.['stopId'];
  const issues: FieldIssue[] = [];
  if (typeof id !== 'string' && typeof id !== 'number')
    issues.push({ path: 'id', problem: 'is required' });
  if (typeof stopId !== 'string' && typeof stopId !== 'number')
    issues.push({ path: 'cancelAction.stopId', problem: 'is required' });
  if (issues.length > 0) throw protocol('cancel action', issues);
  return {
    id: String(id),
    cancelAction: { stopId: String(stopId) },
  };
}

/** The action id at the end of a deploymentBase/cancelAction href ("…/deploymentBase/8?c=…"). */
export function actionIdFromHref(href: string): string {
  const m = /\/(?:deploymentBase|cancelAction)\/([^/?#]+)/.exec(new URL(href).pathname);
  if (m?.[1] === undefined)
    throw new DdiError('DDI_PROTOCOL', `cannot read an action id from link ${href.slice(0, 200)}`);
  return decodeURIComponent(m[1]);
}
