import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TpmCounterStore } from '@cairn/agent';
import { assertRejectsCode, requireTools } from '@cairn/testkit';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => {
        resolve(typeof addr === 'object' && addr ? addr.port : 0);
      });
    });
  });
}

/** A fresh software TPM (swtpm) on loopback; returns its TCTI string. */
async function startSwtpm(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-swtpm-'));
  const port = await freePort();
  const ctrl = port + 1; // the swtpm TCTI expects the control channel on port + 1
  const child = spawn(
    'swtpm',
    [
      'socket',
      '--tpm2',
      '--tpmstate',
      `dir=${dir}`,
      '--server',
      `type=tcp,port=${port},bindaddr=127.0.0.1`,
      '--ctrl',
      `type=tcp,port=${ctrl},bindaddr=127.0.0.1`,
      '--flags',
      'not-need-init,startup-clear',
    ],
    { stdio: 'ignore' },
  );
  t.after(async () => {
    child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });
  // wait until it accepts connections
  const { connect } = await import('node:net');
  for (let i = 0; i < 50; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => {
        resolve(false);
      });
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return `swtpm:host=127.0.0.1,port=${port}`;
}

test('TPM NV counter (swtpm): provision, read, raise, refuse to lower', async (t) => {
  if (!requireTools(t, ['swtpm', 'tpm2_nvdefine', 'tpm2_nvincrement', 'tpm2_nvread'])) return;
  const tcti = await startSwtpm(t);
  const store = new TpmCounterStore({ tcti, maxStep: 20 });
  await assertRejectsCode(() => store.read(), 'COUNTER_UNAVAILABLE');
  await store.provision();
  await store.provision(); // idempotent
  assert.equal(await store.read(), 0n);
  await store.raise(3n);
  assert.equal(await store.read(), 3n);
  await store.raise(3n);
  assert.equal(await store.read(), 3n);
  await assertRejectsCode(() => store.raise(2n), 'COUNTER_LOWER');
  await assertRejectsCode(() => store.raise(1000n), 'COUNTER_INVALID'); // beyond maxStep
  assert.equal(await store.read(), 3n);
  // a second store object on the same TPM sees the same value (hardware state)
  assert.equal(await new TpmCounterStore({ tcti }).read(), 3n);
});
