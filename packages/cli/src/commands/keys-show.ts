import { createPublicKey } from 'node:crypto';
import { spkiSha256 } from '@cairn/keys';
import { EXIT, toJson, type Command } from '../command.js';
import { KEYSTORE_HELP, KEYSTORE_OPTIONS, withKeyStore } from '../keystore-options.js';

/** `cairn keys show LABEL`: one key's public half. */
export const keysShowCommand: Command = {
  path: ['keys', 'show'],
  summary: 'show a key: public key PEM, SPKI SHA-256, type, backend',
  help: `Usage: cairn keys show LABEL [--json] [key store options]

Prints the public key (PEM), its SPKI SHA-256 (the pin devices carry), type and backend.

${KEYSTORE_HELP}

Exit codes: 0 ok · 1 no such key · 2 usage · 3 key store unavailable`,
  options: { json: { type: 'boolean' }, ...KEYSTORE_OPTIONS },
  positionals: [1, 1],
  run(ctx) {
    const label = ctx.positionals[0]!;
    return withKeyStore(ctx, 'keys show', async (store) => {
      const k = await store.get(label);
      const pem = createPublicKey({ key: Buffer.from(k.publicKey), format: 'der', type: 'spki' })
        .export({ format: 'pem', type: 'spki' })
        .toString();
      const sha = Buffer.from(spkiSha256(k.publicKey)).toString('hex');
      if (ctx.values['json']) {
        ctx.io.out(
          toJson({
            label: k.label,
            id: k.id,
            type: k.type,
            backend: k.backend,
            spkiSha256: sha,
            publicKeyPem: pem,
          }),
        );
      } else {
        ctx.io.out(
          `label:        ${k.label}\ntype:         ${k.type}\nbackend:      ${k.backend} (${store.description})\nid:           ${k.id}\nSPKI SHA-256: ${sha}\n${pem}`,
        );
      }
      return EXIT.OK;
    });
  },
};
