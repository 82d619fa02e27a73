import { isKeyType, KEY_TYPES, spkiSha256 } from '@cairn/keys';
import { EXIT, toJson, UsageError, type Command } from '../command.js';
import { KEYSTORE_HELP, KEYSTORE_OPTIONS, withKeyStore } from '../keystore-options.js';

/** `cairn keys generate`: a new key pair inside the key store. */
export const keysGenerateCommand: Command = {
  path: ['keys', 'generate'],
  summary: 'generate a signing key inside the HSM or software keystore',
  help: `Usage: cairn keys generate --label LABEL --type TYPE [--json] [key store options]

Generates a key pair inside the key store; the private key never leaves it.
TYPE is one of ${KEY_TYPES.join(', ')}.

${KEYSTORE_HELP}

Exit codes: 0 generated · 1 failed (label taken…) · 2 usage · 3 key store unavailable`,
  options: {
    label: { type: 'string' },
    type: { type: 'string' },
    json: { type: 'boolean' },
    ...KEYSTORE_OPTIONS,
  },
  run(ctx) {
    const { label, type } = ctx.values;
    if (typeof label !== 'string') throw new UsageError('--label LABEL is required');
    if (!isKeyType(type)) throw new UsageError(`--type must be one of ${KEY_TYPES.join(', ')}`);
    return withKeyStore(ctx, 'keys generate', async (store) => {
      const info = await store.generate(label, type);
      const sha = Buffer.from(spkiSha256(info.publicKey)).toString('hex');
      if (ctx.values['json']) {
        ctx.io.out(
          toJson({
            label: info.label,
            id: info.id,
            type: info.type,
            backend: info.backend,
            spkiSha256: sha,
          }),
        );
      } else {
        ctx.io.out(
          `generated ${info.type} key '${info.label}' (id ${info.id}) in ${store.description}\nSPKI SHA-256: ${sha}\n`,
        );
      }
      return EXIT.OK;
    });
  },
};
