import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import {
  buildManifest,
  CborMap,
  CborTag,
  decodeCbor,
  decodeEnvelope,
  encodeCbor,
  encodeEnvelope,
  isCairnError,
  signEnvelope,
  softwareSigner,
  suitCommand as cmd,
  suitDigest,
  verifyEnvelope,
  type CborValue,
} from '@cairn/core';
import { assertThrowsCode, loadSuitExamples } from '@cairn/testkit';
import { CLASS, VENDOR } from './helpers.js';

const examples = loadSuitExamples();
const ex = (n: number): Uint8Array => examples[n]!.envelope;

/** An envelope around raw manifest bytes with a correct digest (no signature). */
function envelopeFor(manifest: Uint8Array, extra: [CborValue, CborValue][] = []): Uint8Array {
  const auth = encodeCbor([suitDigest(manifest).bytes]);
  return encodeCbor(new CborTag(107, new CborMap([[2, auth], [3, manifest], ...extra])));
}

/** example0's manifest map, decoded, for field surgery. */
function manifestMap(): CborMap {
  const env = decodeEnvelope(ex(0));
  return decodeCbor(env.manifest.bytes) as CborMap;
}

function withField(key: number, value: CborValue | undefined): Uint8Array {
  const m = manifestMap();
  if (value === undefined) m.delete(key);
  else m.set(key, value);
  return envelopeFor(encodeCbor(m));
}

function commonWith(mutate: (c: CborMap) => void): Uint8Array {
  const m = manifestMap();
  const common = decodeCbor(m.get(3) as Uint8Array) as CborMap;
  mutate(common);
  m.set(3, encodeCbor(common));
  return envelopeFor(encodeCbor(m));
}

const validateWith = (items: CborValue[]): Uint8Array => withField(7, encodeCbor(items));

test('truncation at every offset of every example is SUIT_MALFORMED', () => {
  for (const e of examples) {
    for (let n = 0; n < e.envelope.length; n++) {
      assertThrowsCode(
        () => decodeEnvelope(e.envelope.subarray(0, n)),
        'SUIT_MALFORMED',
        `${e.name} cut at ${n}`,
      );
    }
  }
});

test('trailing bytes after the envelope are refused', () => {
  assertThrowsCode(() => decodeEnvelope(Uint8Array.of(...ex(0), 0)), 'SUIT_MALFORMED');
});

test('the re-wrapped example0 manifest decodes (control for the surgery below)', () => {
  assert.equal(decodeEnvelope(withField(2, 0)).manifest.sequenceNumber, 0);
});

test('manifest fields: version, sequence number, common, sequences', () => {
  assertThrowsCode(() => decodeEnvelope(withField(1, 2)), 'SUIT_UNSUPPORTED_VERSION');
  assertThrowsCode(() => decodeEnvelope(withField(1, 'one')), 'SUIT_UNSUPPORTED_VERSION');
  assertThrowsCode(() => decodeEnvelope(withField(1, undefined)), 'SUIT_MALFORMED');
  assertThrowsCode(() => decodeEnvelope(withField(2, undefined)), 'SUIT_MALFORMED');
  assertThrowsCode(() => decodeEnvelope(withField(2, -1)), 'SUIT_MALFORMED');
  assertThrowsCode(() => decodeEnvelope(withField(2, 'zero')), 'SUIT_MALFORMED');
  assertThrowsCode(() => decodeEnvelope(withField(3, undefined)), 'SUIT_MALFORMED');
  assertThrowsCode(() => decodeEnvelope(withField(3, new CborMap())), 'SUIT_MALFORMED');
  assertThrowsCode(() => decodeEnvelope(withField(4, 42)), 'SUIT_MALFORMED');
  assertThrowsCode(() => decodeEnvelope(withField(7, [3, 15])), 'SUIT_MALFORMED');
  assertThrowsCode(() => decodeEnvelope(withField(20, 'install')), 'SUIT_MALFORMED');
  assertThrowsCode(
    () => decodeEnvelope(withField(20, [-16, new Uint8Array(31)])),
    'SUIT_MALFORMED',
  );
  assertThrowsCode(
    () => decodeEnvelope(withField(20, [-99, new Uint8Array(32)])),
    'SUIT_UNSUPPORTED_ALGORITHM',
  );
});

