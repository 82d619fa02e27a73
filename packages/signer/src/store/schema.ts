import type { Migration } from '@cairn/db';

/** Tables of the signing service (migration namespace 'signer'). */
export interface SignerTables {
  signer_workers: {
    name: string;
    /** Worker definition as JSON (see workers/worker.ts). */
    config: string;
    created_at: string;
    updated_at: string;
  };
  signer_tokens: {
    id: string;
    /** SHA-256 of the token secret; the secret itself is never stored. */
    hash: Uint8Array;
    name: string;
    grants: string;
    created_by: string;
    created_at: string;
    expires_at: string;
    revoked_at: string | null;
  };
  signer_cert_principals: {
    /** Certificate serial (lower-case hex, no leading zeros) issued by Cairn's PKI. */
    serial: string;
    principal: string;
    grants: string;
    created_at: string;
  };
  signer_requests: {
    id: string;
    worker: string;
    requester: string;
    body: string;
    status: string;
    created_at: string;
    expires_at: string;
    approvals: string;
    result: string | null;
    reason: string | null;
  };
  /** Which signer process may sign with this database (one row, name 'signer'). */
  signer_lease: {
    name: string;
    holder: string;
    pid: bigint;
    /** Host name and PID namespace: where `pid` means something. */
    host: string;
    heartbeat_at: string;
  };
}

export const SIGNER_MIGRATIONS: readonly Migration[] = [
  {
    id: '001-signer',
    async up(db, { col }) {
      await db.schema
        .createTable('signer_workers')
        .addColumn('name', col.text, (c) => c.primaryKey())
        .addColumn('config', col.json, (c) => c.notNull())
        .addColumn('created_at', col.timestamp, (c) => c.notNull())
        .addColumn('updated_at', col.timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('signer_tokens')
        .addColumn('id', col.text, (c) => c.primaryKey())
        .addColumn('hash', col.bytes, (c) => c.notNull().unique())
        .addColumn('name', col.text, (c) => c.notNull())
        .addColumn('grants', col.json, (c) => c.notNull())
        .addColumn('created_by', col.text, (c) => c.notNull())
        .addColumn('created_at', col.timestamp, (c) => c.notNull())
        .addColumn('expires_at', col.timestamp, (c) => c.notNull())
        .addColumn('revoked_at', col.timestamp)
        .execute();
      await db.schema
        .createTable('signer_cert_principals')
        .addColumn('serial', col.text, (c) => c.primaryKey())
        .addColumn('principal', col.text, (c) => c.notNull())
        .addColumn('grants', col.json, (c) => c.notNull())
        .addColumn('created_at', col.timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('signer_requests')
        .addColumn('id', col.text, (c) => c.primaryKey())
        .addColumn('worker', col.text, (c) => c.notNull())
        .addColumn('requester', col.text, (c) => c.notNull())
        .addColumn('body', col.json, (c) => c.notNull())
        .addColumn('status', col.text, (c) => c.notNull())
        .addColumn('created_at', col.timestamp, (c) => c.notNull())
        .addColumn('expires_at', col.timestamp, (c) => c.notNull())
        .addColumn('approvals', col.json, (c) => c.notNull())
        .addColumn('result', col.json)
        .addColumn('reason', col.text)
        .execute();
    },
  },
  {
    id: '002-signer-lease',
    async up(db, { col }) {
      await db.schema
        .createTable('signer_lease')
        .addColumn('name', col.text, (c) => c.primaryKey())
        .addColumn('holder', col.text, (c) => c.notNull())
        .addColumn('pid', col.bigint, (c) => c.notNull())
        .addColumn('host', col.text, (c) => c.notNull())
        .addColumn('heartbeat_at', col.timestamp, (c) => c.notNull())
        .execute();
    },
  },
];
