import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Io } from '../command.js';
import type { ApiClient } from '../platform/api.js';
import type { PlatformInfo } from '../platform/bootstrap.js';
import { signCommand } from './sign.js';

/** Everything a demo run needs to reach the platform. */
export interface DemoContext {
  readonly io: Io;
  readonly info: PlatformInfo;
  readonly caPem: string;
  readonly signerToken: string;
  readonly server: ApiClient;
  /** Scratch directory for images and bundles. */
  readonly workDir: string;
  /** Unique per run: device ids, versions and the rollout filter carry it. */
  readonly runId: string;
  readonly deadline: number;
}

/** A named expectation and whether it held. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export class Checks {
  readonly list: Check[] = [];
  constructor(private readonly io: Io) {}
  expect(name: string, ok: boolean, detail = ''): boolean {
    this.list.push({ name, ok, detail });
    this.io.err(`  ${ok ? '✓' : '✗'} ${name}${detail ? ` — ${detail}` : ''}\n`);
    return ok;
  }
  get failed(): Check[] {
    return this.list.filter((c) => !c.ok);
  }
}

const TOKEN_ENV = 'CAIRN_DEMO_SIGNER_TOKEN';

/** A firmware image: a text header naming the version (the simulated boot reads it), then random bytes. */
export function makeImage(ctx: DemoContext, version: string, extra = ''): string {
  const path = join(ctx.workDir, `fw-${version}.bin`);
  writeFileSync(
    path,
    Buffer.concat([
      Buffer.from(`cairn demo firmware ${version}${extra}\n`),
      randomBytes(64 * 1024),
    ]),
  );
  return path;
}

/**
 * Sign an image through `cairn sign`'s own code path (client-side hash, the signer's REST
 * API, atomic .cairn bundle); returns the bundle path.
 */
export async function signImage(ctx: DemoContext, image: string, version: string): Promise<string> {
  const out = image.replace(/\.bin$/, '.cairn');
  process.env[TOKEN_ENV] = ctx.signerToken;
  let err = '';
  const code = await signCommand.run({
    io: {
      out: (t) => {
        ctx.io.err(t);
      },
      err: (t) => void (err += t),
    },
    values: {
      signer: ctx.info.signerUrl,
      cacert: ctx.info.caFile,
      'token-env': TOKEN_ENV,
      worker: ctx.info.worker,
      product: `${ctx.info.product.vendorId}:${ctx.info.product.classId}`,
      version,
      output: out,
    },
    positionals: [image],
  });
  if (code !== 0) throw new Error(`cairn sign failed (exit ${code}): ${err.trim()}`);
  return out;
}

export interface UploadedRelease {
  readonly id: number;
  readonly sequenceNumber: string;
  readonly version: string;
}

/** Upload a bundle to the update server (it verifies it against the product's anchors). */
export function uploadRelease(
  ctx: DemoContext,
  bundle: string,
  version: string,
): Promise<UploadedRelease> {
  return ctx.server.json<UploadedRelease>(
    'POST',
    `/api/v1/products/${encodeURIComponent(ctx.info.product.id)}/releases?version=${encodeURIComponent(version)}`,
    new Uint8Array(readFileSync(bundle)),
    'application/octet-stream',
  );
}

/** Flip one byte near the end of a bundle (inside the payload): a tampered image. */
export function tamper(bundle: string): string {
  const bytes = readFileSync(bundle);
  const i = bytes.length - 100;
  bytes[i] = bytes[i]! ^ 0xff;
  const out = bundle.replace(/\.cairn$/, '-tampered.cairn');
  writeFileSync(out, bytes);
  return out;
}
