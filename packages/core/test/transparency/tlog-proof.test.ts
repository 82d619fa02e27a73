// c2sp.org/tlog-proof: grammar (spec example from C2SP tlog-proof.md, CC-BY-4.0),
// encode/parse round trip, end-to-end verification, hostile input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BaseError,
  TLOG_PROOF_HEADER,
  TlogProofError,
  formatTlogProof,
  generateNoteKey,
  inclusionProof,
  leafHash,
  merkleRoot,
  noteSignerFromKey,
  noteVerifierFromKey,
  parseTlogProof,
  signCheckpoint,
  verifyTlogProof,
} from '@cairn/core';
import type { TlogProof } from '@cairn/core';
import { assertThrowsCode } from '@cairn/testkit';

const SPEC_EXAMPLE = `c2sp.org/tlog-proof@v1
extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ
index 73894
gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=
B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=
EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=
RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=
AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=

example.com/fancylog
109482
sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=

\u2014 example.com/fancylog hI2DJw[...]1roloI=
`;

const ORIGIN = 'cairn.example/firmware-log';
const entries = Array.from({ length: 21 }, (_, i) => Buffer.from(`firmware release ${i}`));
const hashes = entries.map((e) => leafHash(e));
const log = generateNoteKey(ORIGIN);
const logVerifier = noteVerifierFromKey(log.verifierKey);

async function checkpointNote(): Promise<string> {
  return signCheckpoint(
    { origin: ORIGIN, size: hashes.length, rootHash: merkleRoot(hashes), extensions: [] },
    [noteSignerFromKey(log.signerKey)],
  );
}

async function proofFor(index: number, extra?: Uint8Array): Promise<TlogProof> {
  const base = {
    index,
    inclusionProof: inclusionProof(index, hashes),
    checkpoint: await checkpointNote(),
  };
  return extra === undefined ? base : { ...base, extra };
}

test('the spec example parses line by line', () => {
  const p = parseTlogProof(SPEC_EXAMPLE);
  assert.equal(p.index, 73894);
  assert.equal(p.inclusionProof.length, 5);
  assert.equal(
    Buffer.from(p.extra ?? [])
      .subarray(0, 11)
      .toString(),
    'age-v1.2.1-',
  );
  assert.ok(p.checkpoint.startsWith('example.com/fancylog\n109482\n'));
  assert.equal(formatTlogProof(p), SPEC_EXAMPLE);
});

test('every entry of a log verifies from its encoded proof, by data or leaf hash', async () => {
  for (let i = 0; i < entries.length; i++) {
    const text = formatTlogProof(await proofFor(i));
    assert.ok(text.startsWith(`${TLOG_PROOF_HEADER}\nindex ${i}\n`));
    const byData = verifyTlogProof(text, { data: entries[i]! }, logVerifier);
    assert.equal(byData.index, i);
    assert.equal(byData.checkpoint.size, entries.length);
    assert.equal(byData.extra, undefined);
    verifyTlogProof(new TextEncoder().encode(text), { leafHash: hashes[i]! }, logVerifier);
  }
});

test('extra data round-trips and is returned, unauthenticated', async () => {
  const extra = new Uint8Array([1, 2, 3, 250]);
  const proof = await proofFor(3, extra);
  const text = formatTlogProof(proof);
  assert.match(text, /^c2sp\.org\/tlog-proof@v1\nextra AQID\+g==\nindex 3\n/);
  assert.deepEqual(parseTlogProof(text), proof);
  assert.deepEqual(verifyTlogProof(text, { data: entries[3]! }, logVerifier).extra, extra);
});

test('wrong entry, index, proof, checkpoint or key is refused', async () => {
  const proof = await proofFor(5);
  const text = formatTlogProof(proof);
  assertThrowsCode(() => verifyTlogProof(text, { data: entries[6]! }, logVerifier), 'NOT_INCLUDED');
  assertThrowsCode(
    () => verifyTlogProof({ ...proof, index: 6 }, { data: entries[5]! }, logVerifier),
    'NOT_INCLUDED',
  );
  assertThrowsCode(
    () => verifyTlogProof({ ...proof, index: 21 }, { data: entries[5]! }, logVerifier),
    'NOT_INCLUDED',
  );
  assertThrowsCode(
    () =>
      verifyTlogProof(
        { ...proof, inclusionProof: proof.inclusionProof.slice(1) },
        { data: entries[5]! },
        logVerifier,
      ),
    'NOT_INCLUDED',
  );
  const other = noteVerifierFromKey(generateNoteKey(ORIGIN).verifierKey);
  assertThrowsCode(() => verifyTlogProof(text, { data: entries[5]! }, other), 'UNVERIFIED');
  const tampered = text.replace(`\n${entries.length}\n`, `\n${entries.length + 1}\n`);
  assertThrowsCode(
    () => verifyTlogProof(tampered, { data: entries[5]! }, logVerifier),
    'SIGNATURE_INVALID',
  );
  assertThrowsCode(
    () => verifyTlogProof(text, { data: entries[5]! }, logVerifier, { origin: 'x/y' }),
    'ORIGIN_MISMATCH',
  );
  // Every truncation fails with a Cairn error, never a crash or a pass.
  for (let n = 0; n < text.length; n++) {
    assert.throws(
      () => verifyTlogProof(text.slice(0, n), { data: entries[5]! }, logVerifier),
      BaseError,
      `prefix ${n}`,
    );
  }
});

