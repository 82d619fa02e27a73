import { isRevocationReason, REVOCATION_REASONS } from '@cairn/pki';
import { EXIT, toJson, UsageError, type Command } from '../command.js';
import { PKI_HELP, PKI_OPTIONS, withPki } from './pki-common.js';

/** `cairn pki revoke SERIAL`: revoke a certificate (it appears on the next CRL). */
export const pkiRevokeCommand: Command = {
  path: ['pki', 'revoke'],
  summary: 'revoke a certificate by serial',
  help: `Usage: cairn pki revoke SERIAL [--reason REASON] [--json]

Revokes the certificate (permanently); run 'cairn pki crl' to publish it.
REASON (RFC 5280): ${REVOCATION_REASONS.join(', ')} [unspecified]
${PKI_HELP}

Exit codes: 0 revoked · 1 failed (CERT_NOT_FOUND, ALREADY_REVOKED) · 2 usage · 3 key store unavailable`,
  options: { ...PKI_OPTIONS, reason: { type: 'string' }, json: { type: 'boolean' } },
  positionals: [1, 1],
  run(ctx) {
    const reason = ctx.values['reason'] ?? 'unspecified';
    if (typeof reason !== 'string' || !isRevocationReason(reason)) {
      throw new UsageError(`--reason must be one of ${REVOCATION_REASONS.join(', ')}`);
    }
    const serial = ctx.positionals[0]!;
    return withPki(ctx, 'pki revoke', async (pki) => {
      const cert = await pki.revoke(serial, reason);
      if (ctx.values['json']) {
        ctx.io.out(
          toJson({
            serial: cert.serial,
            subject: cert.subject,
            revokedAt: cert.revokedAt,
            reason: cert.reason,
          }),
        );
      } else {
        ctx.io.out(`revoked ${cert.serial} (${cert.subject}) reason ${reason}\n`);
      }
      return EXIT.OK;
    });
  },
};
