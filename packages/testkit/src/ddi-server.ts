/**
 * A small hawkBit-DDI-compatible server for tests (node:http on 127.0.0.1): one device,
 * one deployment at a time, artifacts from a Buffer or a file, Range support, TargetToken
 * / GatewayToken auth, cancelAction, configData, and injectable failures (a connection
 * dropped after N bytes, 500s, slow answers, Range ignored, oversized JSON). It records
 * every request and every feedback.
 *
 * JSON shapes follow the hawkBit DDI API reference (https://eclipse.dev/hawkbit/rest-api/ddi/:
 * DdiControllerBase, DdiDeploymentBase/DdiDeployment/DdiChunk/DdiArtifact, DdiCancel,
 * DdiActionFeedback, DdiConfigData) and what SWUpdate's suricatta/server_hawkbit.c reads
 * (config.polling.sleep, _links.deploymentBase/cancelAction/configData, chunks[].artifacts[]
 * with filename, size, hashes, _links.download / download-http).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

export interface DdiTestArtifact {
  readonly filename: string;
  /** The content, or `path` to a file served from disk. */
  readonly data?: Uint8Array;
  readonly path?: string;
}

export interface DdiTestServerOptions {
  readonly controllerId: string;
  /** Default "DEFAULT" (compared case-insensitively, as hawkBit does). */
  readonly tenant?: string;
  /** Required `Authorization: TargetToken <token>` (unset: no token check). */
  readonly targetToken?: string;
  /** Also accepted: `Authorization: GatewayToken <token>`. */
  readonly gatewayToken?: string;
  /** config.polling.sleep, default "00:00:10". */
  readonly pollingSleep?: string;
}

export interface DdiTestFailures {
  /** Per artifact download request, in order: close the connection after this many body bytes. */
  dropDownloadsAfter?: number[];
  /** Answer Range requests with the whole file (200). */
  ignoreRange?: boolean;
  /** The next N requests (any) answer 500. */
  errors500?: number;
  /** Wait this long before answering every request. */
  delayMs?: number;
  /** Pad the controller base JSON to at least this many bytes. */
  oversizedControllerBase?: number;
}

export interface DdiRecordedRequest {
  readonly method: string;
  /** Path and query, e.g. "/DEFAULT/controller/v1/dev-1/deploymentBase/1?c=…". */
  readonly path: string;
  readonly authorization?: string;
  readonly range?: string;
  status: number;
}

export interface DdiRecordedFeedback {
  readonly actionId: string;
  readonly kind: 'deployment' | 'cancel';
  readonly execution: string;
  readonly finished: string;
  readonly progress?: { cnt: number; of?: number };
  readonly details: readonly string[];
  readonly body: unknown;
}

export type DdiTestActionStatus = 'open' | 'canceling' | 'canceled' | 'closed';

interface ServedArtifact {
  readonly filename: string;
  readonly size: number;
  readonly sha1: string;
  readonly md5: string;
  readonly sha256: string;
  readonly data?: Uint8Array;
  readonly path?: string;
}

interface TestAction {
  readonly id: number;
  status: DdiTestActionStatus;
  readonly version: string;
  readonly update: 'forced' | 'attempt' | 'skip';
  readonly artifacts: readonly ServedArtifact[];
  /** The last closed feedback's result. */
  result?: string;
}

const MAX_BODY = 64 * 1024;

async function hashes(a: DdiTestArtifact): Promise<ServedArtifact> {
  const h1 = createHash('sha1');
  const h5 = createHash('md5');
  const h256 = createHash('sha256');
  let size = 0;
  const src: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = a.data
    ? [a.data]
    : (createReadStream(a.path ?? '') as AsyncIterable<Uint8Array>);
  for await (const c of src) {
    h1.update(c);
    h5.update(c);
    h256.update(c);
    size += c.length;
  }
  if (a.path !== undefined && (await stat(a.path)).size !== size) throw new Error('file changed');
  return {
    filename: a.filename,
    size,
    sha1: h1.digest('hex'),
    md5: h5.digest('hex'),
    sha256: h256.digest('hex'),
    ...(a.data ? { data: a.data } : {}),
    ...(a.path !== undefined ? { path: a.path } : {}),
  };
}

function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > MAX_BODY) resolve(undefined);
      else parts.push(c);
    });
    req.on('end', () => {
      resolve(n > MAX_BODY ? undefined : Buffer.concat(parts));
    });
    req.on('error', reject);
  });
}

export class DdiTestServer {
  readonly requests: DdiRecordedRequest[] = [];
  readonly feedback: DdiRecordedFeedback[] = [];
  readonly configData: unknown[] = [];
  failures: DdiTestFailures = {};
  /** Whether the controller base offers the configData link (true until the device PUTs it). */
  configDataRequested = true;
  action: TestAction | undefined;
  readonly #o: DdiTestServerOptions;
  readonly #server: http.Server;
  #nextActionId = 1;
  url = '';

