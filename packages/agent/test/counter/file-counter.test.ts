import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentError, FileCounterStore, NodeDisk, SimDisk, UINT64_MAX } from '@cairn/agent';
import { assertRejectsCode } from '@cairn/testkit';

test('file counter starts at 0, rises, never lowers (real file system)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-counter-'));
  try {
    const store = new FileCounterStore(new NodeDisk(), dir);
    assert.equal(await store.read(), 0n);
    await store.raise(5n);
    assert.equal(await store.read(), 5n);
    await store.raise(5n); // equal: no-op
    await store.raise(UINT64_MAX);
    assert.equal(await store.read(), UINT64_MAX);
    await assertRejectsCode(() => store.raise(4n), 'COUNTER_LOWER');
    await assertRejectsCode(() => store.raise(-1n), 'COUNTER_INVALID');
    await assertRejectsCode(() => store.raise(UINT64_MAX + 1n), 'COUNTER_INVALID');
    assert.equal(await new FileCounterStore(new NodeDisk(), dir).read(), UINT64_MAX);
    const files = (await readdir(dir)).sort();
    assert.deepEqual(files, ['counter.a', 'counter.b'], 'two copies, no temp files left');
    for (const f of files) assert.equal((await stat(join(dir, f))).mode & 0o777, 0o600);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('file counter survives one corrupted copy and fails closed when both are corrupt', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-counter-'));
  try {
    const store = new FileCounterStore(new NodeDisk(), dir);
    await store.raise(7n);
    const a = await readFile(join(dir, 'counter.a'));
    a[20] = (a[20] ?? 0) ^ 0x01;
    await writeFile(join(dir, 'counter.a'), a);
    assert.equal(await store.read(), 7n, 'the intact copy holds the value');
    await store.raise(8n); // repairs the broken copy
    assert.equal(await store.read(), 8n);
    await writeFile(join(dir, 'counter.a'), Buffer.from('garbage'));
    await writeFile(join(dir, 'counter.b'), Buffer.alloc(32, 0xff));
    const err = await assertRejectsCode(() => store.read(), 'COUNTER_CORRUPT');
    assert.match(err.message, /refusing to guess/);
    await assertRejectsCode(() => store.raise(9n), 'COUNTER_CORRUPT');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('file counter: a power cut at every write, fsync and rename never lowers the value', async () => {
  // For each cut point during a raise from 3 to 4, and many crash outcomes (seeds), the
  // value after reboot is 3 or 4 — never lower, never unreadable.
  let cutPoints = 0;
  for (let seed = 1; seed <= 40; seed++) {
    for (let cut = 1; ; cut++) {
      const disk = new SimDisk(seed);
      await disk.mkdirp('/data');
      const store = new FileCounterStore(disk, '/data');
      await store.raise(3n);
      disk.cutAfter(cut);
      let finished = false;
      try {
        await store.raise(4n);
        finished = true;
      } catch (err) {
        assert.ok(err instanceof AgentError && err.code === 'POWER_CUT', String(err));
      }
      disk.crash();
      const after = await new FileCounterStore(disk, '/data').read();
      assert.ok(after === 3n || after === 4n, `seed ${seed} cut ${cut}: read ${after}`);
      if (finished) {
        assert.equal(after, 4n, `seed ${seed}: a completed raise is durable`);
        break;
      }
      cutPoints++;
    }
  }
  assert.ok(cutPoints >= 40 * 8, `exercised ${cutPoints} cut points`);
});
