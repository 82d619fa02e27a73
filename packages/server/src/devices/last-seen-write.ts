import { sql, toDbTimestamp } from '@cairn/db';
import type { Database } from '@cairn/db';

const BATCH = 500;

/**
 * Write one batch of marks in ONE transaction: per second, `UPDATE … WHERE controller_id
 * IN (…)` in chunks of 500 (an indexed lookup on both dialects). The IDs are sorted first,
 * so the updates walk the primary-key index and the table pages in order: on SQLite that
 * cut the cost of 65,000 rows from about 9 to about 5 µs each (rows spread at random over a
 * 100,000-device table otherwise touch pages in random order).
 */
export async function writeLastSeen(
  db: Database,
  batch: Iterable<readonly [number, Iterable<string>]>,
): Promise<void> {
  await db.transaction(async (trx) => {
    for (const [second, set] of batch) {
      const ids = [...set].sort();
      const at = toDbTimestamp(new Date(second));
      for (let i = 0; i < ids.length; i += BATCH) {
        const chunk = ids.slice(i, i + BATCH).map((id) => sql`${id}`);
        await sql`UPDATE devices SET last_seen = ${at}
          WHERE controller_id IN (${sql.join(chunk)})`.execute(trx);
      }
    }
  });
}
