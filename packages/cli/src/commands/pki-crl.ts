import { EXIT, toJson, UsageError, type Command } from '../command.js';
import { emit, PKI_HELP, PKI_OPTIONS, withPki } from './pki-common.js';

/** `cairn pki crl`: generate and publish a full CRL. */
export const pkiCrlCommand: Command = {
  path: ['pki', 'crl'],
  summary: 'generate a CRL signed by the issuing CA (or --ca)',
  help: `Usage: cairn pki crl [--ca ID] [--hours N] [--der] [-o FILE] [--json]

Generates a full CRL (next crlNumber, thisUpdate now, nextUpdate in N hours, default 168)
of every certificate the CA revoked, signed by its key through the key store.
  --ca ID         CA whose CRL (default: newest issuing CA; 'root' for the root's CRL)
  --hours N       validity until nextUpdate
  --der           DER instead of PEM (needs -o)
  -o, --out FILE  write there (default: stdout)
${PKI_HELP}

Exit codes: 0 generated · 1 failed · 2 usage · 3 key store unavailable`,
  options: {
    ...PKI_OPTIONS,
    ca: { type: 'string' },
    hours: { type: 'string' },
    der: { type: 'boolean' },
    out: { type: 'string', short: 'o' },
    json: { type: 'boolean' },
  },
  run(ctx) {
    const v = ctx.values;
    let hours: number | undefined;
    if (typeof v['hours'] === 'string') {
      hours = Number(v['hours']);
      if (!Number.isInteger(hours) || hours < 1)
        throw new UsageError('--hours must be a positive whole number');
    }
    if (v['der'] && typeof v['out'] !== 'string') throw new UsageError('--der needs -o FILE');
    return withPki(ctx, 'pki crl', async (pki) => {
      const crl = await pki.generateCrl({
        ...(typeof v['ca'] === 'string' ? { ca: v['ca'] } : {}),
        ...(hours !== undefined ? { validityHours: hours } : {}),
      });
      const file = emit(ctx.io, v['out'], v['der'] ? crl.der : crl.pem);
      if (v['json']) {
        ctx.io.out(
          toJson({
            ca: crl.caId,
            number: crl.number,
            thisUpdate: crl.thisUpdate,
            nextUpdate: crl.nextUpdate,
            file: file ?? null,
          }),
        );
      } else if (file) {
        ctx.io.out(
          `CRL #${crl.number} of CA '${crl.caId}' → ${file} (next update ${crl.nextUpdate.toISOString()})\n`,
        );
      }
      return EXIT.OK;
    });
  },
};