  private constructor(o: DdiTestServerOptions) {
    this.#o = o;
    this.#server = http.createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) this.#json(res, 500, { message: String(err) });
        else res.destroy();
      });
    });
  }

  static async start(o: DdiTestServerOptions): Promise<DdiTestServer> {
    const s = new DdiTestServer(o);
    await new Promise<void>((resolve) => s.#server.listen(0, '127.0.0.1', resolve));
    s.url = `http://127.0.0.1:${(s.#server.address() as AddressInfo).port}`;
    return s;
  }

  get tenant(): string {
    return this.#o.tenant ?? 'DEFAULT';
  }

  /** The controller base URL the device polls. */
  get controllerUrl(): string {
    return `${this.url}/${this.tenant}/controller/v1/${this.#o.controllerId}`;
  }

  /** Offer a deployment (replaces any previous one); returns its action id. */
  async deploy(d: {
    readonly artifacts: readonly DdiTestArtifact[];
    readonly version?: string;
    readonly update?: 'forced' | 'attempt' | 'skip';
    readonly actionId?: number;
  }): Promise<number> {
    const id = d.actionId ?? this.#nextActionId++;
    this.action = {
      id,
      status: 'open',
      version: d.version ?? '1.0.0',
      update: d.update ?? 'forced',
      artifacts: await Promise.all(d.artifacts.map(hashes)),
    };
    return id;
  }

  /** Ask the device to cancel the open action (cancelAction link on the next poll). */
  cancel(): void {
    if (this.action?.status === 'open') this.action.status = 'canceling';
  }

  /** Feedback for one action (deployment and cancel), in arrival order. */
  feedbackFor(actionId: number): DdiRecordedFeedback[] {
    return this.feedback.filter((f) => f.actionId === String(actionId));
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) =>
      this.#server.close(() => {
        resolve();
      }),
    );
  }

  #json(res: http.ServerResponse, status: number, body: unknown, pad = 0): void {
    let text = JSON.stringify(body);
    if (pad > text.length)
      text = text.slice(0, -1) + `,"padding":"${'x'.repeat(pad - text.length)}"}`;
    res.writeHead(status, { 'content-type': 'application/hal+json;charset=UTF-8' });
    res.end(text);
  }

  #authorized(req: http.IncomingMessage): boolean {
    const a = req.headers.authorization;
    if (this.#o.targetToken === undefined && this.#o.gatewayToken === undefined) return true;
    return (
      (this.#o.targetToken !== undefined && a === `TargetToken ${this.#o.targetToken}`) ||
      (this.#o.gatewayToken !== undefined && a === `GatewayToken ${this.#o.gatewayToken}`)
    );
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', this.url);
    const rec: DdiRecordedRequest = {
      method: req.method ?? '',
      path: u.pathname + u.search,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(req.headers.range ? { range: req.headers.range } : {}),
      status: 0,
    };
    this.requests.push(rec);
    res.on('finish', () => (rec.status = res.statusCode));
    res.on('close', () => (rec.status ||= res.statusCode));
    const f = this.failures;
    if (f.delayMs) await new Promise((r) => setTimeout(r, f.delayMs));
    if (f.errors500 !== undefined && f.errors500 > 0) {
      f.errors500--;
      this.#json(res, 500, { message: 'injected failure' });
      return;
    }
    const parts = u.pathname.split('/').slice(1).map(decodeURIComponent);
    const [tenant, controller, v1, cid, ...rest] = parts;
    if (
      tenant?.toLowerCase() !== this.tenant.toLowerCase() ||
      controller !== 'controller' ||
      v1 !== 'v1' ||
      cid !== this.#o.controllerId
    ) {
      this.#json(res, 404, { message: 'not found' });
      return;
    }
    if (!this.#authorized(req)) {
      this.#json(res, 401, { message: 'unauthorized' });
      return;
    }
    const base = this.controllerUrl;
    const a = this.action;
    const route = `${req.method ?? ''} ${rest.length === 0 ? '' : rest[0]}`;
    const id = rest[1];
    const isAction = a !== undefined && id === String(a.id);

    if (route === 'GET ') {
      const links: Record<string, { href: string }> = {};
      if (a?.status === 'open')
        links['deploymentBase'] = { href: `${base}/deploymentBase/${a.id}?c=${a.id * 7919}` };
      if (a?.status === 'canceling')
        links['cancelAction'] = { href: `${base}/cancelAction/${a.id}` };
      if (this.configDataRequested) links['configData'] = { href: `${base}/configData` };
      this.#json(
        res,
        200,
        { config: { polling: { sleep: this.#o.pollingSleep ?? '00:00:10' } }, _links: links },
        f.oversizedControllerBase ?? 0,
      );
      return;
    }
    if (route === 'GET deploymentBase' && rest.length === 2 && isAction && a.status === 'open') {
      this.#json(res, 200, {
        id: String(a.id),
        deployment: {
          download: 'forced',
          update: a.update,
          chunks: [
            {
              part: 'os',
              version: a.version,
              name: 'firmware',
              artifacts: a.artifacts.map((x) => {
                const href = `${base}/softwaremodules/${a.id}/artifacts/${encodeURIComponent(x.filename)}`;
                return {
                  filename: x.filename,
                  hashes: { sha1: x.sha1, md5: x.md5, sha256: x.sha256 },
                  size: x.size,
                  _links: { 'download-http': { href }, 'md5sum-http': { href: `${href}.MD5SUM` } },
                };
              }),
            },
          ],
        },
      });
      return;
    }
    if (
      req.method === 'POST' &&
      rest.length === 3 &&
      rest[2] === 'feedback' &&
      (rest[0] === 'deploymentBase' || rest[0] === 'cancelAction')
    ) {
      const raw = await readBody(req);
      if (raw === undefined) {
        this.#json(res, 413, { message: 'feedback too large' });
        return;
      }
      let body: {
        status?: {
          execution?: string;
          result?: { finished?: string; progress?: { cnt: number; of?: number } };
          details?: string[];
        };
      };
      try {
        body = JSON.parse(raw.toString('utf8')) as typeof body;
      } catch {
        this.#json(res, 400, { message: 'not JSON' });
        return;
      }
      const st = body.status;
      if (typeof st?.execution !== 'string' || typeof st.result?.finished !== 'string') {
        this.#json(res, 400, {
          message: 'status.execution and status.result.finished are required',
        });
        return;
      }
      const kind = rest[0] === 'deploymentBase' ? 'deployment' : 'cancel';
      this.feedback.push({
        actionId: id ?? '',
        kind,
        execution: st.execution,
        finished: st.result.finished,
        ...(st.result.progress ? { progress: st.result.progress } : {}),
        details: Array.isArray(st.details) ? st.details : [],
        body,
      });
      if (!isAction) {
        this.#json(res, 404, { message: `no action ${id ?? ''}` });
        return;
      }
      if (kind === 'deployment' && st.execution === 'closed') {
        a.status = 'closed';
        a.result = st.result.finished;
      }
      if (kind === 'cancel' && a.status === 'canceling') {
        if (st.execution === 'closed' || st.execution === 'canceled') a.status = 'canceled';
        if (st.execution === 'rejected') a.status = 'open';
      }
      res.writeHead(200).end();
      return;
    }
    if (route === 'GET cancelAction' && rest.length === 2 && isAction && a.status === 'canceling') {
      this.#json(res, 200, { id: String(a.id), cancelAction: { stopId: String(a.id) } });
      return;
    }
    if (route === 'PUT configData' && rest.length === 1) {
      const raw = await readBody(req);
      if (raw === undefined) {
        this.#json(res, 413, { message: 'configData too large' });
        return;
      }
      this.configData.push(JSON.parse(raw.toString('utf8')) as unknown);
      this.configDataRequested = false;
      res.writeHead(200).end();
      return;
    }
    if (
      route === 'GET softwaremodules' &&
      rest.length === 4 &&
      rest[2] === 'artifacts' &&
      isAction
    ) {
      const art = a.artifacts.find((x) => x.filename === rest[3]);
      if (art) {
        this.#download(req, res, art);
        return;
      }
    }
    this.#json(res, 404, { message: `no resource ${u.pathname}` });
  }

  #download(req: http.IncomingMessage, res: http.ServerResponse, art: ServedArtifact): void {
    let start = 0;
    let end = art.size - 1;
    let status = 200;
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (m && !this.failures.ignoreRange) {
      start = Number(m[1]);
      if (m[2]) end = Math.min(Number(m[2]), art.size - 1);
      if (start > end && art.size > 0) {
        res.writeHead(416, { 'content-range': `bytes */${art.size}` }).end();
        return;
      }
      status = 206;
    }
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
      'content-length': end - start + 1,
      etag: `"${art.sha1}"`,
    };
    if (status === 206) headers['content-range'] = `bytes ${start}-${end}/${art.size}`;
    const drop = this.failures.dropDownloadsAfter?.shift();
    const last = drop === undefined ? end : Math.min(end, start + drop - 1);
    res.writeHead(status, headers);
    const body = art.data
      ? Readable.from(chunked(art.data.subarray(start, last + 1)))
      : createReadStream(art.path ?? '', { start, end: last, highWaterMark: 16 * 1024 });
    if (drop === undefined || last >= end) {
      body.pipe(res);
      return;
    }
    body.pipe(res, { end: false });
    body.on('end', () => {
      // let the bytes reach the client, then cut the connection mid-body
      res.write('', () => res.socket?.destroy());
    });
  }
}

function* chunked(b: Uint8Array, size = 16 * 1024): Generator<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}
