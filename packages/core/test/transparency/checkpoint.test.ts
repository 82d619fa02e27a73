// C2SP tlog-checkpoint: body grammar, signing and opening, hostile input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CheckpointError,
  formatCheckpoint,
  generateNoteKey,
  leafHash,
  merkleRoot,
  noteSignerFromKey,
  noteVerifierFromKey,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  signNote,
} from '@cairn/core';
import type { Checkpoint } from '@cairn/core';
import { assertThrowsCode } from '@cairn/testkit';

const root = merkleRoot([leafHash(Buffer.from('a')), leafHash(Buffer.from('b'))]);
const rootB64 = Buffer.from(root).toString('base64');
const cp: Checkpoint = { origin: 'cairn.example/log', size: 2, rootHash: root, extensions: [] };

test('the C2SP spec example checkpoint body parses', () => {
  // tlog-checkpoint.md, example section (CC-BY-4.0).
  const parsed = parseCheckpoint(
    'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
  );
  assert.equal(parsed.origin, 'example.com/behind-the-sofa');
  assert.equal(parsed.size, 20852163);
  assert.equal(parsed.rootHash.length, 32);
  assert.deepEqual(parsed.extensions, []);
});

test('format and parse round-trip, with and without extension lines', () => {
  assert.equal(formatCheckpoint(cp), `cairn.example/log\n2\n${rootB64}\n`);
  for (const c of [
    cp,
    { ...cp, size: 0 },
    { ...cp, size: Number.MAX_SAFE_INTEGER, extensions: ['ext one', '— two'] },
  ]) {
    assert.deepEqual(parseCheckpoint(formatCheckpoint(c)), c);
  }
});

test('a signed checkpoint opens with the log key and origin', async () => {
  const log = generateNoteKey('cairn.example/log');
  const witness = generateNoteKey('witness.example/w1');
  const note = await signCheckpoint(cp, [
    noteSignerFromKey(log.signerKey),
    noteSignerFromKey(witness.signerKey),
  ]);
  const logV = noteVerifierFromKey(log.verifierKey);
  const witnessV = noteVerifierFromKey(witness.verifierKey);

  const opened = openCheckpoint(note, logV);
  assert.deepEqual(opened.checkpoint, cp);
  assert.equal(opened.verified.length, 1);
  const withWitness = openCheckpoint(note, logV, { otherVerifiers: [witnessV] });
  assert.deepEqual(
    withWitness.verified.map((s) => s.name),
    ['cairn.example/log', 'witness.example/w1'],
  );

  assertThrowsCode(() => openCheckpoint(note, logV, { origin: 'other/log' }), 'ORIGIN_MISMATCH');
  // Signed by a witness only: the log's own signature is required.
  const witnessOnly = await signCheckpoint(cp, [noteSignerFromKey(witness.signerKey)]);
  assertThrowsCode(
    () => openCheckpoint(witnessOnly, logV, { otherVerifiers: [witnessV] }),
    'LOG_SIGNATURE_MISSING',
  );
  assertThrowsCode(() => openCheckpoint(witnessOnly, logV), 'UNVERIFIED');
  // A log key named differently from the origin needs the origin spelled out.
  const renamed = generateNoteKey('cairn.example/log-key-2026');
  const renamedNote = await signCheckpoint(cp, [noteSignerFromKey(renamed.signerKey)]);
  const renamedV = noteVerifierFromKey(renamed.verifierKey);
  assertThrowsCode(() => openCheckpoint(renamedNote, renamedV), 'ORIGIN_MISMATCH');
  assert.equal(openCheckpoint(renamedNote, renamedV, { origin: cp.origin }).checkpoint.size, 2);
  // Tampered size.
  assertThrowsCode(() => openCheckpoint(note.replace('\n2\n', '\n3\n'), logV), 'SIGNATURE_INVALID');
});