test('the sequence number keeps uint64 exactly', () => {
  const max = 0xffffffffffffffffn;
  assert.equal(decodeEnvelope(withField(2, max)).manifest.sequenceNumber, max);
  assert.equal(decodeEnvelope(withField(2, 2 ** 40)).manifest.sequenceNumber, 2 ** 40);
});

test('unknown manifest and common members are refused unless allowed', () => {
  assertThrowsCode(() => decodeEnvelope(withField(99, 1)), 'SUIT_UNKNOWN_MEMBER');
  const ok = decodeEnvelope(withField(99, 1), { allowUnknownMembers: true });
  assert.equal(ok.manifest.unknown?.get(99), 1);
  assertThrowsCode(() => decodeEnvelope(commonWith((c) => c.set(9, 0))), 'SUIT_UNKNOWN_MEMBER');
});

test('common: components required, non-empty, arrays of bstr, capped', () => {
  assertThrowsCode(() => decodeEnvelope(commonWith((c) => c.delete(2))), 'SUIT_MALFORMED');
  assertThrowsCode(() => decodeEnvelope(commonWith((c) => c.set(2, []))), 'SUIT_MALFORMED');
  assertThrowsCode(() => decodeEnvelope(commonWith((c) => c.set(2, [['00']]))), 'SUIT_MALFORMED');
  assertThrowsCode(
    () => decodeEnvelope(commonWith((c) => c.set(2, [new Uint8Array(1)]))),
    'SUIT_MALFORMED',
  );
  const many = Array.from({ length: 65 }, () => [Uint8Array.of(0)]);
  assertThrowsCode(() => decodeEnvelope(commonWith((c) => c.set(2, many))), 'SUIT_LIMIT_EXCEEDED');
  assertThrowsCode(() => decodeEnvelope(commonWith((c) => c.set(4, 'seq'))), 'SUIT_MALFORMED');
});

test('commands: shape, unknown codes, arguments, parameters', () => {
  assertThrowsCode(() => decodeEnvelope(validateWith([])), 'SUIT_MALFORMED');
  assertThrowsCode(() => decodeEnvelope(validateWith([3])), 'SUIT_MALFORMED');
  assertThrowsCode(() => decodeEnvelope(validateWith(['3', 15])), 'SUIT_MALFORMED');
  assertThrowsCode(() => decodeEnvelope(validateWith([99, 15])), 'SUIT_UNKNOWN_COMMAND');
  assertThrowsCode(() => decodeEnvelope(validateWith([3, 'x'])), 'SUIT_MALFORMED');
  assertThrowsCode(() => decodeEnvelope(validateWith([12, false])), 'SUIT_MALFORMED');
  assertThrowsCode(() => decodeEnvelope(validateWith([12, []])), 'SUIT_MALFORMED');
  assertThrowsCode(
    () => decodeEnvelope(validateWith([15, [encodeCbor([3, 15])]])),
    'SUIT_MALFORMED',
  );
  assertThrowsCode(
    () => decodeEnvelope(validateWith([15, [null, encodeCbor([3, 15])]])),
    'SUIT_MALFORMED',
  );
  assertThrowsCode(() => decodeEnvelope(validateWith([32, [3, 15]])), 'SUIT_MALFORMED');
  assertThrowsCode(() => decodeEnvelope(validateWith([20, new CborMap()])), 'SUIT_MALFORMED');
  assertThrowsCode(
    () => decodeEnvelope(validateWith([20, new CborMap([[1, new Uint8Array(15)]])])),
    'SUIT_MALFORMED',
  );
  assertThrowsCode(
    () => decodeEnvelope(validateWith([20, new CborMap([[3, encodeCbor([-16, 'x'])]])])),
    'SUIT_MALFORMED',
  );
  assertThrowsCode(
    () => decodeEnvelope(validateWith([20, new CborMap([[14, -1]])])),
    'SUIT_MALFORMED',
  );
  assertThrowsCode(
    () => decodeEnvelope(validateWith([20, new CborMap([[21, Uint8Array.of(1)]])])),
    'SUIT_MALFORMED',
  );
  assertThrowsCode(
    () => decodeEnvelope(validateWith(Array.from({ length: 600 }, (_, i) => (i % 2 ? 15 : 3)))),
    'SUIT_LIMIT_EXCEEDED',
  );
  // custom (negative) commands and unknown parameters are kept for the processor to judge
  const custom = decodeEnvelope(validateWith([-3, 'arg', 20, new CborMap([[-1, 5]])]));
  assert.equal(custom.manifest.validate?.commands[0]?.name, 'custom');
});

