import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertThrowsCode } from '@cairn/testkit';
import { groupSizes, matchesFilter, parseFilter } from '@cairn/server';

const dev = { hw: 'rev2', region: 'eu', 'fw.channel': 'beta' };

test('filter language: comparisons, and/or/not, parentheses, quotes, exists', () => {
  const m = (src: string) => matchesFilter(parseFilter(src), dev);
  assert.equal(m(''), true);
  assert.equal(m('hw=rev2 and region=eu'), true);
  assert.equal(m('hw=rev2 and region=us'), false);
  assert.equal(m('hw=rev1 or region=eu'), true);
  assert.equal(m('not hw=rev1'), true);
  assert.equal(m('hw!=rev2'), false);
  assert.equal(m('missing!=x'), true);
  assert.equal(m('fw.channel="beta"'), true);
  assert.equal(m('fw.channel exists and not missing exists'), true);
  assert.equal(m('hw=rev1 or (region=eu AND hw=rev2)'), true);
  // and binds tighter than or
  assert.equal(m('hw=rev1 and region=eu or hw=rev2'), true);
  assert.equal(m('hw=rev1 and (region=eu or hw=rev2)'), false);
});

test('filter language: every malformed filter is ROLLOUT_FILTER_INVALID', () => {
  for (const bad of [
    'hw=',
    '=rev2',
    'hw rev2',
    '(hw=rev2',
    'hw=rev2)',
    'hw="x',
    'hw="a\\"b"',
    'hw=rev2 and',
    'hw==x',
    'hw=$',
    'x'.repeat(1025),
    `${'('.repeat(20)}a=b${')'.repeat(20)}`,
    Array.from({ length: 65 }, (_, i) => `k${i}=v`).join(' or '),
  ]) {
    assertThrowsCode(() => parseFilter(bad), 'ROLLOUT_FILTER_INVALID');
  }
});

test('filter language: not inverts, and/or follow boolean logic (property)', () => {
  const attrs = fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('x', 'y'));
  const cmp = fc
    .tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('=', '!='), fc.constantFrom('x', 'y'))
    .map(([k, o, v]) => `${k}${o}${v}`);
  fc.assert(
    fc.property(attrs, cmp, cmp, (d, p, q) => {
      const ev = (s: string) => matchesFilter(parseFilter(s), d);
      assert.equal(ev(`not (${p})`), !ev(p));
      assert.equal(ev(`${p} and ${q}`), ev(p) && ev(q));
      assert.equal(ev(`${p} or ${q}`), ev(p) || ev(q));
    }),
  );
});

test('group sizes cover every device: equal split or percentages', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 100 }), (n, k) => {
      const s = groupSizes(n, { count: k });
      assert.equal(s.length, k);
      assert.equal(
        s.reduce((a, b) => a + b, 0),
        n,
      );
      assert.ok(Math.max(...s) - Math.min(...s) <= 1);
    }),
  );
  assert.deepEqual(groupSizes(10, { percentages: [10, 40, 50] }), [1, 4, 5]);
  assert.deepEqual(groupSizes(7, { percentages: [50, 50] }), [3, 4]);
});
