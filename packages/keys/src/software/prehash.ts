/**
 * Signing a precomputed digest with a software key. node:crypto always hashes the
 * message itself, so:
 * - RSA-PSS: EMSA-PSS encoding (RFC 8017 §9.1.1) here, the RSA private operation by
 *   node:crypto (`privateEncrypt` without padding).
 * - ECDSA: deterministic ECDSA (RFC 6979) in BigInt arithmetic. This is NOT constant
 *   time; it only serves the software keystore, which is not an HSM anyway. Whole-message
 *   signing (`sign`) always goes through node:crypto.
 */
import {
  constants,
  createHash,
  createHmac,
  privateEncrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

interface Curve {
  readonly p: bigint;
  readonly n: bigint;
  readonly b: bigint;
  readonly gx: bigint;
  readonly gy: bigint;
  readonly size: number;
}

const CURVES: Readonly<Record<'P-256' | 'P-384', Curve>> = {
  'P-256': {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
    size: 32,
  },
  'P-384': {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
    size: 48,
  },
};

const mod = (a: bigint, m: bigint): bigint => {
  const r = a % m;
  return r < 0n ? r + m : r;
};

function inv(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

type Jac = readonly [bigint, bigint, bigint];

// Jacobian doubling/addition for a = -3 curves (P-256, P-384).
function dbl(c: Curve, [x, y, z]: Jac): Jac {
  if (y === 0n || z === 0n) return [0n, 1n, 0n];
  const p = c.p;
  const zz = mod(z * z, p);
  const m = mod(3n * (x - zz) * (x + zz), p);
  const yy = mod(y * y, p);
  const s = mod(4n * x * yy, p);
  const x3 = mod(m * m - 2n * s, p);
  const y3 = mod(m * (s - x3) - 8n * yy * yy, p);
  return [x3, y3, mod(2n * y * z, p)];
}

function add(c: Curve, a: Jac, b: Jac): Jac {
  if (a[2] === 0n) return b;
  if (b[2] === 0n) return a;
  const p = c.p;
  const z1z1 = mod(a[2] * a[2], p);
  const z2z2 = mod(b[2] * b[2], p);
  const u1 = mod(a[0] * z2z2, p);
  const u2 = mod(b[0] * z1z1, p);
  const s1 = mod(a[1] * b[2] * z2z2, p);
  const s2 = mod(b[1] * a[2] * z1z1, p);
  if (u1 === u2) return s1 === s2 ? dbl(c, a) : [0n, 1n, 0n];
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  const hh = mod(h * h, p);
  const hhh = mod(h * hh, p);
  const v = mod(u1 * hh, p);
  const x3 = mod(r * r - hhh - 2n * v, p);
  const y3 = mod(r * (v - x3) - s1 * hhh, p);
  return [x3, y3, mod(a[2] * b[2] * h, p)];
}

function mulG(c: Curve, k: bigint): bigint {
  let acc: Jac = [0n, 1n, 0n];
  const g: Jac = [c.gx, c.gy, 1n];
  for (let i = BigInt(c.size * 8 - 1); i >= 0n; i--) {
    acc = dbl(c, acc);
    const sum = add(c, acc, g);
    if ((k >> i) & 1n) acc = sum;
  }
  const zi = inv(acc[2], c.p);
  return mod(acc[0] * zi * zi, c.p);
}

const toInt = (b: Uint8Array): bigint =>
  b.length === 0 ? 0n : BigInt('0x' + Buffer.from(b).toString('hex'));
const toBytes = (v: bigint, size: number): Buffer =>
  Buffer.from(v.toString(16).padStart(size * 2, '0'), 'hex');

/** RFC 6979 §3.2 nonce generation (qlen = hlen for the curves and hashes used here). */
function* nonces(c: Curve, hash: 'sha256' | 'sha384', d: bigint, h1: bigint): Generator<bigint> {
  const hlen = hash === 'sha256' ? 32 : 48;
  const x = toBytes(d, c.size);
  const ho = toBytes(mod(h1, c.n), c.size);
  const hmac = (k: Buffer, ...parts: Buffer[]): Buffer => {
    const m = createHmac(hash, k);
    for (const part of parts) m.update(part);
    return m.digest();
  };
  let v: Buffer = Buffer.alloc(hlen, 1);
  let k: Buffer = Buffer.alloc(hlen, 0);
  k = hmac(k, v, Buffer.of(0), x, ho);
  v = hmac(k, v);
  k = hmac(k, v, Buffer.of(1), x, ho);
  v = hmac(k, v);
  for (;;) {
    v = hmac(k, v);
    const cand = toInt(v) >> BigInt(Math.max(0, hlen * 8 - c.size * 8));
    if (cand >= 1n && cand < c.n) yield cand;
    k = hmac(k, v, Buffer.of(0));
    v = hmac(k, v);
  }
}

/** ECDSA over a precomputed digest; returns raw r‖s. */
export function ecdsaSignDigest(
  key: KeyObject,
  hash: 'sha256' | 'sha384',
  digest: Uint8Array,
): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  const crv = jwk.crv;
  if ((crv !== 'P-256' && crv !== 'P-384') || jwk.d === undefined) {
    throw new Error(`ecdsaSignDigest: not a P-256/P-384 private key (${String(crv)})`);
  }
  const c = CURVES[crv];
  const d = toInt(Buffer.from(jwk.d, 'base64url'));
  const e = toInt(digest) >> BigInt(Math.max(0, digest.length * 8 - c.size * 8));
  for (const k of nonces(c, hash, d, e)) {
    const r = mod(mulG(c, k), c.n);
    if (r === 0n) continue;
    const s = mod(inv(k, c.n) * (e + r * d), c.n);
    if (s === 0n) continue;
    return new Uint8Array(Buffer.concat([toBytes(r, c.size), toBytes(s, c.size)]));
  }
  throw new Error('unreachable');
}

function mgf1(seed: Buffer, len: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; out.length * 32 < len; i++) {
    const ctr = Buffer.alloc(4);
    ctr.writeUInt32BE(i);
    out.push(createHash('sha256').update(seed).update(ctr).digest());
  }
  return Buffer.concat(out).subarray(0, len);
}

/** RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32) over a precomputed SHA-256 digest. */
export function pssSignDigest(key: KeyObject, digest: Uint8Array): Uint8Array {
  const modBits = key.asymmetricKeyDetails?.modulusLength;
  if (modBits === undefined) throw new Error('pssSignDigest: not an RSA key');
  const modLen = Math.ceil(modBits / 8);
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const hLen = 32;
  const salt = randomBytes(32);
  const h = createHash('sha256').update(Buffer.alloc(8)).update(digest).update(salt).digest();
  const db = Buffer.alloc(emLen - hLen - 1);
  db[db.length - salt.length - 1] = 0x01;
  salt.copy(db, db.length - salt.length);
  const mask = mgf1(h, db.length);
  for (let i = 0; i < db.length; i++) db[i] = db[i]! ^ mask[i]!;
  db[0] = db[0]! & (0xff >> (8 * emLen - emBits));
  const em = Buffer.concat([Buffer.alloc(modLen - emLen), db, h, Buffer.of(0xbc)]);
  return new Uint8Array(privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, em));
}
