// Load generator thread for signer.bench: N concurrent keep-alive clients for a fixed time.
// client 'raw' (default) speaks HTTP/1.1 on plain sockets with one request in flight per
// connection, so the generator itself costs little of the 2 cores it shares with the
// service; client 'sdk' uses the SignerClient that `cairn sign` uses.
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { SignerClient } from '@cairn/signer';

interface Job {
  readonly url: string;
  readonly token: string;
  readonly concurrency: number;
  readonly durationMs: number;
  readonly vendorId: string;
  readonly classId: string;
  readonly tag: string;
  readonly client: 'raw' | 'sdk';
}

const job = workerData as Job;
/** This thread's CPU time in ms (Linux schedstat), or NaN where it is not available. */
const SCHEDSTAT = '/proc/thread-self/schedstat';
const threadCpuMs = (): number =>
  existsSync(SCHEDSTAT) ? Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e6 : NaN;
const cpuStart = threadCpuMs();
const latencies: number[] = [];
let ok = 0;
let failed = 0;
let firstError = '';
const end = Date.now() + job.durationMs;
const PATH = '/api/v1/workers/fw/sign';

function body(k: number, i: number): string {
  const sha = (job.tag + k.toString(16).padStart(4, '0') + i.toString(16).padStart(8, '0'))
    .padEnd(64, '0')
    .slice(0, 64);
  return JSON.stringify({
    vendorId: job.vendorId,
    classId: job.classId,
    version: '1.0.0',
    sequence: 'auto',
    components: [{ id: 'rootfs', sha256: sha, size: 4096 }],
  });
}

function failure(what: string): void {
  failed++;
  firstError ||= what.slice(0, 300);
}

async function sdk(): Promise<void> {
  const client = new SignerClient({ url: job.url, token: job.token, maxSockets: job.concurrency });
  await Promise.all(
    Array.from({ length: job.concurrency }, async (_, k) => {
      for (let i = 0; Date.now() < end; i++) {
        const t = performance.now();
        const r = await client.request('POST', PATH, JSON.parse(body(k, i)) as unknown);
        latencies.push(performance.now() - t);
        if (r.status === 200) ok++;
        else failure(`${r.status} ${r.body}`);
      }
    }),
  );
  client.close();
}

/** One keep-alive connection sending requests back to back until the time is up. */
function rawConnection(k: number, host: string, port: number): Promise<void> {
  return new Promise((resolve) => {
    const head = `POST ${PATH} HTTP/1.1\r\nHost: ${host}:${port}\r\nAuthorization: Bearer ${job.token}\r\nContent-Type: application/json\r\nContent-Length: `;
    const sock: Socket = connect({ host, port, noDelay: true });
    let i = 0;
    let sent = 0;
    let buf: Buffer = Buffer.alloc(0);
    const send = (): void => {
      if (Date.now() >= end) {
        sock.end();
        resolve();
        return;
      }
      const b = body(k, i++);
      sent = performance.now();
      sock.write(`${head}${Buffer.byteLength(b)}\r\n\r\n${b}`);
    };
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      for (;;) {
        const eoh = buf.indexOf('\r\n\r\n');
        if (eoh < 0) return;
        const headText = buf.subarray(0, eoh).toString('latin1');
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(headText);
        if (!m) {
          failure(`response without Content-Length: ${headText}`);
          sock.destroy();
          resolve();
          return;
        }
        const total = eoh + 4 + Number(m[1]);
        if (buf.length < total) return;
        const status = Number(headText.slice(9, 12));
        const payload = buf.subarray(eoh + 4, total);
        buf = buf.subarray(total);
        latencies.push(performance.now() - sent);
        // a signed answer carries the envelope; anything else is counted as a failure
        if (status === 200 && payload.includes('"envelope"')) ok++;
        else failure(`${status} ${payload.toString('utf8')}`);
        send();
      }
    });
    sock.on('error', (err) => {
      failure(`socket: ${err.message}`);
      resolve();
    });
    sock.once('connect', send);
  });
}

if (job.client === 'sdk') await sdk();
else {
  const u = new URL(job.url);
  await Promise.all(
    Array.from({ length: job.concurrency }, (_, k) => rawConnection(k, u.hostname, Number(u.port))),
  );
}
parentPort!.postMessage({ ok, failed, firstError, latencies, cpuMs: threadCpuMs() - cpuStart });
