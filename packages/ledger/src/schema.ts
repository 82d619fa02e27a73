/**
 * Storage layout (migrations namespace `ledger`; see README.md):
 * - `ledger_logs`: one row per log (`tlog`, `audit`): size and, for the audit log, the
 *   chain head. Writers lock this row (PostgreSQL FOR UPDATE; SQLite BEGIN IMMEDIATE),
 *   which is what makes indices gap-free and assigned in commit order.
 * - `ledger_tlog_leaves`: index, RFC 6962 leaf hash (unique), entry bytes.
 * - `ledger_tlog_nodes`: hash of every complete aligned subtree of 2^level leaves
 *   (level ≥ 1) covering leaves [idx·2^level, (idx+1)·2^level).
 * - `ledger_audit`: the hash-chained audit records.
 * - `ledger_checkpoints`: every signed checkpoint of either log.
 */
import type { Migration } from '@cairn/db';

export const LEDGER_NAMESPACE = 'ledger';

export type LogName = 'tlog' | 'audit';

export interface LogsTable {
  name: string;
  size: bigint;
  head: Uint8Array;
}

export interface LeavesTable {
  idx: bigint;
  leaf_hash: Uint8Array;
  data: Uint8Array;
}

export interface NodesTable {
  level: bigint;
  idx: bigint;
  hash: Uint8Array;
}

export interface AuditTable {
  seq: bigint;
  time: string;
  actor: string;
  auth_method: string;
  client_address: string;
  action: string;
  worker: string | null;
  key_label: string | null;
  request_digest: string | null;
  response_digest: string | null;
  decision: string;
  reason: string | null;
  details: string | null;
  hash: Uint8Array;
}

export interface CheckpointsTable {
  log: string;
  size: bigint;
  root: Uint8Array;
  note: string;
  created_at: string;
}

export interface LedgerTables {
  ledger_logs: LogsTable;
  ledger_tlog_leaves: LeavesTable;
  ledger_tlog_nodes: NodesTable;
  ledger_audit: AuditTable;
  ledger_checkpoints: CheckpointsTable;
}

/** Head of the empty audit chain: 32 zero bytes (the `prev` of record 0). */
export const GENESIS_HEAD = new Uint8Array(32);

export const LEDGER_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    id: '001-logs',
    async up(db, { col }) {
      await db.schema
        .createTable('ledger_logs')
        .addColumn('name', col.text, (c) => c.primaryKey())
        .addColumn('size', col.bigint, (c) => c.notNull())
        .addColumn('head', col.bytes, (c) => c.notNull())
        .execute();
      await db
        .insertInto('ledger_logs')
        .values([
          { name: 'audit', size: 0n, head: Buffer.from(GENESIS_HEAD) },
          { name: 'tlog', size: 0n, head: Buffer.from(GENESIS_HEAD) },
        ])
        .execute();
      await db.schema
        .createTable('ledger_tlog_leaves')
        .addColumn('idx', col.bigint, (c) => c.primaryKey())
        .addColumn('leaf_hash', col.bytes, (c) => c.notNull())
        .addColumn('data', col.bytes, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('ledger_tlog_leaves_leaf_hash')
        .on('ledger_tlog_leaves')
        .column('leaf_hash')
        .unique()
        .execute();
      await db.schema
        .createTable('ledger_tlog_nodes')
        .addColumn('level', col.bigint, (c) => c.notNull())
        .addColumn('idx', col.bigint, (c) => c.notNull())
        .addColumn('hash', col.bytes, (c) => c.notNull())
        .addPrimaryKeyConstraint('ledger_tlog_nodes_pk', ['level', 'idx'])
        .execute();
      await db.schema
        .createTable('ledger_audit')
        .addColumn('seq', col.bigint, (c) => c.primaryKey())
        .addColumn('time', col.timestamp, (c) => c.notNull())
        .addColumn('actor', col.text, (c) => c.notNull())
        .addColumn('auth_method', col.text, (c) => c.notNull())
        .addColumn('client_address', col.text, (c) => c.notNull())
        .addColumn('action', col.text, (c) => c.notNull())
        .addColumn('worker', col.text)
        .addColumn('key_label', col.text)
        .addColumn('request_digest', col.text)
        .addColumn('response_digest', col.text)
        .addColumn('decision', col.text, (c) => c.notNull())
        .addColumn('reason', col.text)
        .addColumn('details', col.json)
        .addColumn('hash', col.bytes, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ledger_checkpoints')
        .addColumn('log', col.text, (c) => c.notNull())
        .addColumn('size', col.bigint, (c) => c.notNull())
        .addColumn('root', col.bytes, (c) => c.notNull())
        .addColumn('note', col.text, (c) => c.notNull())
        .addColumn('created_at', col.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('ledger_checkpoints_pk', ['log', 'size'])
        .execute();
    },
  },
]);
