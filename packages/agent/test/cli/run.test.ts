import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTestBundle, DdiTestServer } from '@cairn/testkit';
import { AGENT_EXIT, runAgentCli, type CliIo } from '@cairn/agent';
import { deviceDir, fixture } from './device-dir.js';

async function cli(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { out: (s) => (stdout += s), err: (s) => (stderr += s), errIsTty: false };
  const code = await runAgentCli(args, { io, env });
  return { code, stdout, stderr };
}

test('cairn-agent run --once installs an OTA deployment; boot-check commits it and reports closed/success', async (t) => {
  const srv = await DdiTestServer.start({ controllerId: 'dev-7', targetToken: 'secret-7' });
  t.after(() => srv.close());
  const dev = await deviceDir(t, {
    boot: { backend: 'file', path: 'bootenv' },
    ddi: { url: srv.url, tenant: 'DEFAULT', controllerId: 'dev-7', token: 'wrong' },
  });
  const env = { CAIRN_AGENT_DDI_TOKEN: 'secret-7' }; // the environment overrides the file
  const args = (...a: string[]): string[] => ['--config', dev.config, ...a];

  const idle = await cli(args('run', '--once'), env);
  assert.equal(idle.code, AGENT_EXIT.OK, idle.stderr);
  assert.match(idle.stdout, /no update assigned/);

  const payload = Buffer.from('ota image v4\n'.repeat(1000));
  const bundle = await makeTestBundle(await fixture(), {
    sequenceNumber: 4,
    payload,
    version: '4.0',
  });
  const actionId = await srv.deploy({ artifacts: [{ filename: 'fw-4.0.cairn', data: bundle }] });
  const inst = await cli(args('run', '--once', '--json'), env);
  assert.equal(inst.code, AGENT_EXIT.OK, inst.stderr);
  const outcome = JSON.parse(inst.stdout) as {
    kind: string;
    actionId: string;
    install: { slot: string };
  };
  assert.deepEqual(
    [outcome.kind, outcome.actionId, outcome.install.slot],
    ['installed', String(actionId), 'B'],
  );
  assert.deepEqual(await readFile(dev.slotB), payload);

  await dev.bootInto('B');
  const boot = await cli(args('boot-check'), env);
  assert.equal(boot.code, AGENT_EXIT.OK, boot.stderr);
  assert.match(boot.stdout, /committed slot B \(sequence 4\)/);
  const last = srv.feedback.at(-1);
  assert.deepEqual(
    [last?.actionId, last?.execution, last?.finished],
    [String(actionId), 'closed', 'success'],
  );
  assert.ok(
    srv.requests.every(
      (r) => r.authorization === undefined || r.authorization === 'TargetToken secret-7',
    ),
  );

  // a validly signed older image over the air: rejected with its code, exit 1
  const old = await makeTestBundle(await fixture(), {
    sequenceNumber: 2,
    payload: Buffer.from('old'),
  });
  await srv.deploy({ artifacts: [{ filename: 'fw-2.cairn', data: old }] });
  const down = await cli(args('run', '--once'), env);
  assert.equal(down.code, AGENT_EXIT.FAILED);
  assert.match(down.stdout, /rejected: DOWNGRADE/);
  assert.equal(srv.feedback.at(-1)?.finished, 'failure');

  const denied = await cli(args('run', '--once'), { CAIRN_AGENT_DDI_TOKEN: 'nope' });
  assert.equal(denied.code, AGENT_EXIT.ENVIRONMENT);
  assert.match(denied.stdout, /DDI_UNAUTHORIZED/);
});

test('cairn-agent run --once: a download-only deployment is staged in dataDir/staged and reported; the install later uses it', async (t) => {
  const srv = await DdiTestServer.start({ controllerId: 'dev-8', targetToken: 'secret-8' });
  t.after(() => srv.close());
  const dev = await deviceDir(t, {
    boot: { backend: 'file', path: 'bootenv' },
    ddi: { url: srv.url, tenant: 'DEFAULT', controllerId: 'dev-8', token: 'secret-8' },
  });
  const args = (...a: string[]): string[] => ['--config', dev.config, ...a];
  const payload = Buffer.from('ota image v5\n'.repeat(1000));
  const bundle = await makeTestBundle(await fixture(), { sequenceNumber: 5, payload });
  const sha256 = createHash('sha256').update(bundle).digest('hex');
  const staged = join(dev.dir, 'data', 'staged', `${sha256}.cairn`);
  const actionId = await srv.deploy({
    artifacts: [{ filename: 'fw-5.cairn', data: bundle }],
    update: 'skip',
  });

  const first = await cli(args('run', '--once'));
  assert.equal(first.code, AGENT_EXIT.OK, first.stderr);
  assert.equal(
    first.stdout,
    `action ${actionId}: downloaded and verified, staged at ${staged} (sha256 ${sha256}); not installed, download-only: it installs when the server deploys it for installation\n`,
  );
  assert.deepEqual(await readFile(staged), Buffer.from(bundle));
  assert.deepEqual(await readdir(join(dev.dir, 'data', 'staged')), [`${sha256}.cairn`]);
  assert.equal((await readFile(dev.slotB)).length, 0, 'nothing installed');
  assert.deepEqual(
    srv.feedbackFor(actionId).map((f) => f.execution),
    ['proceeding', 'downloaded'],
  );

  const second = await cli(args('run', '--once', '--json'));
  assert.equal(second.code, AGENT_EXIT.OK, second.stderr);
  assert.deepEqual(JSON.parse(second.stdout), {
    kind: 'downloaded',
    actionId: String(actionId),
    path: staged,
    sha256,
    waitingFor: 'download-only',
    downloadedNow: false,
  });
  const artifactGets = (): number =>
    srv.requests.filter((r) => r.path.includes('/artifacts/')).length;
  assert.equal(artifactGets(), 1);

  // status shows the action and its staged bundle
  const st = await cli(args('status'));
  assert.equal(st.code, AGENT_EXIT.OK, st.stderr);
  assert.match(
    st.stdout,
    new RegExp(
      `ota action: +${actionId}: downloaded and verified, waiting for the server to allow the install\n`,
    ),
  );
  assert.match(
    st.stdout,
    new RegExp(
      `staged bundle: +${staged} \\(${bundle.length} bytes, sha256 ${sha256.slice(0, 16)}…\\)`,
    ),
  );
  const stJson = JSON.parse((await cli(args('status', '--json'))).stdout) as { ota?: unknown };
  assert.deepEqual(stJson.ota, {
    actionId: String(actionId),
    stage: 'downloaded',
    staged: { path: staged, sha256, size: bundle.length },
  });

  await srv.deploy({ artifacts: [{ filename: 'fw-5.cairn', data: bundle }], actionId });
  const inst = await cli(args('run', '--once'));
  assert.equal(inst.code, AGENT_EXIT.OK, inst.stderr);
  assert.match(inst.stdout, /installed into slot B \(sequence 5\)/);
  assert.equal(artifactGets(), 1, 'installed from the staged file');
  assert.deepEqual(await readFile(dev.slotB), payload);
  assert.deepEqual(await readdir(join(dev.dir, 'data', 'staged')), []);
  assert.doesNotMatch((await cli(args('status'))).stdout, /staged bundle:/);
});
