/**
 * End to end with a real DDI client: Debian's SWUpdate (suricatta, hawkBit mode) polls the
 * server with its TargetToken, downloads the .swu artifact of the assigned release,
 * installs its payload to a file and reports back; the action closes with success.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess, ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireTools } from '@cairn/testkit';
import { chunks, makeBundle } from '../helpers/bundles.js';
import { forEachServer, startServer } from '../helpers/server.js';
import { buildSwu } from './swu.js';

const DEADLINE_MS = 45_000;

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
  log: string[],
): ChildProcessByStdio<null, Readable, Readable> {
  const child = spawn('swupdate', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => log.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => log.push(d.toString()));
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(t);
}

async function until(what: string, check: () => Promise<boolean>, log: string[]): Promise<void> {
  const end = Date.now() + DEADLINE_MS;
  while (!(await check())) {
    if (Date.now() > end)
      assert.fail(`timed out waiting for ${what}; swupdate said:\n${log.join('').slice(-4000)}`);
    await sleep(200);
  }
}

forEachServer(
  'SWUpdate (suricatta) installs a release over DDI and reports closed/success',
  async (_db, t, config) => {
    if (!requireTools(t, ['swupdate', 'openssl'])) return;
    const s = await startServer(t, config, { pollingSleepSeconds: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'cairn-swupdate-'));
    t.after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const { releases, devices, actions } = s.server.services;
    const bundle = await makeBundle({
      sequence: 1,
      payload: new Uint8Array(64).fill(3),
      signer: s.key.signer,
    });
    const release = await releases.upload('gw', chunks(bundle), {
      actor: 'test',
      version: '1.0.0',
    });
    const payload = new Uint8Array(Buffer.from(`cairn payload ${Date.now()}\n`.repeat(50)));
    const target = join(dir, 'installed.bin');
    const image = buildSwu(dir, payload, target);
    await releases.attach(release.id, 'update.swu', chunks(image.swu), { actor: 'test' });
    const { targetToken } = await devices.add({ controllerId: 'swu-dev', productId: 'gw' });
    const action = await actions.create('swu-dev', release.id, { type: 'forced' });

    const env = { ...process.env, TMPDIR: dir };
    const suricatta = (extra: string[]) => [
      '-v',
      '-H',
      image.hardware,
      '-k',
      image.certPath,
      '-u',
      [
        '-t',
        'DEFAULT',
        '-u',
        s.url,
        '-i',
        'swu-dev',
        '-k',
        targetToken,
        '-p',
        '1',
        '-r',
        '1',
        '-w',
        '1',
        ...extra,
      ].join(' '),
    ];
    const log: string[] = [];
    const child = run(suricatta([]), env, log);
    try {
      await until(
        'the payload file',
        () => Promise.resolve(existsSync(target) && readFileSync(target).length === payload.length),
        log,
      );
      assert.deepEqual(new Uint8Array(readFileSync(target)), payload);
      // SWUpdate reports progress and, without a reboot step, finishes the deployment.
      await until(
        'the device to report the outcome',
        async () => {
          const a = await actions.get(action.id);
          return (
            !a.active ||
            (await actions.history(action.id)).some((h) =>
              h.messages.includes('All Chunks Installed.'),
            )
          );
        },
        log,
      );
    } finally {
      await stop(child);
    }
    let a = await actions.get(action.id);
    t.diagnostic(
      a.active
        ? 'SWUpdate left the action open until the -c 2 confirmation'
        : 'SWUpdate closed the action in the same run',
    );
    if (a.active) {
      // SWUpdate waits for a reboot before it closes an action; the confirmation after the
      // reboot is `-c 2` (SUCCESS), which is how a real device reports it.
      const confirmLog: string[] = [];
      const confirm = run(suricatta(['-c', '2']), env, confirmLog);
      try {
        await until(
          'closed/success',
          async () => !(await actions.get(action.id)).active,
          confirmLog,
        );
      } finally {
        await stop(confirm);
      }
      a = await actions.get(action.id);
    }
    assert.deepEqual([a.status, a.active], ['finished', false]);
    const device = await devices.get('swu-dev');
    assert.deepEqual([device.state, device.installedReleaseId], ['in_sync', release.id]);
    const history = await actions.history(action.id, 100);
    assert.ok(
      history.some((h) => h.status === 'retrieved'),
      'the server saw the deployment retrieved',
    );
    assert.ok(history.some((h) => h.status === 'finished'));
  },
);