test('a validly signed note that is not a checkpoint is refused', async () => {
  const log = generateNoteKey('cairn.example/log');
  const note = await signCheckpoint(cp, [noteSignerFromKey(log.signerKey)]);
  const notCp = await signNote('cairn.example/log\nnot a size\n', [
    noteSignerFromKey(log.signerKey),
  ]);
  assert.equal(openCheckpoint(note, noteVerifierFromKey(log.verifierKey)).checkpoint.size, 2);
  assertThrowsCode(
    () => openCheckpoint(notCp, noteVerifierFromKey(log.verifierKey)),
    'CHECKPOINT_MALFORMED',
  );
});

test('hostile checkpoint bodies get typed errors', () => {
  const body = (size: string, r = rootB64, rest = ''): string => `o\n${size}\n${r}\n${rest}`;
  const cases: [string, string][] = [
    ['', 'CHECKPOINT_MALFORMED'],
    ['o\n1\n', 'CHECKPOINT_MALFORMED'],
    [`o\n1\n${rootB64}`, 'CHECKPOINT_MALFORMED'],
    [`\n1\n${rootB64}\n`, 'CHECKPOINT_MALFORMED'],
    [body('1', rootB64, '\n'), 'CHECKPOINT_MALFORMED'],
    [body('1', rootB64, 'ext\n\n'), 'CHECKPOINT_MALFORMED'],
    [body('1', rootB64, 'x\n'.repeat(65)), 'CHECKPOINT_MALFORMED'],
    [body(''), 'SIZE_INVALID'],
    [body('01'), 'SIZE_INVALID'],
    [body('00'), 'SIZE_INVALID'],
    [body('+1'), 'SIZE_INVALID'],
    [body('-1'), 'SIZE_INVALID'],
    [body(' 1'), 'SIZE_INVALID'],
    [body('1 '), 'SIZE_INVALID'],
    [body('1e3'), 'SIZE_INVALID'],
    [body('0x10'), 'SIZE_INVALID'],
    [body('1.0'), 'SIZE_INVALID'],
    [body('\u0661'), 'SIZE_INVALID'],
    [body('9007199254740992'), 'SIZE_INVALID'],
    [body('99999999999999999999999999'), 'SIZE_INVALID'],
    [body('1', ''), 'ROOT_INVALID'],
    [body('1', rootB64.slice(0, -1)), 'ROOT_INVALID'],
    [body('1', rootB64.replace('=', '')), 'ROOT_INVALID'],
    [body('1', ` ${rootB64}`), 'ROOT_INVALID'],
    [body('1', Buffer.from(root).toString('base64url')), 'ROOT_INVALID'],
    [body('1', Buffer.alloc(31).toString('base64')), 'ROOT_INVALID'],
    [body('1', Buffer.alloc(33).toString('base64')), 'ROOT_INVALID'],
    [body('1', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB='), 'ROOT_INVALID'],
  ];
  for (const [text, code] of cases) {
    const err = assertThrowsCode(() => parseCheckpoint(text), code, JSON.stringify(text));
    assert.ok(err instanceof CheckpointError);
  }
  // Every truncation of a valid body is refused.
  const full = formatCheckpoint(cp);
  for (let n = 0; n < full.length; n++) {
    assert.throws(() => parseCheckpoint(full.slice(0, n)), CheckpointError, `prefix ${n}`);
  }
});

test('formatCheckpoint refuses values that would not parse back', () => {
  assertThrowsCode(() => formatCheckpoint({ ...cp, origin: '' }), 'CHECKPOINT_MALFORMED');
  assertThrowsCode(() => formatCheckpoint({ ...cp, origin: 'a\nb' }), 'CHECKPOINT_MALFORMED');
  assertThrowsCode(() => formatCheckpoint({ ...cp, extensions: [''] }), 'CHECKPOINT_MALFORMED');
  assertThrowsCode(() => formatCheckpoint({ ...cp, size: -1 }), 'SIZE_INVALID');
  assertThrowsCode(() => formatCheckpoint({ ...cp, size: 1.5 }), 'SIZE_INVALID');
  assertThrowsCode(() => formatCheckpoint({ ...cp, rootHash: new Uint8Array(20) }), 'ROOT_INVALID');
});
