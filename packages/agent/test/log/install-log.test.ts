import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InstallLog, SimDisk } from '@cairn/agent';
import { assertRejectsCode } from '@cairn/testkit';

async function setup(rotateAt = 1 << 20): Promise<{ disk: SimDisk; log: InstallLog }> {
  const disk = new SimDisk();
  await disk.mkdirp('/data');
  return { disk, log: new InstallLog(disk, '/data/install.log', () => new Date(0), rotateAt) };
}

test('install log: hash-chained records that verify, survive reloads, and name tampering', async () => {
  const { disk, log } = await setup();
  for (let i = 0; i < 5; i++) await log.append({ event: 'VERIFIED', slot: 'B', detail: `n${i}` });
  assert.equal(await log.verify(), 5);
  assert.deepEqual(
    (await log.entries()).map((e) => e.seq),
    [0, 1, 2, 3, 4],
  );
  const text = Buffer.from((await disk.read('/data/install.log'))!).toString();
  const lines = text.split('\n');
  // edit a record
  await disk.write('/data/install.log', Buffer.from(text.replace('"n2"', '"nX"')));
  const edited = await assertRejectsCode(() => log.verify(), 'LOG_CORRUPT');
  assert.match(edited.message, /record 3 does not chain/);
  // remove a record
  await disk.write(
    '/data/install.log',
    Buffer.from([...lines.slice(0, 1), ...lines.slice(2)].join('\n')),
  );
  await assertRejectsCode(() => log.verify(), 'LOG_CORRUPT');
});

test('install log: a torn last line (power cut mid-append) is dropped and the chain continues', async () => {
  const { disk, log } = await setup();
  await log.append({ event: 'VERIFIED' });
  await disk.append('/data/install.log', Buffer.from('{"seq":1,"ti'));
  assert.equal((await log.entries()).length, 1);
  await log.append({ event: 'WRITTEN' });
  assert.equal(await log.verify(), 2);
});

test('install log: rotates before it grows past its size, keeping the chain across files', async () => {
  const { disk, log } = await setup(2000);
  for (let i = 0; i < 60; i++)
    await log.append({ event: 'REJECTED', code: 'DOWNGRADE', detail: 'x'.repeat(50) });
  const current = (await disk.read('/data/install.log'))!;
  const rotated = (await disk.read('/data/install.log.1'))!;
  assert.ok(
    current.length <= 2000 && rotated.length <= 2000,
    'both generations stay under the rotation size',
  );
  const entries = await log.entries();
  assert.equal(entries.at(-1)?.seq, 59, 'sequence numbers continue across rotations');
  assert.ok(entries.length < 60, 'older generations were dropped');
  assert.equal(await log.verify(), entries.length);
});
