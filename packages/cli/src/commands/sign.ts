import { createHash } from 'node:crypto';
import {
  createReadStream,
  openSync,
  fsyncSync,
  closeSync,
  renameSync,
  statSync,
  unlinkSync,
  createWriteStream,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { writeBundle } from '@cairn/core';
import type { SignerClient } from '@cairn/signer';
import { EXIT, UsageError, type Command, type Io } from '../command.js';
import {
  reportFailure,
  SIGNER_CLIENT_HELP,
  SIGNER_CLIENT_OPTIONS,
  withSigner,
} from './signer-options.js';

const PROGRESS_FROM = 64 * 1024 * 1024;

/** Parse 90s / 10m / 2h / plain seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(text);
  if (!m) throw new UsageError(`--wait-timeout must look like 30s, 10m or 1h, got '${text}'`);
  const n = Number(m[1]);
  return n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000);
}

/** SHA-256 of a file in constant memory, with a progress line on stderr for large files. */
async function hashFile(path: string, size: number, io: Io): Promise<string> {
  const h = createHash('sha256');
  let done = 0;
  let shown = -1;
  for await (const chunk of createReadStream(path, {
    highWaterMark: 1024 * 1024,
  }) as AsyncIterable<Buffer>) {
    h.update(chunk);
    done += chunk.length;
    if (size >= PROGRESS_FROM) {
      const pct = Math.floor((done / size) * 100);
      if (pct !== shown && pct % 5 === 0) {
        shown = pct;
        io.err(`\rhashing ${basename(path)}: ${pct}% (${(done / 2 ** 20).toFixed(0)} MiB)`);
      }
    }
  }
  if (size >= PROGRESS_FROM) io.err('\n');
  return h.digest('hex');
}

interface Signed {
  envelope: string;
  tlogProof: string;
  index: number;
  sequenceNumber: string;
}

async function waitForApprovals(
  c: SignerClient,
  id: string,
  timeoutMs: number,
  io: Io,
  pollMs: number,
): Promise<Signed | number> {
  const deadline = Date.now() + timeoutMs;
  io.err(
    `cairn sign: request ${id} waits for approvals (cairn approve ${id}); waiting up to ${Math.round(timeoutMs / 1000)}s\n`,
  );
  for (;;) {
    const res = await c.request('GET', `/api/v1/requests/${encodeURIComponent(id)}`);
    if (res.status !== 200) return reportFailure(io, 'sign', res);
    const r = res.json<{ status: string; result: Signed | null; reason: string | null }>();
    if (r.status === 'signed' && r.result) return r.result;
    if (r.status !== 'pending') {
      io.err(
        `cairn sign: denied: request ${id} is ${r.status}${r.reason ? `: ${r.reason}` : ''}\n`,
      );
      return EXIT.FAILED;
    }
    if (Date.now() >= deadline) {
      io.err(
        `cairn sign: failed: request ${id} still has too few approvals after ${Math.round(timeoutMs / 1000)}s; run cairn sign again later or raise --wait-timeout\n`,
      );
      return EXIT.FAILED;
    }
    await new Promise((r2) => setTimeout(r2, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
  }
}

/** Write the bundle to a temp file beside `out`, fsync, then rename: never a half bundle. */
async function writeBundleAtomically(
  out: string,
  image: string,
  size: number,
  signed: Signed,
): Promise<void> {
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  try {
    const source = createReadStream(image, {
      highWaterMark: 1024 * 1024,
    }) as AsyncIterable<Uint8Array>;
    await pipeline(
      Readable.from(
        writeBundle({
          envelope: Buffer.from(signed.envelope, 'base64'),
          proof: signed.tlogProof,
          payloads: [{ componentIndex: 0, size, source }],
        }),
      ),
      createWriteStream(tmp, { mode: 0o644 }),
    );
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, out);
    const dfd = openSync(dirname(out), 'r');
    fsyncSync(dfd);
    closeSync(dfd);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw err;
  }
}

/** `cairn sign ... image.bin -o image.cairn`: client-side hashing, remote signing, local bundle. */
export const signCommand: Command = {
  path: ['sign'],
  summary: 'sign a firmware image on the signing service and write a .cairn bundle',
  help: `Usage: cairn sign --signer URL --worker NAME --product VENDOR_UUID:CLASS_UUID --version X.Y.Z
       [--sequence N|auto] [--component NAME] image.bin -o image.cairn
       [--token-env VAR] [--cacert PEM] [--wait-timeout 10m]

Hashes the image locally (it never leaves this machine), asks the worker to sign a
manifest for it, and writes the bundle (signed envelope + transparency proof + image).
When the worker needs approvals it waits (polling) until they arrive or the timeout.

${SIGNER_CLIENT_HELP}

Exit codes: 0 bundle written · 1 denied or failed (reason on stderr) · 2 usage · 3 signer unreachable`,
  options: {
    ...SIGNER_CLIENT_OPTIONS,
    worker: { type: 'string' },
    product: { type: 'string' },
    version: { type: 'string' },
    sequence: { type: 'string' },
    component: { type: 'string' },
    output: { type: 'string', short: 'o' },
    'wait-timeout': { type: 'string' },
    'poll-interval': { type: 'string' },
  },
  positionals: [1, 1],
  async run(ctx) {
    const v = ctx.values;
    const need = (k: string): string => {
      const x = v[k];
      if (typeof x !== 'string' || x === '') throw new UsageError(`--${k} is required`);
      return x;
    };
    const worker = need('worker');
    const [vendorId, classId, extra] = need('product').toLowerCase().split(':');
    if (!vendorId || !classId || extra !== undefined)
      throw new UsageError('--product must be VENDOR_UUID:CLASS_UUID');
    const version = need('version');
    const out = need('output');
    const sequence = typeof v['sequence'] === 'string' ? v['sequence'] : 'auto';
    if (sequence !== 'auto' && !/^[1-9][0-9]{0,19}$/.test(sequence))
      throw new UsageError("--sequence must be a positive integer or 'auto'");
    const timeoutMs = parseDuration(
      typeof v['wait-timeout'] === 'string' ? v['wait-timeout'] : '10m',
    );
    const pollMs = parseDuration(
      typeof v['poll-interval'] === 'string' ? v['poll-interval'] : '2s',
    );
    const image = ctx.positionals[0]!;
    let size: number;
    try {
      const st = statSync(image);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      ctx.io.err(`cairn sign: cannot read image ${image}: check the path\n`);
      return EXIT.ENVIRONMENT;
    }
    const sha256 = await hashFile(image, size, ctx.io);
    return withSigner(ctx, 'sign', async (c) => {
      const res = await c.request('POST', `/api/v1/workers/${encodeURIComponent(worker)}/sign`, {
        vendorId,
        classId,
        version,
        sequence,
        components: [
          { id: typeof v['component'] === 'string' ? v['component'] : 'rootfs', sha256, size },
        ],
      });
      let signed: Signed;
      if (res.status === 200) signed = res.json<Signed>();
      else if (res.status === 202) {
        const r = await waitForApprovals(
          c,
          res.json<{ requestId: string }>().requestId,
          timeoutMs,
          ctx.io,
          pollMs,
        );
        if (typeof r === 'number') return r;
        signed = r;
      } else return reportFailure(ctx.io, 'sign', res);
      await writeBundleAtomically(out, image, size, signed);
      ctx.io.err(
        `cairn sign: wrote ${out} (sequence ${signed.sequenceNumber}, transparency log index ${signed.index})\n`,
      );
      return EXIT.OK;
    });
  },
};
