import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { assertRejectsCode, buildTestChain } from '@cairn/testkit';
import { softwareSigner } from '@cairn/core';
import {
  chunks,
  keyFromCert,
  makeBundle,
  newSigningKey,
  OTHER_CLASS_ID,
  VENDOR_ID,
  CLASS_ID,
} from '../helpers/bundles.js';
import { forEachServer, startServer } from '../helpers/server.js';

const payload = (n: number, fill = 7): Uint8Array => new Uint8Array(n).fill(fill);

forEachServer(
  'release upload: verified bundles accepted, every refusal typed and audited',
  async (_db, t, config) => {
    const s = await startServer(t, config);
    const { releases, audit, storage } = s.server.services;
    const upload = (bytes: Uint8Array, version?: string) =>
      releases.upload('gw', chunks(bytes, 1000), {
        actor: 'test',
        ...(version === undefined ? {} : { version }),
      });

    const v1 = await makeBundle({ sequence: 5, payload: payload(10_000), signer: s.key.signer });
    const r1 = await upload(v1, '1.0.0');
    assert.equal(r1.sequenceNumber, 5n);
    assert.equal(r1.version, '1.0.0');
    assert.equal(r1.bundleSize, v1.length);
    assert.equal(r1.bundleSha256, createHash('sha256').update(v1).digest('hex'));
    assert.deepEqual(await storage.stat(r1.bundleSha256), { size: v1.length });
    const arts = await releases.artifacts(r1.id);
    assert.deepEqual(
      arts.map((a) => [a.kind, a.filename, a.size]),
      [['bundle', 'gw-5.cairn', v1.length]],
    );
    assert.equal(arts[0]?.md5, createHash('md5').update(v1).digest('hex'));

    // Lower and equal sequence numbers: a re-release must be signed with a higher one.
    for (const seq of [4, 5]) {
      const b = await makeBundle({
        sequence: seq,
        payload: payload(100, seq),
        signer: s.key.signer,
      });
      await assertRejectsCode(() => upload(b), 'RELEASE_SEQUENCE_NOT_NEWER');
    }
    // Signed by a key the product does not trust.
    const stranger = newSigningKey();
    await assertRejectsCode(
      async () =>
        upload(await makeBundle({ sequence: 9, payload: payload(50), signer: stranger.signer })),
      'RELEASE_SIGNATURE_INVALID',
    );
    // Unsigned envelope.
    await assertRejectsCode(
      async () => upload(await makeBundle({ sequence: 9, payload: payload(50), unsigned: true })),
      'RELEASE_SIGNATURE_INVALID',
    );
    // Built for another class of device.
    await assertRejectsCode(
      async () =>
        upload(
          await makeBundle({
            sequence: 9,
            payload: payload(50),
            signer: s.key.signer,
            classId: OTHER_CLASS_ID,
          }),
        ),
      'RELEASE_WRONG_PRODUCT',
    );
    // Tampered payload (last byte flipped): digests no longer match the signed manifest.
    const tampered = await makeBundle({
      sequence: 9,
      payload: payload(5000),
      signer: s.key.signer,
    });
    tampered[tampered.length - 1] = (tampered.at(-1) ?? 0) ^ 0xff;
    await assertRejectsCode(() => upload(tampered), 'RELEASE_PAYLOAD_INVALID');
    // Tampered header (envelope byte flipped): framing checksum fails.
    const header = await makeBundle({ sequence: 9, payload: payload(50), signer: s.key.signer });
    header[40] = (header[40] ?? 0) ^ 0x01;
    await assertRejectsCode(() => upload(header), 'RELEASE_MALFORMED');
    // Not a bundle at all; trailing garbage.
    await assertRejectsCode(() => upload(new Uint8Array(100)), 'RELEASE_MALFORMED');
    const trailing = await makeBundle({ sequence: 9, payload: payload(50), signer: s.key.signer });
    await assertRejectsCode(
      () => upload(new Uint8Array(Buffer.concat([trailing, Buffer.from('x')]))),
      'RELEASE_MALFORMED',
    );
    await assertRejectsCode(
      () => upload(trailing.subarray(0, trailing.length - 10)),
      'RELEASE_MALFORMED',
    );
    await assertRejectsCode(
      () => releases.upload('nope', chunks(v1), { actor: 'test' }),
      'PRODUCT_NOT_FOUND',
    );

    // Nothing refused was kept: only the accepted bundle is in the store, no temp files left.
    const stored = readdirSync(join(s.dataDir, 'artifacts', 'sha256'), { recursive: true })
      .map(String)
      .filter((p) => /[0-9a-f]{64}$/.test(p));
    assert.equal(stored.length, 1);
    assert.deepEqual(readdirSync(join(s.dataDir, 'artifacts', 'tmp')), []);

    const trail = (await audit.list(50)).filter((e) => e.event === 'release.upload').reverse();
    assert.deepEqual(
      trail.map((e) => [e.outcome, e.code ?? null]),
      [
        ['accepted', null],
        ['refused', 'RELEASE_SEQUENCE_NOT_NEWER'],
        ['refused', 'RELEASE_SEQUENCE_NOT_NEWER'],
        ['refused', 'RELEASE_SIGNATURE_INVALID'],
        ['refused', 'RELEASE_SIGNATURE_INVALID'],
        ['refused', 'RELEASE_WRONG_PRODUCT'],
        ['refused', 'RELEASE_PAYLOAD_INVALID'],
        ['refused', 'RELEASE_MALFORMED'],
        ['refused', 'RELEASE_MALFORMED'],
        ['refused', 'RELEASE_MALFORMED'],
        ['refused', 'RELEASE_MALFORMED'],
        ['refused', 'PRODUCT_NOT_FOUND'],
      ],
    );
    for (const e of trail.slice(1)) assert.match(String(e.details?.['message']), /./);

    // A higher sequence number is accepted again.
    const v2 = await makeBundle({ sequence: 6, payload: payload(10), signer: s.key.signer });
    assert.equal((await upload(v2)).sequenceNumber, 6n);
  },
);

