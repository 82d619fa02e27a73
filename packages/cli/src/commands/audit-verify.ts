import { readFileSync } from 'node:fs';
import { isCairnError } from '@cairn/core';
import { verifyAuditLog } from '@cairn/ledger';
import { EXIT, toJson, UsageError, type Command } from '../command.js';
import { AUDIT_DB_HELP, AUDIT_DB_OPTIONS, readVerifierKey, withAuditDb } from './audit-db.js';

const MAX_CHECKPOINT_BYTES = 1024 * 1024;

/** `cairn audit verify`: recompute the audit hash chain and check checkpoints. */
export const auditVerifyCommand: Command = {
  path: ['audit', 'verify'],
  summary: 'verify the audit log: hash chain, stored state, signed checkpoints',
  help: `Usage: cairn audit verify --db PATH|URL [--checkpoint FILE ...] [--log-key VKEY] [--json]

Recomputes the audit log's hash chain record by record and compares it with the stored
state, the checkpoints stored in the database and the checkpoints given with
--checkpoint (exported earlier with 'cairn audit export-checkpoint' and kept elsewhere:
they are what reveals a truncated log). On failure names the FIRST bad record and what
happened to it (edited, missing, inserted, reordered, truncated).

Options:
  --checkpoint FILE  an exported checkpoint note (repeatable)
  --log-key VKEY     the audit log's note verifier key (<name>+<id>+<key>) or a file
                     holding it; checkpoint signatures are checked only with it
  --json             print the result as JSON

${AUDIT_DB_HELP}

Exit codes: 0 intact · 1 tampering found (the first bad record is named) · 2 usage
            3 database or file unavailable`,
  options: {
    ...AUDIT_DB_OPTIONS,
    checkpoint: { type: 'string', multiple: true },
    'log-key': { type: 'string' },
    json: { type: 'boolean' },
  },
  run(ctx) {
    const files = (ctx.values['checkpoint'] ?? []) as string[];
    const checkpoints: string[] = [];
    for (const f of files) {
      try {
        const text = readFileSync(f, 'utf8');
        if (Buffer.byteLength(text) > MAX_CHECKPOINT_BYTES) {
          throw new UsageError(`checkpoint ${f} is larger than ${MAX_CHECKPOINT_BYTES} bytes`);
        }
        checkpoints.push(text);
      } catch (err) {
        if (err instanceof UsageError) throw err;
        ctx.io.err(`cairn audit verify: cannot read checkpoint ${f}: ${String(err)}\n`);
        return Promise.resolve(EXIT.ENVIRONMENT);
      }
    }
    const verifier = readVerifierKey(ctx.values['log-key']);
    const json = ctx.values['json'] === true;
    return withAuditDb(ctx, 'audit verify', async (db) => {
      try {
        const r = await verifyAuditLog({
          db,
          checkpoints,
          ...(verifier === undefined ? {} : { verifier }),
        });
        const head = Buffer.from(r.head).toString('hex');
        if (json) {
          ctx.io.out(toJson({ ok: true, size: r.size, head, ...summary(r) }));
        } else {
          ctx.io.out(
            `audit log intact: ${r.size} records, head ${head}, ${r.checkpointsChecked} checkpoint(s) matched` +
              (r.signaturesChecked
                ? ' (signatures verified)\n'
                : ' (signatures NOT checked: pass --log-key)\n'),
          );
        }
        return EXIT.OK;
      } catch (err) {
        if (!isCairnError(err) || err.code === 'NOT_A_LEDGER') throw err;
        const seq = err.details?.['seq'];
        if (json) {
          ctx.io.out(toJson({ ok: false, code: err.code, seq: seq ?? null, message: err.message }));
        } else {
          ctx.io.err(`cairn audit verify: FAILED ${err.code}: ${err.message}\n`);
        }
        return EXIT.FAILED;
      }
    });
  },
};

function summary(r: { checkpointsChecked: number; signaturesChecked: boolean }): object {
  return { checkpointsChecked: r.checkpointsChecked, signaturesChecked: r.signaturesChecked };
}
