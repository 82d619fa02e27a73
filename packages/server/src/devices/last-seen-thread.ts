/**
 * Worker thread of LastSeenTracker: its own connection to the same database (SQLite file
 * or PostgreSQL) writes the "last seen" batches, so the UPDATEs and their commit run
 * beside the event loop that answers polls, not on it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CompiledQuery, openDatabase } from '@cairn/db';
import type { DatabaseConfig } from '@cairn/db';
import { writeLastSeen } from './last-seen-write.js';

interface Job {
  readonly id: number;
  readonly batch: [number, string[]][];
}

const port = parentPort!;
const db = await openDatabase(workerData as DatabaseConfig);
// SQLite: a page cache of up to 64 MiB for this connection (the default is 2 MiB), so the
// devices table and its index stay cached between batches instead of being read again
// with a pread per page for every batch (a fifth of this thread's time with 100,000
// devices). The cache only grows as pages are read.
if (db.config.dialect === 'sqlite')
  await db.typed().executeQuery(CompiledQuery.raw('PRAGMA cache_size = -65536'));
port.on('message', (job: Job | 'close') => {
  if (job === 'close') {
    void db.close().then(() => {
      port.close();
    });
    return;
  }
  writeLastSeen(db, job.batch).then(
    () => {
      port.postMessage({ id: job.id });
    },
    (err: unknown) => {
      port.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) });
    },
  );
});
port.postMessage('ready');
