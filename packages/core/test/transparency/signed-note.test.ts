// C2SP signed notes. Vector: ../shared/vectors/signed-note/example.json (C2SP
// signed-note.md, example section, CC-BY-4.0). Interop: the example key pair, text and
// signature of the golang.org/x/mod/sumdb/note package documentation (BSD-3-Clause).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createPublicKey, generateKeyPairSync, sign as edSign } from 'node:crypto';
import {
  NOTE_MAX_SIGNATURES,
  NoteError,
  ed25519NoteKeyId,
  formatNote,
  generateNoteKey,
  noteSignerFromKey,
  noteSignerFromSigner,
  noteVerifierFromKey,
  parseNote,
  parseNoteVerifierKey,
  signNote,
  verifyNote,
} from '@cairn/core';
import type { NoteSigner, Signer } from '@cairn/core';
import { assertRejectsCode, assertThrowsCode, vectorPath } from '@cairn/testkit';

interface NoteVector {
  vkey: string;
  note: string;
  valid: boolean;
}
const vector = JSON.parse(
  readFileSync(vectorPath('signed-note', 'example.json'), 'utf8'),
) as NoteVector;

const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT =
  'If you think cryptography is the answer to your problem,\n' +
  "then you don't know what your problem is.\n";
const GO_SIG =
  'x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=';

function rejectsWithNoteError(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (err) {
    assert.ok(err instanceof NoteError, `expected NoteError, got ${String(err)}`);
    return true;
  }
}

test('the C2SP example note verifies with its verifier key', () => {
  assert.equal(vector.valid, true);
  const verifier = noteVerifierFromKey(vector.vkey);
  assert.equal(verifier.name, 'example.com/foo');
  assert.equal(verifier.keyId, 0x530d903a);
  const opened = verifyNote(vector.note, [verifier]);
  assert.equal(opened.text, 'This is an example message.\n');
  assert.equal(opened.verified.length, 1);
  assert.equal(opened.verified[0]!.name, 'example.com/foo');
  assert.equal(opened.unknown.length, 0);
});

test('the example key ID is the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)', () => {
  const { name, key, keyId } = parseNoteVerifierKey(vector.vkey);
  assert.equal(ed25519NoteKeyId(name, key), keyId);
  assert.equal(keyId, 0x530d903a);
});

test('every single flipped bit of the example note is refused', () => {
  const bytes = new TextEncoder().encode(vector.note);
  const verifier = noteVerifierFromKey(vector.vkey);
  let refused = 0;
  for (let bit = 0; bit < bytes.length * 8; bit++) {
    const flipped = new Uint8Array(bytes);
    flipped[bit >> 3]! ^= 1 << (bit & 7);
    assert.ok(
      rejectsWithNoteError(() => verifyNote(flipped, [verifier])),
      `bit ${bit} flipped still verifies`,
    );
    refused++;
  }
  assert.equal(refused, bytes.length * 8);
});

test('every truncation of the example note is refused', () => {
  const verifier = noteVerifierFromKey(vector.vkey);
  const bytes = new TextEncoder().encode(vector.note);
  for (let n = 0; n < bytes.length; n++) {
    assert.ok(
      rejectsWithNoteError(() => verifyNote(bytes.subarray(0, n), [verifier])),
      `prefix ${n}`,
    );
  }
});

test('signing with the Go sumdb/note example key reproduces its signature', async () => {
  const signer = noteSignerFromKey(GO_SKEY);
  assert.equal(signer.keyId, 0xc74f20a3);
  const note = await signNote(GO_TEXT, [signer]);
  assert.equal(note, `${GO_TEXT}\n\u2014 PeterNeumann ${GO_SIG}\n`);
  assert.equal(verifyNote(note, [noteVerifierFromKey(GO_VKEY)]).text, GO_TEXT);
});

test('generated keys round-trip through their string forms, sign and verify', async () => {
  const { signerKey, verifierKey } = generateNoteKey('cairn.example/log');
  assert.match(signerKey, /^PRIVATE\+KEY\+cairn\.example\/log\+[0-9a-f]{8}\+/);
  const signer = noteSignerFromKey(signerKey);
  const verifier = noteVerifierFromKey(verifierKey);
  assert.equal(signer.keyId, verifier.keyId);
  const note = await signNote('hello\n\nworld\n', [signer]);
  const opened = verifyNote(note, [verifier]);
  assert.equal(opened.text, 'hello\n\nworld\n');
});

