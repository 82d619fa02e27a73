import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EnvBootControl,
  FileEnvStore,
  GrubEnvStore,
  ScriptBootControl,
  SimDisk,
  UBootEnvStore,
  type BootControl,
} from '@cairn/agent';
import { assertRejectsCode, requireTools } from '@cairn/testkit';

async function tmp(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-boot-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The contract every boot-control backend meets (RAUC bootchooser semantics). */
async function bootControlContract(bc: BootControl): Promise<void> {
  assert.equal(await bc.getPrimary(), 'A', 'factory default: A first');
  assert.equal(await bc.getState('A'), 'good');
  assert.equal(await bc.getState('B'), 'good');
  await bc.setPrimary('B');
  assert.equal(await bc.getPrimary(), 'B');
  await bc.setState('B', 'bad');
  assert.equal(await bc.getState('B'), 'bad');
  assert.equal(await bc.getPrimary(), 'A', 'a bad slot is skipped');
  await bc.setState('B', 'good');
  assert.equal(await bc.getState('B'), 'good');
  assert.equal(await bc.getPrimary(), 'B');
  await bc.setPrimary('A');
  assert.equal(await bc.getPrimary(), 'A');
}

test('U-Boot environment via fw_setenv on a file-backed environment', async (t) => {
  if (!requireTools(t, ['fw_printenv', 'fw_setenv'])) return;
  const dir = await tmp(t);
  await writeFile(join(dir, 'env.bin'), Buffer.alloc(0x4000));
  await writeFile(join(dir, 'fw_env.config'), `${join(dir, 'env.bin')} 0x0 0x4000\n`);
  await writeFile(join(dir, 'default.env'), 'BOOT_ORDER=A B\nBOOT_A_LEFT=3\nBOOT_B_LEFT=3\n');
  const env = new UBootEnvStore(join(dir, 'fw_env.config'), join(dir, 'default.env'));
  await bootControlContract(new EnvBootControl(env));
  const vars = await env.get();
  assert.equal(vars['BOOT_ORDER'], 'A B');
  assert.equal(vars['BOOT_A_LEFT'], '3');
  // the variables really are in the U-Boot image (CRC32 header, then name=value\0 pairs)
  const raw = await readFile(join(dir, 'env.bin'));
  assert.ok(raw.includes(Buffer.from('BOOT_ORDER=A B\0')));
});

test('U-Boot redundant environment: each write flips to the other copy, reads see the newest', async (t) => {
  if (!requireTools(t, ['fw_printenv', 'fw_setenv'])) return;
  const dir = await tmp(t);
  const [e1, e2] = [join(dir, 'env1.bin'), join(dir, 'env2.bin')];
  await writeFile(e1, Buffer.alloc(0x4000));
  await writeFile(e2, Buffer.alloc(0x4000));
  await writeFile(join(dir, 'fw_env.config'), `${e1} 0x0 0x4000\n${e2} 0x0 0x4000\n`);
  await writeFile(join(dir, 'default.env'), 'BOOT_ORDER=A B\nBOOT_A_LEFT=3\nBOOT_B_LEFT=3\n');
  const env = new UBootEnvStore(join(dir, 'fw_env.config'), join(dir, 'default.env'));
  const bc = new EnvBootControl(env);
  await bootControlContract(bc);
  await bc.setPrimary('B');
  const [r1, r2] = [await readFile(e1), await readFile(e2)];
  assert.ok(
    r1.includes(Buffer.from('BOOT_ORDER=')) && r2.includes(Buffer.from('BOOT_ORDER=')),
    'both copies written',
  );
  assert.notEqual(r1[4], r2[4], 'copies carry different flags (active/obsolete)');
  // destroy the newest copy: the older one is used, never a blank environment
  const newest = (r1[4] ?? 0) > (r2[4] ?? 0) ? e1 : e2;
  await writeFile(newest, Buffer.alloc(0x4000, 0xff));
  const vars = await env.get();
  assert.ok(vars['BOOT_ORDER'] !== undefined, 'the surviving copy still has BOOT_ORDER');
});

test('GRUB environment via grub-editenv', async (t) => {
  if (!requireTools(t, ['grub-editenv'])) return;
  const dir = await tmp(t);
  const file = join(dir, 'grubenv');
  const { runTool } = await import('@cairn/agent');
  await runTool('grub-editenv', [file, 'create']);
  await bootControlContract(new EnvBootControl(new GrubEnvStore(file)));
  const text = await readFile(file, 'utf8');
  assert.equal(text.length, 1024, 'GRUB env block stays 1 KiB');
  assert.match(text, /BOOT_ORDER=A B/);
});

test('custom boot script with RAUC interface', async (t) => {
  const dir = await tmp(t);
  const state = join(dir, 'state');
  const script = join(dir, 'bootctl.sh');
  await writeFile(
    script,
    `#!/bin/sh
# minimal RAUC custom bootloader backend keeping its state in a file
S=${state}
[ -f "$S" ] || printf 'primary=A\\nA=good\\nB=good\\n' > "$S"
get() { sed -n "s/^$1=//p" "$S"; }
put() { grep -v "^$1=" "$S" > "$S.tmp"; echo "$1=$2" >> "$S.tmp"; mv "$S.tmp" "$S"; }
case "$1" in
  get-primary) p=$(get primary); if [ "$(get $p)" = good ]; then echo $p; else for s in A B; do [ "$(get $s)" = good ] && { echo $s; break; }; done; fi ;;
  set-primary) put primary "$2"; put "$2" good ;;
  get-state) get "$2" ;;
  set-state) put "$2" "$3" ;;
  *) echo "unknown command $1" >&2; exit 1 ;;
esac
`,
  );
  await chmod(script, 0o755);
  await bootControlContract(new ScriptBootControl(script));
  await assertRejectsCode(
    () => new ScriptBootControl(join(dir, 'missing.sh')).getPrimary(),
    'TOOL_MISSING',
  );
});

test('file environment on a simulated disk, and unknown slots are refused', async () => {
  const disk = new SimDisk();
  await disk.mkdirp('/boot');
  const bc = new EnvBootControl(new FileEnvStore(disk, '/boot/env'));
  await bootControlContract(bc);
  await assertRejectsCode(() => bc.setPrimary('C'), 'BOOT_SLOT_UNKNOWN');
});