test('nested sequences are capped in depth', () => {
  let inner = encodeCbor([14, 0]);
  for (let i = 0; i < 10; i++) inner = encodeCbor([32, inner]);
  assertThrowsCode(() => decodeEnvelope(withField(7, inner)), 'SUIT_LIMIT_EXCEEDED');
});

test('envelope structure: tag, key types, required members, digest', () => {
  const env = decodeCbor(ex(0)) as CborTag;
  const map = env.value as CborMap;
  const rebuild = (f: (m: CborMap) => void, tag = 107): Uint8Array => {
    const m = new CborMap(map.entries());
    f(m);
    return encodeCbor(new CborTag(tag, m));
  };
  assertThrowsCode(() => decodeEnvelope(encodeCbor(map)), 'SUIT_MALFORMED');
  assertThrowsCode(() => decodeEnvelope(rebuild(() => undefined, 48)), 'SUIT_MALFORMED');
  assertThrowsCode(() => decodeEnvelope(rebuild((m) => m.delete(2))), 'SUIT_MALFORMED');
  assertThrowsCode(() => decodeEnvelope(rebuild((m) => m.delete(3))), 'SUIT_MALFORMED');
  assertThrowsCode(() => decodeEnvelope(rebuild((m) => m.set(3, 'manifest'))), 'SUIT_MALFORMED');
  assertThrowsCode(
    () => decodeEnvelope(rebuild((m) => m.set(Uint8Array.of(1), Uint8Array.of(1)))),
    'SUIT_MALFORMED',
  );
  assertThrowsCode(
    () => decodeEnvelope(rebuild((m) => m.set(2, encodeCbor([])))),
    'SUIT_MALFORMED',
  );
  assertThrowsCode(
    () => decodeEnvelope(rebuild((m) => m.set(2, encodeCbor([Uint8Array.of(1)])))),
    'SUIT_MALFORMED',
  );
  // manifest changed under the same authentication wrapper
  const manifest = (map.get(3) as Uint8Array).slice();
  manifest[manifest.length - 1]! ^= 1;
  assertThrowsCode(
    () => decodeEnvelope(rebuild((m) => m.set(3, manifest))),
    'SUIT_DIGEST_MISMATCH',
  );
  // unknown int members are refused by default; kept (and re-encoded) when allowed
  const extra = rebuild((m) => {
    m.set('#fw', Uint8Array.of(1, 2, 3));
    m.set(99, Uint8Array.of(4));
  });
  assertThrowsCode(() => decodeEnvelope(extra), 'SUIT_UNKNOWN_MEMBER');
  assertThrowsCode(
    () => decodeEnvelope(rebuild((m) => m.set('', Uint8Array.of(1)))),
    'SUIT_MALFORMED',
  );
  const d = decodeEnvelope(extra, { allowUnknownMembers: true });
  assert.deepEqual(d.integrated.get('#fw'), Uint8Array.of(1, 2, 3));
  assert.deepEqual(d.extensions.get(99), Uint8Array.of(4));
  assert.deepEqual(encodeEnvelope(d), extra);
});

test('severed members: wrong digest, unauthenticated member, required but missing', () => {
  const env = decodeCbor(ex(2)) as CborTag;
  const map = env.value as CborMap;
  for (const key of [20, 23]) {
    const m = new CborMap(map.entries());
    const member = (m.get(key) as Uint8Array).slice();
    member[5]! ^= 0x01;
    m.set(key, member);
    assertThrowsCode(
      () => decodeEnvelope(encodeCbor(new CborTag(107, m))),
      'SUIT_DIGEST_MISMATCH',
      `member ${key}`,
    );
  }
  const m0 = new CborMap(
    (decodeCbor(ex(0)) as CborTag).value instanceof CborMap
      ? ((decodeCbor(ex(0)) as CborTag).value as CborMap).entries()
      : [],
  );
  m0.set(20, encodeCbor([3, 15]));
  assertThrowsCode(
    () => decodeEnvelope(encodeCbor(new CborTag(107, m0))),
    'SUIT_SEVERED_UNEXPECTED',
  );
  const stripped = new CborMap(map.entries());
  stripped.delete(20);
  const bytes = encodeCbor(new CborTag(107, stripped));
  assert.equal(decodeEnvelope(bytes).manifest.install?.value, undefined);
  assertThrowsCode(
    () => decodeEnvelope(bytes, { requireSevered: ['install'] }),
    'SUIT_SEVERED_MISSING',
  );
});

