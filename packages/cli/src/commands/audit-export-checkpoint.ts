import { writeFileSync } from 'node:fs';
import { latestCheckpoint } from '@cairn/ledger';
import { EXIT, UsageError, type Command } from '../command.js';
import { AUDIT_DB_HELP, AUDIT_DB_OPTIONS, withAuditDb } from './audit-db.js';

const LOGS = ['audit', 'tlog'] as const;

/** `cairn audit export-checkpoint`: copy the latest signed checkpoint of a log out. */
export const auditExportCheckpointCommand: Command = {
  path: ['audit', 'export-checkpoint'],
  summary: 'write the latest signed audit (or transparency) log checkpoint to a file',
  help: `Usage: cairn audit export-checkpoint --db PATH|URL [--log audit|tlog] -o FILE

Writes the latest signed checkpoint of the audit log (a C2SP checkpoint note: origin,
record count, head hash, signature), or with --log tlog of the transparency log (origin,
tree size, root hash, signature), to FILE. Keep it outside the database: 'cairn audit
verify --checkpoint FILE' (audit) or '--tlog-checkpoint FILE' (tlog) then detects a log
truncated or rewritten after it. The signing service makes checkpoints periodically and
on demand.

Options:
  --log audit|tlog   which log (default: audit)
  -o, --output FILE  where to write the note

${AUDIT_DB_HELP}

Exit codes: 0 written · 1 no checkpoint yet · 2 usage · 3 database unavailable`,
  options: {
    ...AUDIT_DB_OPTIONS,
    log: { type: 'string' },
    output: { type: 'string', short: 'o' },
  },
  run(ctx) {
    const out = ctx.values['output'];
    if (typeof out !== 'string' || out === '') {
      throw new UsageError('cairn audit export-checkpoint needs -o FILE');
    }
    const log = ctx.values['log'] ?? 'audit';
    if (log !== 'audit' && log !== 'tlog') {
      throw new UsageError(`--log takes ${LOGS.join(' or ')}, not ${JSON.stringify(log)}`);
    }
    const title = log === 'audit' ? 'audit' : 'transparency log';
    return withAuditDb(ctx, 'audit export-checkpoint', async (db) => {
      let cp;
      try {
        cp = await latestCheckpoint(db.typed(), log);
      } catch (err) {
        ctx.io.err(`cairn audit export-checkpoint: the database holds no ledger: ${String(err)}\n`);
        return EXIT.ENVIRONMENT;
      }
      if (cp === undefined) {
        ctx.io.err(`cairn audit export-checkpoint: no ${title} checkpoint has been made yet\n`);
        return EXIT.FAILED;
      }
      writeFileSync(out, cp.note, { mode: 0o644 });
      ctx.io.out(`wrote the ${title} checkpoint of size ${cp.size} to ${out}\n`);
      return EXIT.OK;
    });
  },
};
