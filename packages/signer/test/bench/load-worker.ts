// Load generator thread for signer.bench: N concurrent keep-alive clients for a fixed time.
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
}

const job = workerData as Job;
const client = new SignerClient({ url: job.url, token: job.token, maxSockets: job.concurrency });
const latencies: number[] = [];
let ok = 0;
let failed = 0;
let firstError = '';
const end = Date.now() + job.durationMs;
await Promise.all(
  Array.from({ length: job.concurrency }, async (_, k) => {
    for (let i = 0; Date.now() < end; i++) {
      const sha = (job.tag + k.toString(16).padStart(4, '0') + i.toString(16).padStart(8, '0'))
        .padEnd(64, '0')
        .slice(0, 64);
      const t = performance.now();
      const r = await client.request('POST', '/api/v1/workers/fw/sign', {
        vendorId: job.vendorId,
        classId: job.classId,
        version: '1.0.0',
        sequence: 'auto',
        components: [{ id: 'rootfs', sha256: sha, size: 4096 }],
      });
      latencies.push(performance.now() - t);
      if (r.status === 200) ok++;
      else {
        failed++;
        firstError ||= `${r.status} ${r.body.slice(0, 200)}`;
      }
    }
  }),
);
client.close();
parentPort!.postMessage({ ok, failed, firstError, latencies });
