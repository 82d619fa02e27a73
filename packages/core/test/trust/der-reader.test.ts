import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeBoolean,
  decodeDer,
  decodeInteger,
  decodeOid,
  decodeTime,
  DerError,
  parseCertificate,
  readElement,
  TrustError,
} from '@cairn/core';
import { assertThrowsCode, buildTestChain } from '@cairn/testkit';

/** `depth` nested SEQUENCEs around a NULL, minimally encoded, built in one pass. */
const nest = (depth: number): Uint8Array => {
  const headers: number[][] = [];
  let len = 2;
  for (let i = 0; i < depth; i++) {
    const lenBytes: number[] = [];
    for (let v = len; v > 0; v = Math.floor(v / 256)) lenBytes.unshift(v % 256);
    const h = len < 0x80 ? [0x30, len] : [0x30, 0x80 | lenBytes.length, ...lenBytes];
    headers.push(h);
    len += h.length;
  }
  const out = new Uint8Array(len);
  let off = 0;
  for (let i = headers.length - 1; i >= 0; i--) {
    out.set(headers[i]!, off);
    off += headers[i]!.length;
  }
  out.set([0x05, 0x00], off);
  return out;
};

describe('DER reader: hostile input', () => {
  let cert: Uint8Array;
  before(async () => {
    cert = (await buildTestChain()).leaf.der;
  });

  test('a real certificate decodes and re-covers every byte', () => {
    const el = decodeDer(cert);
    assert.equal(el.end, cert.length);
    assert.equal(el.tag, 0x30);
    assert.equal(parseCertificate(cert).der, cert);
  });

  test('truncation at every offset is DER_TRUNCATED (reader) and CERT_MALFORMED (parser)', () => {
    for (let n = 0; n < cert.length; n++) {
      const prefix = cert.subarray(0, n);
      assertThrowsCode(() => decodeDer(prefix), 'DER_TRUNCATED', `prefix ${n}`);
      const err = assertThrowsCode(() => parseCertificate(prefix), 'CERT_MALFORMED', `prefix ${n}`);
      assert.ok(err.cause instanceof DerError);
    }
  });

  test('huge lengths: 4-octet length past the end, 5+ octet length fields', () => {
    assertThrowsCode(
      () => decodeDer(Uint8Array.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0)),
      'DER_TRUNCATED',
    );
    assertThrowsCode(
      () => decodeDer(Uint8Array.of(0x30, 0x85, 1, 0, 0, 0, 0)),
      'DER_LENGTH_TOO_LARGE',
    );
    assertThrowsCode(() => decodeDer(Uint8Array.of(0x30, 0xff)), 'DER_LENGTH_TOO_LARGE');
  });

  test('non-minimal lengths are refused', () => {
    assertThrowsCode(() => decodeDer(Uint8Array.of(0x05, 0x81, 0x00)), 'DER_NON_MINIMAL_LENGTH');
    assertThrowsCode(
      () => decodeDer(Uint8Array.of(0x04, 0x81, 0x01, 0xaa)),
      'DER_NON_MINIMAL_LENGTH',
    );
    const padded = Uint8Array.from([0x04, 0x82, 0x00, 0x80, ...new Uint8Array(0x80)]);
    assertThrowsCode(() => decodeDer(padded), 'DER_NON_MINIMAL_LENGTH');
    // The same content with a minimal length is accepted.
    assert.equal(
      decodeDer(Uint8Array.from([0x04, 0x81, 0x80, ...new Uint8Array(0x80)])).content.length,
      0x80,
    );
  });

  test('indefinite length is refused', () => {
    assertThrowsCode(
      () => decodeDer(Uint8Array.of(0x30, 0x80, 0x05, 0x00, 0x00, 0x00)),
      'DER_INDEFINITE_LENGTH',
    );
  });

  test('trailing bytes after the element are refused', () => {
    assertThrowsCode(() => decodeDer(Uint8Array.from([...cert, 0x00])), 'DER_TRAILING_BYTES');
    // Inside a SEQUENCE, children must exactly fill it.
    assertThrowsCode(() => decodeDer(Uint8Array.of(0x30, 0x03, 0x05, 0x00, 0x05)), 'DER_TRUNCATED');
  });

  test('deep nesting stops at the cap without recursion', () => {
    assert.equal(decodeDer(nest(31)).tag, 0x30);
    assertThrowsCode(() => decodeDer(nest(33)), 'DER_TOO_DEEP');
    assertThrowsCode(() => decodeDer(nest(8), { maxDepth: 4 }), 'DER_TOO_DEEP');
    assertThrowsCode(() => decodeDer(nest(20_000)), 'DER_TOO_DEEP');
  });

  test('high tag numbers and constructed strings are refused', () => {
    assertThrowsCode(() => decodeDer(Uint8Array.of(0x1f, 0x81, 0x00, 0x00)), 'DER_UNSUPPORTED_TAG');
    assertThrowsCode(
      () => decodeDer(Uint8Array.of(0x24, 0x03, 0x04, 0x01, 0x00)),
      'DER_UNSUPPORTED_TAG',
    );
    assertThrowsCode(() => decodeDer(Uint8Array.of(0x10, 0x00)), 'DER_UNSUPPORTED_TAG');
  });

  test('primitive values follow DER: minimal INTEGER, strict BOOLEAN, OID, times', () => {
    const el = (bytes: number[]) => readElement(Uint8Array.from(bytes), 0);
    assert.equal(decodeInteger(el([0x02, 0x02, 0x00, 0x80])), 128n);
    assert.equal(decodeInteger(el([0x02, 0x01, 0xff])), -1n);
    assertThrowsCode(() => decodeInteger(el([0x02, 0x02, 0x00, 0x01])), 'DER_INVALID_VALUE');
    assertThrowsCode(() => decodeInteger(el([0x02, 0x02, 0xff, 0x80])), 'DER_INVALID_VALUE');
    assertThrowsCode(() => decodeInteger(el([0x02, 0x00])), 'DER_INVALID_VALUE');
    assert.equal(decodeBoolean(el([0x01, 0x01, 0xff])), true);
    assertThrowsCode(() => decodeBoolean(el([0x01, 0x01, 0x01])), 'DER_INVALID_VALUE');
    // 1.2.840.10045.4.3.2 (ecdsa-with-SHA256) as encoded by every X.509 library.
    assert.equal(
      decodeOid(el([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02])),
      '1.2.840.10045.4.3.2',
    );
    assert.equal(decodeOid(el([0x06, 0x03, 0x55, 0x1d, 0x13])), '2.5.29.19');
    assertThrowsCode(() => decodeOid(el([0x06, 0x02, 0x80, 0x01])), 'DER_INVALID_VALUE');
    assertThrowsCode(() => decodeOid(el([0x06, 0x01, 0x86])), 'DER_INVALID_VALUE');
    const time = (tag: number, s: string) => el([tag, s.length, ...Buffer.from(s, 'latin1')]);
    assert.equal(decodeTime(time(0x17, '491231235959Z')).toISOString(), '2049-12-31T23:59:59.000Z');
    assert.equal(decodeTime(time(0x17, '500101000000Z')).toISOString(), '1950-01-01T00:00:00.000Z');
    assert.equal(
      decodeTime(time(0x18, '20500101000000Z')).toISOString(),
      '2050-01-01T00:00:00.000Z',
    );
    for (const bad of [
      '491331000000Z',
      '490230000000Z',
      '4912312359Z',
      '491231235959+0100',
      '491231235960Z',
    ]) {
      assertThrowsCode(() => decodeTime(time(0x17, bad)), 'DER_INVALID_VALUE', bad);
    }
    assertThrowsCode(() => decodeTime(time(0x18, '20500101000000.5Z')), 'DER_INVALID_VALUE');
  });

  test('property: arbitrary bytes either decode or throw a DerError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          const el = decodeDer(bytes);
          return el.end === bytes.length;
        } catch (err) {
          return err instanceof DerError;
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('property: a certificate with random byte edits fails only with typed errors', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const copy = new Uint8Array(cert);
          for (const [pos, value] of edits) copy[pos % copy.length] = value;
          try {
            parseCertificate(copy);
            return true;
          } catch (err) {
            return (
              err instanceof TrustError &&
              (err.code === 'CERT_MALFORMED' || err.code === 'CERT_TOO_LARGE')
            );
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
