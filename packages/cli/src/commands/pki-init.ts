import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isKeyType, KEY_TYPES } from '@cairn/keys';
import { EXIT, toJson, UsageError, type Command } from '../command.js';
import { PKI_HELP, PKI_OPTIONS, withPki } from './pki-common.js';

/** `cairn pki init`: root CA + issuing CA + a code-signing certificate in one step. */
export const pkiInitCommand: Command = {
  path: ['pki', 'init'],
  summary: 'create a root CA, an issuing CA and a code-signing certificate',
  help: `Usage: cairn pki init --data DIR [--code-signing-key LABEL] [--org NAME] [--ca-key-type TYPE] [--json] [key store options]

Creates, in one step: a self-signed root CA (20 years, pathLen 1), an issuing CA under it
(10 years, pathLen 0), and a code-signing certificate (1 year) for the key
--code-signing-key (default 'code-signing'; generated as ecdsa-p256 if missing).
CA keys 'cairn-root-ca' and 'cairn-issuing-ca' are generated in the key store (TYPE,
default ecdsa-p384). Writes root.pem, issuing.pem and code-signing.pem into DIR.

Options:
  --code-signing-key LABEL   key to certify for code signing   [code-signing]
  --org NAME                 organization (O) in every subject  [Cairn]
  --ca-key-type TYPE         ${KEY_TYPES.join(', ')}
  --json                     print the result as JSON
${PKI_HELP}

Exit codes: 0 created · 1 failed (already initialised: CA_EXISTS…) · 2 usage · 3 key store unavailable`,
  options: {
    ...PKI_OPTIONS,
    'code-signing-key': { type: 'string' },
    org: { type: 'string' },
    'ca-key-type': { type: 'string' },
    json: { type: 'boolean' },
  },
  run(ctx) {
    const { values, io } = ctx;
    const csKey =
      typeof values['code-signing-key'] === 'string' ? values['code-signing-key'] : 'code-signing';
    const org = typeof values['org'] === 'string' ? values['org'] : 'Cairn';
    const caType = values['ca-key-type'] ?? 'ecdsa-p384';
    if (!isKeyType(caType))
      throw new UsageError(`--ca-key-type must be one of ${KEY_TYPES.join(', ')}`);
    return withPki(ctx, 'pki init', async (pki, keys, dir) => {
      const root = await pki.createRootCa({
        id: 'root',
        subject: { commonName: `${org} Root CA`, organization: org },
        keyLabel: 'cairn-root-ca',
        keyType: caType,
      });
      const issuing = await pki.createIssuingCa({
        id: 'issuing',
        subject: { commonName: `${org} Issuing CA`, organization: org },
        keyLabel: 'cairn-issuing-ca',
        keyType: caType,
      });
      let generated = false;
      if (!(await keys.list()).some((k) => k.label === csKey)) {
        await keys.generate(csKey, 'ecdsa-p256');
        generated = true;
      }
      const cs = await pki.issue({
        profile: 'code-signing',
        keyLabel: csKey,
        subject: { commonName: `${org} firmware signing (${csKey})`, organization: org },
      });
      const files = {
        root: join(dir, 'root.pem'),
        issuing: join(dir, 'issuing.pem'),
        codeSigning: join(dir, 'code-signing.pem'),
      };
      writeFileSync(files.root, root.pem);
      writeFileSync(files.issuing, issuing.pem);
      writeFileSync(files.codeSigning, cs.pem);
      if (values['json']) {
        io.out(
          toJson({
            keyStore: keys.description,
            root: { serial: root.serial, subject: root.subject, notAfter: root.notAfter },
            issuing: {
              serial: issuing.serial,
              subject: issuing.subject,
              notAfter: issuing.notAfter,
            },
            codeSigning: {
              serial: cs.serial,
              key: csKey,
              keyGenerated: generated,
              notAfter: cs.notAfter,
            },
            files,
          }),
        );
      } else {
        io.out(
          `PKI created in ${dir} (keys in ${keys.description})\n` +
            `  root CA      ${root.subject}  serial ${root.serial}  until ${root.notAfter.toISOString()}\n` +
            `  issuing CA   ${issuing.subject}  serial ${issuing.serial}\n` +
            `  code signing ${cs.subject}  serial ${cs.serial}  key '${csKey}'${generated ? ' (generated)' : ''}\n` +
            `Wrote ${files.root}, ${files.issuing}, ${files.codeSigning}\n` +
            `Check: openssl verify -CAfile ${files.root} -untrusted ${files.issuing} ${files.codeSigning}\n`,
        );
      }
      return EXIT.OK;
    });
  },
};
