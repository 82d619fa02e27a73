/**
 * hawkBit DDI JSON representations (field names exactly as hawkBit's DdiControllerBase,
 * DdiDeploymentBase, DdiDeployment, DdiChunk, DdiArtifact, DdiCancel, DdiActionHistory).
 */
import type { Action, ActionStatusEntry } from '../actions/model.js';
import type { ReleaseArtifact } from '../releases/releases.js';

export interface Href {
  readonly href: string;
}

export interface DdiControllerBase {
  config: { polling: { sleep: string } };
  _links: {
    deploymentBase?: Href;
    cancelAction?: Href;
    configData?: Href;
    installedBase?: Href;
  };
}

export interface DdiArtifact {
  filename: string;
  hashes: { sha1: string; md5: string; sha256: string };
  size: number;
  _links: { download?: Href; md5sum?: Href; 'download-http'?: Href; 'md5sum-http'?: Href };
}

export interface DdiChunk {
  part: string;
  version: string;
  name: string;
  artifacts: DdiArtifact[];
}

export type HandlingType = 'skip' | 'attempt' | 'forced';

export interface DdiDeploymentBase {
  id: string;
  deployment: {
    download: HandlingType;
    update: HandlingType;
    maintenanceWindow?: 'available' | 'unavailable';
    chunks: DdiChunk[];
  };
  actionHistory?: { status: string; messages: string[] };
}

export interface DdiCancel {
  id: string;
  cancelAction: { stopId: string };
}

/** Seconds as hawkBit's "HH:MM:SS" polling sleep. */
export function formatSleep(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(Math.floor(s / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
}

/** A stable small integer for the `c` query parameter (changes when the action does). */
export function resourceHash(a: Action): number {
  let h = 17;
  for (const ch of `${a.id}:${a.type}:${a.releaseId}`)
    h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}

export function handling(a: Action): { download: HandlingType; update: HandlingType } {
  if (a.type === 'downloadonly') return { download: 'forced', update: 'skip' };
  if (a.type === 'soft') return { download: 'attempt', update: 'attempt' };
  const update = a.maintenanceWindow?.available === false ? 'skip' : 'forced';
  return { download: 'forced', update };
}

export function artifactJson(base: string, moduleId: number, a: ReleaseArtifact): DdiArtifact {
  const file = `${base}/softwaremodules/${moduleId}/artifacts/${encodeURIComponent(a.filename)}`;
  const https = base.startsWith('https:');
  const links: DdiArtifact['_links'] = https
    ? { download: { href: file }, md5sum: { href: `${file}.MD5SUM` } }
    : { 'download-http': { href: file }, 'md5sum-http': { href: `${file}.MD5SUM` } };
  return {
    filename: a.filename,
    hashes: { sha1: a.sha1, md5: a.md5, sha256: a.sha256 },
    size: a.size,
    _links: links,
  };
}

export function deploymentBaseJson(
  base: string,
  action: Action,
  chunk: { version: string; name: string; artifacts: readonly ReleaseArtifact[] },
  history: readonly ActionStatusEntry[] | undefined,
): DdiDeploymentBase {
  const { download, update } = handling(action);
  const body: DdiDeploymentBase = {
    id: String(action.id),
    deployment: {
      download,
      update,
      ...(action.maintenanceWindow === undefined
        ? {}
        : { maintenanceWindow: action.maintenanceWindow.available ? 'available' : 'unavailable' }),
      chunks: [
        {
          part: 'os',
          version: chunk.version,
          name: chunk.name,
          artifacts: chunk.artifacts.map((a) => artifactJson(base, action.releaseId, a)),
        },
      ],
    },
  };
  if (history !== undefined) {
    body.actionHistory = {
      status: action.status.toUpperCase(),
      messages: history.flatMap((h) => h.messages),
    };
  }
  return body;
}