test('an Ed25519 Cairn Signer (e.g. an HSM key) can sign notes', async () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
  const signer: Signer = {
    algorithm: 'EdDSA',
    publicKey: spki,
    sign: (data) => Promise.resolve(new Uint8Array(edSign(null, data, privateKey))),
  };
  const noteSigner = noteSignerFromSigner('hsm.example/key1', signer);
  const note = await signNote('signed in an HSM\n', [noteSigner]);
  const raw = new Uint8Array(
    createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(12),
  );
  const verifierKey = formatVerifier('hsm.example/key1', raw); // independent of formatNoteVerifierKey
  assert.equal(verifyNote(note, [noteVerifierFromKey(verifierKey)]).verified.length, 1);

  assertThrowsCode(
    () => noteSignerFromSigner('x', { ...signer, algorithm: 'ES256' }),
    'SIGNER_INVALID',
  );
  assertThrowsCode(
    () => noteSignerFromSigner('x', { ...signer, publicKey: spki.subarray(1) }),
    'SIGNER_INVALID',
  );
  const shortSig = noteSignerFromSigner('x', {
    ...signer,
    sign: () => Promise.resolve(new Uint8Array(10)),
  });
  await assertRejectsCode(() => signNote('t\n', [shortSig]), 'SIGNER_INVALID');
});

function formatVerifier(name: string, raw: Uint8Array): string {
  const typed = Buffer.concat([Buffer.from([1]), raw]).toString('base64');
  return `${name}+${ed25519NoteKeyId(name, raw).toString(16).padStart(8, '0')}+${typed}`;
}

test('unknown signers are ignored; known ones must all verify; none known is refused', async () => {
  const a = generateNoteKey('a.example/log');
  const b = generateNoteKey('b.example/witness');
  const c = generateNoteKey('a.example/log'); // same name as a, other key
  const va = noteVerifierFromKey(a.verifierKey);
  const vb = noteVerifierFromKey(b.verifierKey);
  const note = await signNote('text\n', [
    noteSignerFromKey(a.signerKey),
    noteSignerFromKey(b.signerKey),
  ]);

  const onlyA = verifyNote(note, [va]);
  assert.deepEqual(
    onlyA.verified.map((s) => s.name),
    ['a.example/log'],
  );
  assert.deepEqual(
    onlyA.unknown.map((s) => s.name),
    ['b.example/witness'],
  );
  assert.equal(verifyNote(note, [va, vb]).verified.length, 2);

  // Same name, other key ID: ignored, so nothing known verifies.
  assertThrowsCode(() => verifyNote(note, [noteVerifierFromKey(c.verifierKey)]), 'UNVERIFIED');
  assertThrowsCode(() => verifyNote(note, []), 'UNVERIFIED');
  assertThrowsCode(() => verifyNote(note, [va, va]), 'VERIFIER_CONFLICT');

  // A known key whose signature is bad rejects the whole note, even beside a good one.
  const forged: NoteSigner = {
    name: vb.name,
    keyId: vb.keyId,
    sign: () => Promise.resolve(new Uint8Array(64)),
  };
  const mixed = await signNote('text\n', [noteSignerFromKey(a.signerKey), forged]);
  assertThrowsCode(() => verifyNote(mixed, [va, vb]), 'SIGNATURE_INVALID');
  assert.equal(verifyNote(mixed, [va]).verified.length, 1);
});

test('signing refuses text a note cannot carry', async () => {
  const signer = noteSignerFromKey(GO_SKEY);
  for (const text of ['', 'no newline', 'tab\there\n', 'cr\r\n', 'nul\u0000\n', 'lone \ud800\n']) {
    await assertRejectsCode(() => signNote(text, [signer]), 'TEXT_INVALID', JSON.stringify(text));
  }
  const badName: NoteSigner = { name: 'has space', keyId: 1, sign: signer.sign.bind(signer) };
  await assertRejectsCode(() => signNote('x\n', [badName]), 'NAME_INVALID');
  await assertRejectsCode(() => signNote('x\n', []), 'TOO_MANY_SIGNATURES');
});

