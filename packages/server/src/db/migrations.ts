/** Schema of the update server (namespace "server"). Append new migrations at the end. */
import type { Migration } from '@cairn/db';

export const SERVER_MIGRATION_NAMESPACE = 'server';

export const SERVER_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    id: '0001-products-releases-devices-actions',
    async up(db, { col }) {
      await db.schema
        .createTable('products')
        .addColumn('id', col.text, (c) => c.primaryKey())
        .addColumn('name', col.text, (c) => c.notNull())
        .addColumn('vendor_id', col.text, (c) => c.notNull())
        .addColumn('class_id', col.text, (c) => c.notNull())
        .addColumn('anchors', col.json, (c) => c.notNull())
        .addColumn('created_at', col.timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('releases')
        .addColumn('id', col.autoId.type, col.autoId.modifiers)
        .addColumn('product_id', col.text, (c) => c.notNull().references('products.id'))
        .addColumn('version', col.text, (c) => c.notNull())
        .addColumn('sequence', col.uint64, (c) => c.notNull())
        .addColumn('envelope', col.bytes, (c) => c.notNull())
        .addColumn('bundle_sha256', col.text, (c) => c.notNull())
        .addColumn('bundle_size', col.bigint, (c) => c.notNull())
        .addColumn('created_at', col.timestamp, (c) => c.notNull())
        .addUniqueConstraint('releases_product_sequence', ['product_id', 'sequence'])
        .execute();
      await db.schema
        .createTable('release_artifacts')
        .addColumn('id', col.autoId.type, col.autoId.modifiers)
        .addColumn('release_id', col.bigint, (c) => c.notNull().references('releases.id'))
        .addColumn('filename', col.text, (c) => c.notNull())
        .addColumn('kind', col.text, (c) => c.notNull())
        .addColumn('sha256', col.text, (c) => c.notNull())
        .addColumn('sha1', col.text, (c) => c.notNull())
        .addColumn('md5', col.text, (c) => c.notNull())
        .addColumn('size', col.bigint, (c) => c.notNull())
        .addColumn('created_at', col.timestamp, (c) => c.notNull())
        .addUniqueConstraint('release_artifacts_name', ['release_id', 'filename'])
        .execute();
      await db.schema
        .createTable('devices')
        .addColumn('controller_id', col.text, (c) => c.primaryKey())
        .addColumn('product_id', col.text, (c) => c.notNull().references('products.id'))
        .addColumn('token_hash', col.text, (c) => c.unique())
        .addColumn('attributes', col.json, (c) => c.notNull())
        .addColumn('attributes_requested', col.bigint, (c) => c.notNull())
        .addColumn('installed_release_id', col.bigint)
        .addColumn('installed_action_id', col.bigint)
        .addColumn('state', col.text, (c) => c.notNull())
        .addColumn('last_seen', col.timestamp)
        .addColumn('created_at', col.timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('actions')
        .addColumn('id', col.autoId.type, col.autoId.modifiers)
        .addColumn('controller_id', col.text, (c) =>
          c.notNull().references('devices.controller_id'),
        )
        .addColumn('release_id', col.bigint, (c) => c.notNull().references('releases.id'))
        .addColumn('type', col.text, (c) => c.notNull())
        .addColumn('status', col.text, (c) => c.notNull())
        .addColumn('active', col.bigint, (c) => c.notNull())
        .addColumn('rollout_id', col.text)
        .addColumn('maintenance_window', col.json)
        .addColumn('created_at', col.timestamp, (c) => c.notNull())
        .addColumn('updated_at', col.timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('actions_device_active')
        .on('actions')
        .columns(['controller_id', 'active'])
        .execute();
      await db.schema
        .createTable('action_status')
        .addColumn('id', col.autoId.type, col.autoId.modifiers)
        .addColumn('action_id', col.bigint, (c) => c.notNull().references('actions.id'))
        .addColumn('status', col.text, (c) => c.notNull())
        .addColumn('fingerprint', col.text)
        .addColumn('messages', col.json, (c) => c.notNull())
        .addColumn('code', col.bigint)
        .addColumn('at', col.timestamp, (c) => c.notNull())
        .addUniqueConstraint('action_status_fingerprint', ['action_id', 'fingerprint'])
        .execute();
      await db.schema
        .createTable('server_audit')
        .addColumn('id', col.autoId.type, col.autoId.modifiers)
        .addColumn('at', col.timestamp, (c) => c.notNull())
        .addColumn('actor', col.text, (c) => c.notNull())
        .addColumn('event', col.text, (c) => c.notNull())
        .addColumn('subject', col.text, (c) => c.notNull())
        .addColumn('outcome', col.text, (c) => c.notNull())
        .addColumn('code', col.text)
        .addColumn('details', col.json, (c) => c.notNull())
        .execute();
    },
  },
]);
