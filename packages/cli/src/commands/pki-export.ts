import { EXIT, UsageError, type Command } from '../command.js';
import { emit, PKI_HELP, PKI_OPTIONS, withPki } from './pki-common.js';

/** `cairn pki export root|issuing|SERIAL`: a certificate as PEM or DER. */
export const pkiExportCommand: Command = {
  path: ['pki', 'export'],
  summary: 'export a CA or issued certificate (PEM or DER)',
  help: `Usage: cairn pki export root|issuing|CA-ID|SERIAL [--der] [-o FILE]

Prints (or writes) the certificate: 'root' and 'issuing' (the newest issuing CA) or any
CA id, else a certificate serial (hex).
  --der           DER instead of PEM (needs -o)
  -o, --out FILE  write there (default: stdout)
${PKI_HELP}

Exit codes: 0 exported · 1 not found (CA_NOT_FOUND, CERT_NOT_FOUND) · 2 usage · 3 key store unavailable`,
  options: { ...PKI_OPTIONS, der: { type: 'boolean' }, out: { type: 'string', short: 'o' } },
  positionals: [1, 1],
  run(ctx) {
    const what = ctx.positionals[0]!;
    if (ctx.values['der'] && typeof ctx.values['out'] !== 'string')
      throw new UsageError('--der needs -o FILE');
    return withPki(ctx, 'pki export', async (pki) => {
      const cas = await pki.listCas();
      const ca =
        what === 'issuing'
          ? cas.filter((c) => c.kind === 'issuing').at(-1)
          : cas.find((c) => c.id === what);
      const cert = ca ?? (await pki.getCertificate(what));
      const file = emit(ctx.io, ctx.values['out'], ctx.values['der'] ? cert.der : cert.pem);
      if (file) ctx.io.out(`wrote ${file}\n`);
      return EXIT.OK;
    });
  },
};
