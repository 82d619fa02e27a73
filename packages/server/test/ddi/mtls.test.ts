import assert from 'node:assert/strict';
import { request } from 'node:https';
import { KeyObject } from 'node:crypto';
import {
  buildTestChain,
  caProfile,
  generateTestKey,
  issueCertificate,
  EKU_SERVER_AUTH,
  type TestCert,
} from '@cairn/testkit';
import { ddiFixture } from '../helpers/ddi.js';
import { forEachServer } from '../helpers/server.js';

const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

function pemKey(cert: TestCert): string {
  return KeyObject.from(cert.key.pair.privateKey)
    .export({ format: 'pem', type: 'pkcs8' })
    .toString();
}

/** GET over HTTPS presenting an optional client certificate; resolves with status and body. */
function get(
  url: string,
  ca: string,
  client?: { cert: string; key: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        ca,
        ...(client ?? {}),
        // the test server's certificate names "localhost"; the identity check is not what is tested here
        checkServerIdentity: () => undefined,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

forEachServer(
  'DDI over TLS: a device authenticates with a client certificate from the device CA',
  async (_db, t, config) => {
    // server TLS certificate and a device CA with two device certificates, plus a foreign CA
    const tlsChain = await buildTestChain({
      leaf: { subject: 'CN=localhost', eku: [EKU_SERVER_AUTH] },
    });
    const deviceCa = await issueCertificate({
      subject: 'CN=Cairn Device CA',
      key: await generateTestKey(),
      ...caProfile(0),
    });
    const device = (cn: string, issuer: TestCert): Promise<TestCert> =>
      generateTestKey().then((key) =>
        issueCertificate({
          subject: `CN=${cn}`,
          key,
          issuer,
          keyUsage: ['digitalSignature'],
          eku: [EKU_CLIENT_AUTH],
        }),
      );
    const dev1 = await device('dev-1', deviceCa);
    const dev2 = await device('dev-2', deviceCa);
    const foreignCa = await issueCertificate({
      subject: 'CN=Foreign CA',
      key: await generateTestKey(),
      ...caProfile(0),
    });
    const forged = await device('dev-1', foreignCa);

    const f = await ddiFixture(t, config, {
      tls: {
        cert: `${tlsChain.leaf.pem}\n${tlsChain.ca.pem}\n`,
        key: pemKey(tlsChain.leaf),
        clientCa: deviceCa.pem,
      },
    });
    assert.match(f.url, /^https:/);
    const base = `${f.url}/DEFAULT/controller/v1`;
    const ca = tlsChain.root.pem;

    const ok = await get(`${base}/dev-1`, ca, { cert: dev1.pem, key: pemKey(dev1) });
    assert.equal(ok.status, 200, ok.body);
    const poll = JSON.parse(ok.body) as { _links?: { deploymentBase?: { href: string } } };
    assert.ok(poll._links?.deploymentBase, 'the device sees its deployment');

    const other = await get(`${base}/dev-1`, ca, { cert: dev2.pem, key: pemKey(dev2) });
    assert.equal(other.status, 401, "dev-2's certificate does not open dev-1's controller");

    const none = await get(`${base}/dev-1`, ca);
    assert.equal(none.status, 401, 'no certificate and no token: refused');

    // a certificate from another CA: refused at the TLS handshake or with 401, never served
    let forgedStatus: number | 'handshake refused';
    try {
      forgedStatus = (await get(`${base}/dev-1`, ca, { cert: forged.pem, key: pemKey(forged) }))
        .status;
    } catch {
      forgedStatus = 'handshake refused';
    }
    assert.ok(
      forgedStatus === 401 || forgedStatus === 'handshake refused',
      `forged certificate got ${forgedStatus}`,
    );
  },
);