test('size cap: envelopes over maxEnvelopeBytes are refused before parsing', () => {
  assertThrowsCode(() => decodeEnvelope(new Uint8Array(64 * 1024 + 1)), 'SUIT_TOO_LARGE');
  assertThrowsCode(
    () => decodeEnvelope(ex(2), { limits: { maxEnvelopeBytes: 500 } }),
    'SUIT_TOO_LARGE',
  );
  assert.ok(decodeEnvelope(ex(2), { limits: { maxEnvelopeBytes: 923 } }));
});

test('fast-check: random bytes never crash the decoder with anything but a SuitError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      try {
        decodeEnvelope(Uint8Array.of(0xd8, 0x6b, ...bytes));
      } catch (err) {
        assert.ok(isCairnError(err), String(err));
        assert.equal(err.name, 'SuitError');
      }
    }),
    { numRuns: 500 },
  );
});

/** A freshly signed envelope whose install sequence is severed into the envelope. */
async function severedInstallEnvelope(alg: 'ES256' | 'EdDSA') {
  const { privateKey, publicKey } =
    alg === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const built = buildManifest({
    sequenceNumber: 42,
    components: [[Uint8Array.of(0)]],
    sharedSequence: [
      cmd.overrideParameters({ vendorId: { uuid: VENDOR }, classId: CLASS }),
      cmd.condition('vendor-identifier'),
      cmd.condition('class-identifier'),
    ],
    install: [cmd.overrideParameters({ uri: 'https://example.com/fw.bin' }), cmd.action('fetch')],
    validate: [cmd.condition('vendor-identifier')],
    sever: ['install'],
  });
  const signed = await signEnvelope({ manifest: built, signer: softwareSigner(privateKey, alg) });
  assert.ok(verifyEnvelope(signed, { keys: [publicKey] }));
  return { signed, publicKey };
}

test('a suit-delegation member is refused unless allowed (a one-byte change made one from a severed member)', async () => {
  const { signed, publicKey } = await severedInstallEnvelope('EdDSA');
  // The fast-check property below once found this: the severed install member's envelope
  // key 20 (0x14) XOR 21 = 1, suit-delegation. Severed members may be stripped, so the
  // manifest still verified, with an unevaluated "delegation" added by anyone.
  const top = decodeCbor(signed) as CborTag;
  const map = top.value as CborMap;
  const keys = [...map.keys()];
  assert.ok(keys.includes(20), 'the install member is severed into the envelope');
  const renamed = new CborMap(
    [...map.entries()].map(([k, v]): [CborValue, CborValue] => [k === 20 ? 1 : k, v]),
  );
  const mutated = encodeCbor(new CborTag(top.tag, renamed));
  const oneByte = signed.findIndex((v, i) => v === 0x14 && mutatedAt(signed, i, 1, mutated));
  assert.ok(oneByte > 0, 'the renamed envelope is the original with one byte changed');
  const err = assertThrowsCode(
    () => verifyEnvelope(mutated, { keys: [publicKey] }),
    'SUIT_DELEGATION_UNSUPPORTED',
  );
  assert.match(err.message, /suit-delegation \(1\).*remove it/);
  // kept, not evaluated, when the caller opts in
  const decoded = decodeEnvelope(mutated, { allowUnknownMembers: true });
  assert.ok(decoded.delegation !== undefined);
});

/** Whether `a` with byte `i` replaced by `b` equals `c`. */
function mutatedAt(a: Uint8Array, i: number, b: number, c: Uint8Array): boolean {
  if (a.length !== c.length) return false;
  const x = a.slice();
  x[i] = b;
  return x.every((v, j) => v === c[j]);
}

for (const alg of ['ES256', 'EdDSA'] as const) {
  test(`fast-check: no single-byte mutation of a freshly signed ${alg} envelope verifies`, async () => {
    const { signed, publicKey } = await severedInstallEnvelope(alg);
    fc.assert(
      fc.property(fc.nat(signed.length - 1), fc.integer({ min: 1, max: 255 }), (pos, x) => {
        const bad = signed.slice();
        bad[pos]! ^= x;
        try {
          verifyEnvelope(bad, { keys: [publicKey] });
        } catch (err) {
          return isCairnError(err);
        }
        return false;
      }),
      { numRuns: 400 },
    );
  });
}
