import { spkiSha256 } from '@cairn/keys';
import { EXIT, toJson, type Command } from '../command.js';
import { KEYSTORE_HELP, KEYSTORE_OPTIONS, withKeyStore } from '../keystore-options.js';

/** `cairn keys list`: the keys in the key store. */
export const keysListCommand: Command = {
  path: ['keys', 'list'],
  summary: 'list the keys in the HSM or software keystore',
  help: `Usage: cairn keys list [--json] [key store options]

Lists every key: label, type, SPKI SHA-256.

${KEYSTORE_HELP}

Exit codes: 0 ok · 2 usage · 3 key store unavailable`,
  options: { json: { type: 'boolean' }, ...KEYSTORE_OPTIONS },
  run(ctx) {
    return withKeyStore(ctx, 'keys list', async (store) => {
      const keys = (await store.list()).map((k) => ({
        label: k.label,
        id: k.id,
        type: k.type,
        backend: k.backend,
        spkiSha256: Buffer.from(spkiSha256(k.publicKey)).toString('hex'),
      }));
      if (ctx.values['json']) {
        ctx.io.out(toJson({ store: store.description, keys }));
        return EXIT.OK;
      }
      ctx.io.out(`${store.description}: ${keys.length} key(s)\n`);
      for (const k of keys)
        ctx.io.out(`  ${k.label.padEnd(24)} ${k.type.padEnd(13)} ${k.spkiSha256}\n`);
      return EXIT.OK;
    });
  },
};
