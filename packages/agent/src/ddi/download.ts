/**
 * A resumable artifact download as a byte stream for the install pipeline. Bytes are
 * handed on as they arrive (constant memory); when the connection drops, the download
 * continues with `Range: bytes=<received>-`, so bytes already streamed into the install
 * are never read again. A server that answers a Range request with anything but a
 * matching 206 makes the download fail with `details.rangeIgnored` (the caller restarts
 * the install from byte 0). Size and SHA-256 are checked against what the server
 * announced before the stream ends.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { DdiClient } from './client.js';
import { DdiError } from './errors.js';
import type { DdiArtifact } from './model.js';

export interface DownloadOptions {
  /** Resumes after dropped connections before giving up (default 5). */
  readonly maxResumes?: number;
  /** Pause before a resume, doubled each time (default 1 s). */
  readonly retryDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Largest artifact accepted (default 4 GiB). */
  readonly maxBytes?: number;
  readonly onResume?: (offset: number, attempt: number) => void;
}

export interface DownloadStats {
  received: number;
  resumes: number;
  requests: number;
}

export const DEFAULT_MAX_ARTIFACT_BYTES = 4 * 1024 ** 3;

/** The link to download from: the one matching the server's scheme, else either. */
export function downloadHref(a: DdiArtifact, preferHttps: boolean): string {
  const s = a._links.download?.href;
  const h = a._links['download-http']?.href;
  const href = preferHttps ? (s ?? h) : (h ?? s);
  if (href === undefined)
    throw new DdiError('DDI_PROTOCOL', `artifact ${a.filename} has no download link`);
  return href;
}

function contentRange(res: IncomingMessage): { start: number; total: number } | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers['content-range'] ?? '');
  return m ? { start: Number(m[1]), total: Number(m[3]) } : undefined;
}

const transient = (err: unknown): boolean =>
  !(err instanceof DdiError) || err.code === 'DDI_UNREACHABLE';

/** Stream the artifact; `stats` is updated as it goes. */
export function downloadArtifact(
  client: DdiClient,
  artifact: DdiArtifact,
  href: string,
  stats: DownloadStats,
  o: DownloadOptions = {},
): AsyncIterable<Uint8Array> {
  const max = o.maxBytes ?? DEFAULT_MAX_ARTIFACT_BYTES;
  const size = artifact.size;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return (async function* () {
    if (size > max)
      throw new DdiError(
        'DDI_DOWNLOAD_FAILED',
        `artifact ${artifact.filename} is ${size} bytes; this device accepts at most ${max}`,
      );
    const hash = createHash('sha256');
    let lastError: unknown;
    for (;;) {
      let res: IncomingMessage | undefined;
      try {
        const offset = stats.received;
        stats.requests++;
        res = await client.openDownload(href, offset);
        if (offset > 0) {
          const cr = contentRange(res);
          if (res.statusCode !== 206 || cr?.start !== offset || cr.total !== size) {
            throw new DdiError(
              'DDI_DOWNLOAD_FAILED',
              `the server did not resume ${artifact.filename} at byte ${offset} (HTTP ${res.statusCode ?? 0}, Content-Range ${res.headers['content-range'] ?? 'none'}); restarting from the beginning`,
              { details: { rangeIgnored: true, offset } },
            );
          }
        } else if (res.statusCode !== 200) {
          throw new DdiError(
            'DDI_PROTOCOL',
            `download of ${artifact.filename}: HTTP ${res.statusCode ?? 0} for a full request`,
          );
        }
        for await (const chunk of res as AsyncIterable<Buffer>) {
          if (stats.received + chunk.length > size)
            throw new DdiError(
              'DDI_ARTIFACT_MISMATCH',
              `artifact ${artifact.filename} is longer than the ${size} bytes announced`,
            );
          hash.update(chunk);
          stats.received += chunk.length;
          yield chunk;
        }
        if (stats.received === size) {
          const got = hash.digest('hex');
          const want = artifact.hashes.sha256;
          if (want !== undefined && got !== want)
            throw new DdiError(
              'DDI_ARTIFACT_MISMATCH',
              `artifact ${artifact.filename} has SHA-256 ${got}, the server announced ${want}`,
            );
          return;
        }
        lastError = new Error(`connection closed after ${stats.received} of ${size} bytes`);
      } catch (err) {
        if (!transient(err)) throw err;
        lastError = err;
      } finally {
        res?.destroy();
      }
      if (stats.resumes >= (o.maxResumes ?? 5)) {
        throw new DdiError(
          'DDI_DOWNLOAD_FAILED',
          `download of ${artifact.filename} failed at byte ${stats.received} of ${size} after ${stats.resumes} resumes: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
          { cause: lastError },
        );
      }
      stats.resumes++;
      o.onResume?.(stats.received, stats.resumes);
      await sleep((o.retryDelayMs ?? 1000) * 2 ** (stats.resumes - 1));
    }
  })();
}
