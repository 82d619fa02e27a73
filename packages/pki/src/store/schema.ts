import type { Migration } from '@cairn/db';

/**
 * Tables of the 'pki' migration namespace. Times are ISO-8601 UTC text with
 * milliseconds (sortable as text on both dialects); bytes are BLOB / BYTEA.
 */
export interface PkiTables {
  pki_cas: {
    id: string;
    kind: 'root' | 'issuing';
    parent_id: string | null;
    key_label: string;
    key_type: string;
    subject: string;
    serial: string;
    not_before: string;
    not_after: string;
    der: Uint8Array;
    created_at: string;
  };
  pki_certificates: {
    serial: string;
    ca_id: string;
    profile: string;
    subject: string;
    key_label: string | null;
    not_before: string;
    not_after: string;
    der: Uint8Array;
    revoked_at: string | null;
    reason: string | null;
    created_at: string;
  };
  pki_crls: {
    ca_id: string;
    /** SQLite may hand integers back as bigint. */
    number: number | bigint;
    this_update: string;
    next_update: string;
    der: Uint8Array;
  };
}

/** The 'pki' namespace migrations (portable: @cairn/db's column types). */
export const PKI_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    id: '0001-cas-certificates-crls',
    async up(db, { col }) {
      const bytes = col.bytes;
      const time = col.timestamp;
      await db.schema
        .createTable('pki_cas')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('parent_id', 'text', (c) => c.references('pki_cas.id'))
        .addColumn('key_label', 'text', (c) => c.notNull())
        .addColumn('key_type', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('serial', 'text', (c) => c.notNull().unique())
        .addColumn('not_before', time, (c) => c.notNull())
        .addColumn('not_after', time, (c) => c.notNull())
        .addColumn('der', bytes, (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('pki_certificates')
        .addColumn('serial', 'text', (c) => c.primaryKey())
        .addColumn('ca_id', 'text', (c) => c.notNull().references('pki_cas.id'))
        .addColumn('profile', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('key_label', 'text')
        .addColumn('not_before', time, (c) => c.notNull())
        .addColumn('not_after', time, (c) => c.notNull())
        .addColumn('der', bytes, (c) => c.notNull())
        .addColumn('revoked_at', time)
        .addColumn('reason', 'text')
        .addColumn('created_at', time, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('pki_certificates_ca')
        .on('pki_certificates')
        .columns(['ca_id', 'revoked_at'])
        .execute();
      await db.schema
        .createTable('pki_crls')
        .addColumn('ca_id', 'text', (c) => c.notNull().references('pki_cas.id'))
        .addColumn('number', 'integer', (c) => c.notNull())
        .addColumn('this_update', time, (c) => c.notNull())
        .addColumn('next_update', time, (c) => c.notNull())
        .addColumn('der', bytes, (c) => c.notNull())
        .addPrimaryKeyConstraint('pki_crls_pk', ['ca_id', 'number'])
        .execute();
    },
  },
]);