test('parser refuses hostile notes with typed errors', () => {
  const sig = `\u2014 PeterNeumann ${GO_SIG}\n`;
  const cases: [string | Uint8Array, string][] = [
    ['', 'NOTE_MALFORMED'],
    ['text\n', 'NOTE_MALFORMED'],
    ['text\n\n', 'NOTE_MALFORMED'],
    [`text\n${sig}`, 'NOTE_MALFORMED'],
    [`text\n\n${sig.slice(0, -1)}`, 'NOTE_MALFORMED'],
    [`text\n\n${sig}garbage\n`, 'NOTE_MALFORMED'],
    [`text\n\n- PeterNeumann ${GO_SIG}\n`, 'NOTE_MALFORMED'],
    [`text\n\n\u2014 PeterNeumann\n`, 'NOTE_MALFORMED'],
    [`text\n\n\u2014  ${GO_SIG}\n`, 'NOTE_MALFORMED'],
    [`text\n\n\u2014 Peter+Neumann ${GO_SIG}\n`, 'NOTE_MALFORMED'],
    [`text\n\n\u2014 PeterNeumann ${GO_SIG.slice(0, -1)}\n`, 'NOTE_MALFORMED'],
    [`text\n\n\u2014 PeterNeumann ${GO_SIG} \n`, 'NOTE_MALFORMED'],
    [`text\n\n\u2014 PeterNeumann AAAAAA==\n`, 'NOTE_MALFORMED'],
    [`text\n\n\u2014 PeterNeumann x08g!ZJk\n`, 'NOTE_MALFORMED'],
    [`te\u0007xt\n\n${sig}`, 'NOTE_MALFORMED'],
    [`text\r\n\n${sig}`, 'NOTE_MALFORMED'],
    [`lone \udc00\n\n${sig}`, 'NOTE_MALFORMED'],
    [new Uint8Array([0x74, 0xff, 0x0a, 0x0a]), 'NOTE_MALFORMED'],
    [`text\n\n${sig.repeat(NOTE_MAX_SIGNATURES + 1)}`, 'TOO_MANY_SIGNATURES'],
    [`${'x'.repeat(2 * 1024 * 1024)}\n\n${sig}`, 'NOTE_TOO_LARGE'],
  ];
  for (const [note, code] of cases) {
    assertThrowsCode(() => parseNote(note), code, JSON.stringify(note).slice(0, 80));
  }
  assertThrowsCode(() => parseNote(vector.note, { maxBytes: 10 }), 'NOTE_TOO_LARGE');
  // Exactly the cap of signatures is fine.
  assert.equal(parseNote(`text\n\n${sig.repeat(NOTE_MAX_SIGNATURES)}`).signatures.length, 100);
});

test('the text is split at the last blank line and may hold empty lines', () => {
  const parsed = parseNote(`a\n\n\nb\n\n\u2014 PeterNeumann ${GO_SIG}\n`);
  assert.equal(parsed.text, 'a\n\n\nb\n');
  const again = formatNote(parsed.text, parsed.signatures);
  assert.equal(again, `a\n\n\nb\n\n\u2014 PeterNeumann ${GO_SIG}\n`);
});

test('key strings are parsed strictly', () => {
  const bad: [string, string][] = [
    ['', 'KEY_INVALID'],
    ['PeterNeumann', 'KEY_INVALID'],
    ['PeterNeumann+c74f20a3', 'KEY_INVALID'],
    ['+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'NAME_INVALID'],
    ['Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'NAME_INVALID'],
    ['PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'KEY_INVALID'],
    ['PeterNeumann+c74f20ag+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'KEY_INVALID'],
    ['PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'KEY_ID_MISMATCH'],
    ['PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T', 'KEY_INVALID'],
    ['PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'KEY_INVALID'],
    ['PeterNeumann+c74f20a3+AhpcQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'KEY_INVALID'],
    ['PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWAA==', 'KEY_INVALID'],
    [`PeterNeumann+c74f20a3+${'A'.repeat(5000)}`, 'KEY_INVALID'],
  ];
  for (const [k, code] of bad) assertThrowsCode(() => noteVerifierFromKey(k), code, k.slice(0, 60));
  assertThrowsCode(() => noteSignerFromKey(GO_VKEY), 'KEY_INVALID');
  assertThrowsCode(
    () => noteSignerFromKey(GO_SKEY.replace('c74f20a3', 'c74f20a4')),
    'KEY_ID_MISMATCH',
  );
  assertThrowsCode(() => generateNoteKey('bad+name'), 'NAME_INVALID');
  assertThrowsCode(() => generateNoteKey('nbsp\u00a0name'), 'NAME_INVALID');
});
