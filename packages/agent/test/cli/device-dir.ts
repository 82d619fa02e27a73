/**
 * A device on the local file system for CLI tests: file-backed A/B slots, a U-Boot
 * environment on a file (fw_printenv/fw_setenv), a file anti-rollback counter, the booted
 * slot in a file (a "reboot" rewrites it), and the agent configuration that names them.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { formatUuid } from '@cairn/core';
import { createFirmwareFixture, makeTestBundle, type FirmwareFixture } from '@cairn/testkit';

/** packages/agent (tests run from packages/agent/dist/test/cli). */
export const AGENT_DIR = resolve(import.meta.dirname, '..', '..', '..');
export const DIST_BIN = join(AGENT_DIR, 'dist', 'bin', 'cairn-agent.js');

export const FACTORY = Buffer.from('factory image v0\n'.repeat(256));

let shared: Promise<FirmwareFixture> | undefined;
export function fixture(): Promise<FirmwareFixture> {
  shared ??= createFirmwareFixture({ alg: 'P-256' });
  return shared;
}

export interface DeviceDir {
  readonly dir: string;
  readonly config: string;
  readonly slotA: string;
  readonly slotB: string;
  readonly bootedFile: string;
  /** Write a signed bundle file; returns its path. */
  bundle(
    name: string,
    o: { sequenceNumber: number; payload: Uint8Array; version?: string },
  ): Promise<string>;
  /** "Reboot" into a slot (what the bootloader would put on the kernel command line). */
  bootInto(slot: string): Promise<void>;
}

export async function tmpDir(t: TestContext, prefix = 'cairn-agent-cli-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Lay out a device; `extra` is merged into the configuration (e.g. a health check). */
export async function deviceDir(
  t: TestContext,
  extra: Record<string, unknown> = {},
): Promise<DeviceDir> {
  const fx = await fixture();
  const dir = await tmpDir(t);
  await writeFile(join(dir, 'anchor.pem'), fx.anchorPem);
  await writeFile(join(dir, 'slot-a.img'), FACTORY);
  await writeFile(join(dir, 'slot-b.img'), Buffer.alloc(0));
  await writeFile(join(dir, 'env.bin'), Buffer.alloc(0x4000));
  await writeFile(join(dir, 'fw_env.config'), `${join(dir, 'env.bin')} 0x0 0x4000\n`);
  await writeFile(join(dir, 'default.env'), 'BOOT_ORDER=A B\nBOOT_A_LEFT=3\nBOOT_B_LEFT=3\n');
  await writeFile(join(dir, 'booted-slot'), 'A\n');
  const config = {
    device: { vendorId: formatUuid(fx.vendorId), classId: formatUuid(fx.classId) },
    trust: { anchors: ['anchor.pem'] },
    slots: { A: 'slot-a.img', B: 'slot-b.img' },
    bootedSlot: { source: 'file', path: 'booted-slot' },
    boot: { backend: 'uboot', config: 'fw_env.config', defaultEnv: 'default.env' },
    counter: { backend: 'file', dir: 'counter' },
    dataDir: 'data',
    ...extra,
  };
  await writeFile(join(dir, 'agent.json'), JSON.stringify(config, null, 2));
  return {
    dir,
    config: join(dir, 'agent.json'),
    slotA: join(dir, 'slot-a.img'),
    slotB: join(dir, 'slot-b.img'),
    bootedFile: join(dir, 'booted-slot'),
    async bundle(name, o) {
      const path = join(dir, name);
      await writeFile(path, await makeTestBundle(fx, o));
      return path;
    },
    async bootInto(slot) {
      await writeFile(join(dir, 'booted-slot'), `${slot}\n`);
    },
  };
}

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run a CLI file (dist bin or the single-file build) in a child node process. */
export function runCli(
  bin: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}
