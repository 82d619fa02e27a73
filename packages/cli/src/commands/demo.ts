import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCairnError } from '@cairn/core';
import { EXIT, UsageError, type Command, type Io } from '../command.js';
import { ApiClient } from '../platform/api.js';
import {
  readPlatformInfo,
  startPlatform,
  type Platform,
  type PlatformInfo,
} from '../platform/bootstrap.js';
import { loadPlatformConfig } from '../platform/config.js';
import { printSummary, verifyEvidence } from './demo-report.js';
import { runDemo } from './demo-run.js';
import type { DemoContext } from './demo-steps.js';

const MAX_DEVICES = 200;

function readToken(path: string): string {
  return readFileSync(path, 'utf8').trim();
}

async function demo(io: Io, info: PlatformInfo, count: number, timeoutMs: number): Promise<number> {
  const workDir = mkdtempSync(join(tmpdir(), 'cairn-demo-'));
  const server = new ApiClient({
    url: info.serverUrl,
    token: readToken(info.serverTokenFile),
    ca: readFileSync(info.caFile, 'utf8'),
  });
  try {
    const ctx: DemoContext = {
      io,
      info,
      caPem: readFileSync(info.caFile, 'utf8'),
      signerToken: readToken(info.signingTokenFile),
      server,
      workDir,
      runId: Date.now().toString(36),
      deadline: Date.now() + timeoutMs,
    };
    io.err(`cairn demo: signer ${info.signerUrl}, update server ${info.serverUrl}\n`);
    const r = await runDemo(ctx, count);
    await verifyEvidence(ctx, info, r.devices, r.checks, 3);
    await printSummary(io, r.devices);
    const failed = r.checks.failed;
    io.out(
      `\n${r.checks.list.length - failed.length} of ${r.checks.list.length} expectations held.\n`,
    );
    if (failed.length > 0) {
      io.out(
        'FAILED:\n' +
          failed.map((c) => `  ✗ ${c.name}${c.detail ? ` — ${c.detail}` : ''}\n`).join(''),
      );
      return EXIT.FAILED;
    }
    io.out(
      'Demo passed: manual and OTA updates verified before install, rollback and tampering refused, a failed boot fell back, every log verifies.\n',
    );
    return EXIT.OK;
  } finally {
    server.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** `cairn demo`: simulated devices through manual, OTA, fallback, downgrade and tamper scenarios. */
export const demoCommand: Command = {
  path: ['demo'],
  summary: 'simulated devices: manual install, OTA rollout, fallback, downgrade and tamper refused',
  help: `Usage: cairn demo [--devices N] [--data DIR | --embedded] [--url URL] [--timeout SECONDS]

Runs simulated devices (A/B slots, anti-rollback counter, install log, all in memory)
against the platform, over HTTPS with the platform's CA:
  (a) a manual install from a .cairn file signed through 'cairn sign'
  (b) an OTA rollout of a new release in two groups (group 2 starts when group 1 succeeded)
  (c) one device whose trial boot crashes: it falls back and reports closed/failure
  (d) a downgrade (older, validly signed release) and a tampered image: refused by the
      devices and logged; the server refuses the tampered upload too
then prints a table per device (version before, after, outcome) and verifies every
device's install log and the signer's audit and transparency logs.

  --devices N     simulated devices (default 20, at most ${MAX_DEVICES}, at least 3)
  --data DIR      data directory of a running 'cairn up' (default $CAIRN_DATA or ./cairn-data)
  --url URL       update server URL (default: the one 'cairn up' wrote to DIR/platform.json)
  --embedded      start signer and server in this process on free loopback ports with a
                  temporary data directory (no 'cairn up' needed)
  --timeout S     give up after S seconds (default 300)

Exit codes: 0 every expectation held · 1 some failed (listed) · 2 usage
            3 platform not running / data directory missing`,
  options: {
    devices: { type: 'string' },
    data: { type: 'string' },
    url: { type: 'string' },
    embedded: { type: 'boolean' },
    timeout: { type: 'string' },
  },
  async run({ io, values: v }) {
    const count = v['devices'] === undefined ? 20 : Number(v['devices']);
    if (!Number.isInteger(count) || count < 3 || count > MAX_DEVICES)
      throw new UsageError(`--devices must be an integer 3..${MAX_DEVICES}`);
    const timeoutS = v['timeout'] === undefined ? 300 : Number(v['timeout']);
    if (!Number.isInteger(timeoutS) || timeoutS < 10 || timeoutS > 3600)
      throw new UsageError('--timeout must be 10..3600 seconds');
    if (v['embedded'] === true && (v['data'] !== undefined || v['url'] !== undefined))
      throw new UsageError('--embedded starts its own platform: drop --data / --url');
    if (v['embedded'] === true) {
      const dir = mkdtempSync(join(tmpdir(), 'cairn-demo-data-'));
      let platform: Platform | undefined;
      try {
        const config = loadPlatformConfig({
          dataDir: dir,
          env: { CAIRN_SIGNER_PORT: '0', CAIRN_SERVER_PORT: '0' },
        });
        io.err(`cairn demo: embedded platform in ${dir}\n`);
        platform = await startPlatform(config, { io });
        return await demo(io, platform.info, count, timeoutS * 1000);
      } finally {
        await platform?.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const config = loadPlatformConfig(typeof v['data'] === 'string' ? { dataDir: v['data'] } : {});
    let info: PlatformInfo;
    try {
      info = readPlatformInfo(config.dataDir);
    } catch (err) {
      io.err(
        `cairn demo: no running platform found in ${config.dataDir} (${(err as NodeJS.ErrnoException).code ?? String(err)}); start it with 'npm start' (cairn up) or use --embedded\n`,
      );
      return EXIT.ENVIRONMENT;
    }
    if (typeof v['url'] === 'string') info = { ...info, serverUrl: v['url'].replace(/\/+$/, '') };
    try {
      return await demo(io, info, count, timeoutS * 1000);
    } catch (err) {
      if (isCairnError(err) && err.code === 'API_UNREACHABLE') {
        io.err(`cairn demo: ${err.message}\n`);
        return EXIT.ENVIRONMENT;
      }
      throw err;
    }
  },
};