forEachServer(
  'release upload over HTTP: size cap, x5chain against a pinned root',
  async (_db, t, config) => {
    const s = await startServer(t, config, { maxBundleBytes: 20_000 });
    const ok = await makeBundle({ sequence: 1, payload: payload(1000), signer: s.key.signer });
    const res = await s.admin('/api/v1/products/gw/releases?version=1.0', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: ok,
    });
    assert.equal(res.status, 201, await res.clone().text());
    const body = (await res.json()) as { sequenceNumber: string; version: string };
    assert.deepEqual([body.sequenceNumber, body.version], ['1', '1.0']);

    const big = await makeBundle({ sequence: 2, payload: payload(30_000), signer: s.key.signer });
    const tooBig = await s.admin('/api/v1/products/gw/releases', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: big,
    });
    assert.equal(tooBig.status, 413);
    assert.equal(((await tooBig.json()) as { errorCode: string }).errorCode, 'RELEASE_TOO_LARGE');
    // Streamed without a Content-Length: the cap applies while receiving.
    await assertRejectsCode(
      () => s.server.services.releases.upload('gw', chunks(big, 512), { actor: 't' }),
      'RELEASE_TOO_LARGE',
    );

    const unauth = await fetch(`${s.url}/api/v1/products/gw/releases`, {
      method: 'POST',
      body: ok,
    });
    assert.equal(unauth.status, 401);

    // A product anchored by an SPKI pin of its root CA; releases carry the x5chain.
    const chain = await buildTestChain();
    const pin = createHash('sha256').update(chain.root.key.spki).digest('hex');
    await s.server.services.products.create({
      id: 'cam',
      name: 'Camera',
      vendorId: VENDOR_ID,
      classId: CLASS_ID,
      anchors: [{ kind: 'pin', value: pin }],
    });
    const signer = softwareSigner(keyFromCert(chain.leaf), 'ES256');
    const viaChain = await makeBundle({
      sequence: 3,
      payload: payload(64),
      signer,
      x5chain: [...chain.chain, chain.root.der],
    });
    const r = await s.server.services.releases.upload('cam', chunks(viaChain), { actor: 't' });
    assert.equal(r.productId, 'cam');
    const noChain = await makeBundle({ sequence: 4, payload: payload(64), signer });
    await assertRejectsCode(
      () => s.server.services.releases.upload('cam', chunks(noChain), { actor: 't' }),
      'RELEASE_SIGNATURE_INVALID',
    );
  },
);
