import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main, type Io } from '@cairn/cli';

test('cairn demo --embedded --devices 6: every scenario holds and the summary shows each device', async () => {
  let out = '';
  let err = '';
  const io: Io = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
  };
  const code = await main(['demo', '--embedded', '--devices', '6', '--timeout', '120'], io);
  assert.equal(code, 0, `demo failed:\n${out}\n${err.slice(-4000)}`);
  assert.match(out, /device\s+group\s+before\s+after\s+outcome/);
  const rows = out.split('\n').filter((l) => /^demo-[a-z0-9]+-\d{3}\s/.test(l));
  assert.equal(rows.length, 6, out);
  assert.match(
    rows[0]!,
    /factory\s+1\.1\.0-\S+\s+manual 1\.0\.0-\S+ committed; OTA committed 1\.1\.0/,
  );
  assert.match(rows[1]!, /downgrade to 1\.0\.0-\S+ rejected: DOWNGRADE/);
  assert.match(rows[2]!, /tampered file rejected: PAYLOAD_DIGEST_MISMATCH/);
  assert.match(rows[5]!, /factory\s+factory\s+trial boot failed → fell back/);
  assert.equal(rows.filter((r) => /OTA committed 1\.1\.0/.test(r)).length, 5);
  assert.match(out, /(\d+) of \1 expectations held/);
  assert.match(err, /rollout \d+ finished/);
  assert.match(err, /signer audit log intact: \d+ records, [1-9]\d* signed checkpoint/);
  assert.match(err, /transparency log intact: [3-9]\d* entries/);
  assert.match(
    err,
    /update server refuses the tampered bundle on upload — RELEASE_PAYLOAD_INVALID/,
  );
});

test('cairn demo without a running platform exits 3 and says how to start one', async () => {
  let err = '';
  const code = await main(['demo', '--data', '/nonexistent/cairn-data'], {
    out: () => undefined,
    err: (t) => void (err += t),
  });
  assert.equal(code, 3);
  assert.match(err, /npm start|--embedded/);
});
