import { readFileSync } from 'node:fs';
import { isCairnError } from '@cairn/core';
import type { NoteVerifier } from '@cairn/core';
import type { Database } from '@cairn/db';
import { verifyAuditLog, verifyTransparencyLog } from '@cairn/ledger';
import { EXIT, toJson, UsageError, type Command, type CommandContext } from '../command.js';
import { AUDIT_DB_HELP, AUDIT_DB_OPTIONS, readVerifierKey, withAuditDb } from './audit-db.js';

const MAX_CHECKPOINT_BYTES = 1024 * 1024;

const LOGS = ['audit', 'tlog'] as const;
type LogName = (typeof LOGS)[number];

const LOG_TITLE: Record<LogName, string> = { audit: 'audit log', tlog: 'transparency log' };

/** One log's verdict, as printed with --json. */
type Verdict = { readonly ok: boolean } & Readonly<Record<string, unknown>>;

/** `cairn audit verify`: recompute the audit hash chain and the transparency tree. */
export const auditVerifyCommand: Command = {
  path: ['audit', 'verify'],
  summary: 'verify the audit log (hash chain) and the transparency log (Merkle tree)',
  help: `Usage: cairn audit verify --db PATH|URL [--only audit|tlog]
         [--checkpoint FILE ...] [--log-key VKEY]
         [--tlog-checkpoint FILE ...] [--tlog-key VKEY] [--json]

Verifies both logs of a ledger database (the signing service's, or the update server's,
whose transparency log is empty):
  audit log         recomputes the hash chain record by record and compares it with the
                    stored state, the stored checkpoints and those given with --checkpoint
  transparency log  recomputes every leaf hash, every stored subtree hash and the root
                    from the leaves, and compares them with the stored size, the stored
                    checkpoints and those given with --tlog-checkpoint
Exported checkpoints ('cairn audit export-checkpoint [--log tlog]', kept outside the
database) are what reveals a log truncated, or rewritten with its stored checkpoints,
after they were taken. On failure names, for each log, the FIRST bad record (audit) or
leaf (transparency) and what happened to it (edited, missing, inserted, reordered,
truncated). Without a log's verifier key its checkpoint signatures are not checked.

Options:
  --only audit|tlog      verify one log only (default: both)
  --checkpoint FILE      an exported audit-log checkpoint note (repeatable)
  --log-key VKEY         the audit log's note verifier key (<name>+<id>+<key>) or a file
                         holding it
  --tlog-checkpoint FILE an exported transparency-log checkpoint note (repeatable)
  --tlog-key VKEY        the transparency log's note verifier key, or a file holding it
  --json                 print both logs' results as JSON:
                         {"ok", "audit": {...}, "tlog": {...}}; a failed log has
                         "code", "message", "details" and "seq" (audit) or "index" (tlog)

${AUDIT_DB_HELP}

Exit codes: 0 intact · 1 tampering found in either log (the first bad record or leaf is
            named) · 2 usage · 3 database or file unavailable, or no ledger in it`,
  options: {
    ...AUDIT_DB_OPTIONS,
    only: { type: 'string' },
    checkpoint: { type: 'string', multiple: true },
    'log-key': { type: 'string' },
    'tlog-checkpoint': { type: 'string', multiple: true },
    'tlog-key': { type: 'string' },
    json: { type: 'boolean' },
  },
  run(ctx) {
    const only = ctx.values['only'];
    if (only !== undefined && !LOGS.includes(only as LogName)) {
      throw new UsageError(`--only takes audit or tlog, not ${JSON.stringify(only)}`);
    }
    const logs: readonly LogName[] = only === undefined ? LOGS : [only as LogName];
    const files = {
      audit: (ctx.values['checkpoint'] ?? []) as string[],
      tlog: (ctx.values['tlog-checkpoint'] ?? []) as string[],
    };
    const keyOption = { audit: 'log-key', tlog: 'tlog-key' } as const;
    const fileOption = { audit: 'checkpoint', tlog: 'tlog-checkpoint' } as const;
    for (const log of LOGS) {
      if (logs.includes(log)) continue;
      for (const opt of [keyOption[log], fileOption[log]]) {
        if (ctx.values[opt] !== undefined) {
          throw new UsageError(
            `--${opt} is for the ${LOG_TITLE[log]}, which --only ${logs.join('')} skips`,
          );
        }
      }
    }
    const verifiers = {
      audit: readVerifierKey(ctx.values['log-key'], '--log-key'),
      tlog: readVerifierKey(ctx.values['tlog-key'], '--tlog-key'),
    };
    const notes: Record<LogName, string[]> = { audit: [], tlog: [] };
    for (const log of logs) {
      for (const f of files[log]) {
        const text = readCheckpointFile(ctx, f);
        if (text === undefined) return Promise.resolve(EXIT.ENVIRONMENT);
        notes[log].push(text);
      }
    }
    const json = ctx.values['json'] === true;
    return withAuditDb(ctx, 'audit verify', async (db) => {
      const verdicts: Partial<Record<LogName, Verdict>> = {};
      for (const log of logs) {
        try {
          verdicts[log] = await verify(log, db, notes[log], verifiers[log]);
        } catch (err) {
          if (isCairnError(err, 'NOT_A_LEDGER')) {
            const cause = (err as { cause?: unknown }).cause;
            const why = cause instanceof Error ? ` (${cause.message})` : '';
            ctx.io.err(`cairn audit verify: ${err.message}${why}\n`);
            return EXIT.ENVIRONMENT;
          }
          if (!isCairnError(err)) throw err;
          const details = err.details ?? {};
          verdicts[log] = {
            ok: false,
            code: err.code,
            ...(log === 'audit'
              ? { seq: details['seq'] ?? null }
              : { index: details['index'] ?? null }),
            message: err.message,
            details,
          };
        }
      }
      const ok = logs.every((log) => verdicts[log]?.ok === true);
      if (json) {
        ctx.io.out(toJson({ ok, ...verdicts }));
      } else {
        for (const log of logs) report(ctx, log, verdicts[log]!, verifiers[log] !== undefined);
      }
      return ok ? EXIT.OK : EXIT.FAILED;
    });
  },
};

