// Child process for live-verify.test: appends records with log entries (one checkpoint per
// batch) to the ledger at argv[2]'s database until SIGTERM, printing the running count.
import { noteSignerFromKey } from '@cairn/core';
import { openDatabase } from '@cairn/db';
import type { DatabaseConfig } from '@cairn/db';
import { Ledger } from '@cairn/ledger';
import { entry, sampleRecord } from '../helpers.js';

const job = JSON.parse(process.argv[2]!) as {
  config: DatabaseConfig;
  tlogSigner: string;
  auditSigner: string;
};
const db = await openDatabase(job.config);
const ledger = await Ledger.open({
  db,
  transparency: { signer: noteSignerFromKey(job.tlogSigner), checkpointEachBatch: true },
  audit: { signer: noteSignerFromKey(job.auditSigner) },
  checkpointIntervalMs: 0,
});
let stop = false;
process.once('SIGTERM', () => {
  stop = true;
});
let appended = 0;
for (let n = 100_000; !stop; n += 20) {
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      ledger.record({ audit: sampleRecord(n + i), logEntry: entry(n + i) }),
    ),
  );
  appended += 20;
  process.stdout.write(`${appended}\n`);
}
await ledger.close();
await db.close();
