import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { test } from 'node:test';
import { parseRange } from '@cairn/server';
import { assertThrowsCode } from '@cairn/testkit';
import { ddiFixture } from '../helpers/ddi.js';
import { forEachServer } from '../helpers/server.js';

forEachServer(
  'DDI artifact download: whole, Range (206/416) and .MD5SUM',
  async (_db, t, config) => {
    const f = await ddiFixture(t, config);
    const path = `/softwaremodules/${f.release.id}/artifacts/update.swu`;
    const whole = await f.ddi(path);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.equal(whole.headers.get('content-length'), String(f.swu.length));
    assert.equal(whole.headers.get('etag'), `"${createHash('sha1').update(f.swu).digest('hex')}"`);
    assert.deepEqual(new Uint8Array(await whole.arrayBuffer()), f.swu);

    const n = f.swu.length;
    const cases: [string, number, number][] = [
      ['bytes=0-9', 0, 9],
      ['bytes=-10', n - 10, n - 1],
      ['bytes=100-', 100, n - 1],
      ['bytes=5-99999', 5, n - 1],
    ];
    for (const [range, start, end] of cases) {
      const r = await f.ddi(path, { headers: { range } });
      assert.equal(r.status, 206, range);
      assert.equal(r.headers.get('content-range'), `bytes ${start}-${end}/${n}`);
      assert.deepEqual(
        new Uint8Array(await r.arrayBuffer()),
        f.swu.subarray(start, end + 1),
        range,
      );
    }
    for (const range of [`bytes=${n}-`, `bytes=${n + 5}-${n + 9}`, 'bytes=-0']) {
      const r = await f.ddi(path, { headers: { range } });
      assert.equal(r.status, 416, range);
      assert.equal(r.headers.get('content-range'), `bytes */${n}`);
    }
    // Not a byte range we serve partially: the whole file.
    assert.equal((await f.ddi(path, { headers: { range: 'items=0-1' } })).status, 200);

    const md5 = await f.ddi(`${path}.MD5SUM`);
    assert.equal(md5.status, 200);
    assert.equal(await md5.text(), `${createHash('md5').update(f.swu).digest('hex')}  update.swu`);
    assert.equal(md5.headers.get('content-disposition'), 'attachment;filename=update.swu.MD5SUM');

    assert.equal((await f.ddi(`/softwaremodules/${f.release.id}/artifacts/nope.bin`)).status, 404);
    assert.equal((await f.ddi(`/softwaremodules/99999/artifacts/update.swu`)).status, 404);
  },
);

void test('parseRange: every satisfiable range lies inside the file and matches the request', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 10_000 }),
      fc.nat(20_000),
      fc.nat(20_000),
      (size, a, b) => {
        const header = `bytes=${a}-${b}`;
        let r;
        try {
          r = parseRange(header, size);
        } catch {
          assert.ok(a >= size, `only start beyond the end is unsatisfiable (${header}, ${size})`);
          return;
        }
        if (b < a) {
          assert.equal(r, undefined);
          return;
        }
        assert.ok(r !== undefined);
        assert.equal(r.start, a);
        assert.equal(r.end, Math.min(b, size - 1));
      },
    ),
  );
  assertThrowsCode(() => parseRange('bytes=-0', 10), 'ARTIFACT_RANGE_NOT_SATISFIABLE');
  assert.equal(parseRange(undefined, 10), undefined);
  assert.deepEqual(parseRange('bytes=-3', 10), { start: 7, end: 9 });
  assert.deepEqual(parseRange('bytes=-30', 10), { start: 0, end: 9 });
});