async function verify(
  log: LogName,
  db: Database,
  checkpoints: string[],
  verifier: NoteVerifier | undefined,
): Promise<Verdict> {
  const v = verifier === undefined ? {} : { verifier };
  if (log === 'audit') {
    const r = await verifyAuditLog({ db, checkpoints, ...v });
    return {
      ok: true,
      size: r.size,
      head: hex(r.head),
      checkpointsChecked: r.checkpointsChecked,
      signaturesChecked: r.signaturesChecked,
    };
  }
  const r = await verifyTransparencyLog({ db, checkpoints, ...v });
  return {
    ok: true,
    size: r.size,
    root: hex(r.root),
    checkpointsChecked: r.checkpointsChecked,
    signaturesChecked: r.signaturesChecked,
  };
}

function report(ctx: CommandContext, log: LogName, v: Verdict, keyGiven: boolean): void {
  if (!v.ok) {
    ctx.io.err(
      `cairn audit verify: ${LOG_TITLE[log]} FAILED ${String(v['code'])}: ${String(v['message'])}\n`,
    );
    return;
  }
  const what =
    log === 'audit'
      ? `${String(v['size'])} records, head ${String(v['head'])}`
      : `${String(v['size'])} leaves, root ${String(v['root'])}`;
  const signatures = keyGiven
    ? '(signatures verified)'
    : `(signatures NOT checked: pass --${log === 'audit' ? 'log-key' : 'tlog-key'})`;
  ctx.io.out(
    `${LOG_TITLE[log]} intact: ${what}, ${String(v['checkpointsChecked'])} checkpoint(s) matched ${signatures}\n`,
  );
}

/** The text of an exported checkpoint file; undefined (reported) when unreadable. */
function readCheckpointFile(ctx: CommandContext, f: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(f, 'utf8');
  } catch (err) {
    ctx.io.err(`cairn audit verify: cannot read checkpoint ${f}: ${String(err)}\n`);
    return undefined;
  }
  if (Buffer.byteLength(text) > MAX_CHECKPOINT_BYTES) {
    throw new UsageError(`checkpoint ${f} is larger than ${MAX_CHECKPOINT_BYTES} bytes`);
  }
  return text;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