test('hostile proofs get typed errors', () => {
  const h = Buffer.alloc(32, 7).toString('base64');
  const cp = 'o\n1\nAA==\n\n\u2014 o AAAAAAA=\n';
  const proof = (lines: string[]): string => `${lines.join('\n')}\n\n${cp}`;
  const cases: [string | Uint8Array, string][] = [
    ['', 'PROOF_MALFORMED'],
    [TLOG_PROOF_HEADER, 'PROOF_MALFORMED'],
    [proof(['c2sp.org/tlog-proof@v2', 'index 1']), 'PROOF_MALFORMED'],
    [proof([`${TLOG_PROOF_HEADER} `, 'index 1']), 'PROOF_MALFORMED'],
    [proof([TLOG_PROOF_HEADER]), 'PROOF_MALFORMED'],
    [proof([TLOG_PROOF_HEADER, 'index']), 'PROOF_MALFORMED'],
    [proof([TLOG_PROOF_HEADER, 'index ']), 'PROOF_MALFORMED'],
    [proof([TLOG_PROOF_HEADER, 'index 01']), 'PROOF_MALFORMED'],
    [proof([TLOG_PROOF_HEADER, 'index +1']), 'PROOF_MALFORMED'],
    [proof([TLOG_PROOF_HEADER, 'index -1']), 'PROOF_MALFORMED'],
    [proof([TLOG_PROOF_HEADER, 'index 1.0']), 'PROOF_MALFORMED'],
    [proof([TLOG_PROOF_HEADER, 'index  1']), 'PROOF_MALFORMED'],
    [proof([TLOG_PROOF_HEADER, 'index 1 ']), 'PROOF_MALFORMED'],
    [proof([TLOG_PROOF_HEADER, 'index 9007199254740992']), 'PROOF_MALFORMED'],
    [proof([TLOG_PROOF_HEADER, 'Index 1']), 'PROOF_MALFORMED'],
    [proof([TLOG_PROOF_HEADER, 'extra AQID', 'extra AQID', 'index 1']), 'PROOF_MALFORMED'],
    [proof([TLOG_PROOF_HEADER, 'index 1', 'extra AQID']), 'PROOF_MALFORMED'],
    [proof([TLOG_PROOF_HEADER, 'extra ', 'index 1']), 'PROOF_MALFORMED'],
    [proof([TLOG_PROOF_HEADER, 'extra AQI', 'index 1']), 'PROOF_MALFORMED'],
    [proof([TLOG_PROOF_HEADER, 'extra AQJ=', 'index 1']), 'PROOF_MALFORMED'],
    [proof([TLOG_PROOF_HEADER, 'index 1', h.slice(0, -1)]), 'PROOF_MALFORMED'],
    [proof([TLOG_PROOF_HEADER, 'index 1', Buffer.alloc(31).toString('base64')]), 'PROOF_MALFORMED'],
    [proof([TLOG_PROOF_HEADER, 'index 1', `${h} `]), 'PROOF_MALFORMED'],
    [proof([TLOG_PROOF_HEADER, 'index 1', ...Array<string>(65).fill(h)]), 'PROOF_TOO_LARGE'],
    [`${TLOG_PROOF_HEADER}\nindex 1\n${h}\n`, 'PROOF_MALFORMED'],
    [`${TLOG_PROOF_HEADER}\nindex 1\n${h}\n\n`, 'PROOF_MALFORMED'],
    [`${TLOG_PROOF_HEADER}\r\nindex 1\r\n\r\n${cp}`, 'PROOF_MALFORMED'],
    [
      new Uint8Array([...Buffer.from(`${TLOG_PROOF_HEADER}\nindex 1\n\n`), 0xc3, 0x28]),
      'PROOF_MALFORMED',
    ],
    [proof([TLOG_PROOF_HEADER, 'index 1', 'x'.repeat(300 * 1024)]), 'PROOF_TOO_LARGE'],
  ];
  for (const [text, code] of cases) {
    const err = assertThrowsCode(
      () => parseTlogProof(text),
      code,
      JSON.stringify(text).slice(0, 90),
    );
    assert.ok(err instanceof TlogProofError);
  }
  assertThrowsCode(() => parseTlogProof(SPEC_EXAMPLE, { maxBytes: 100 }), 'PROOF_TOO_LARGE');
  // Exactly 64 hashes is within the grammar's cap.
  assert.equal(
    parseTlogProof(proof([TLOG_PROOF_HEADER, 'index 1', ...Array<string>(64).fill(h)]))
      .inclusionProof.length,
    64,
  );
});

test('formatTlogProof refuses values that would not parse back', () => {
  const base: TlogProof = { index: 0, inclusionProof: [], checkpoint: 'o\n0\n' };
  assertThrowsCode(() => formatTlogProof({ ...base, index: -1 }), 'PROOF_MALFORMED');
  assertThrowsCode(() => formatTlogProof({ ...base, index: 2 ** 53 }), 'PROOF_MALFORMED');
  assertThrowsCode(
    () => formatTlogProof({ ...base, inclusionProof: [new Uint8Array(5)] }),
    'PROOF_MALFORMED',
  );
  assertThrowsCode(() => formatTlogProof({ ...base, checkpoint: '' }), 'PROOF_MALFORMED');
  assertThrowsCode(
    () =>
      formatTlogProof({ ...base, inclusionProof: Array<Uint8Array>(65).fill(new Uint8Array(32)) }),
    'PROOF_TOO_LARGE',
  );
});
