/**
 * Tables of the management API and rollouts. A namespace of their own ("server.management",
 * migrated right after "server"), so neither part's list can ever be reordered by the
 * other's additions. Append new migrations at the end.
 */
import type { Migration } from '@cairn/db';

export const MANAGEMENT_MIGRATION_NAMESPACE = 'server.management';

export const MANAGEMENT_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    id: '0001-api-tokens-rollouts',
    async up(db, { col }) {
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', col.text, (c) => c.primaryKey())
        .addColumn('name', col.text, (c) => c.notNull())
        .addColumn('role', col.text, (c) => c.notNull())
        .addColumn('token_hash', col.text, (c) => c.notNull().unique())
        .addColumn('created_by', col.text, (c) => c.notNull())
        .addColumn('created_at', col.timestamp, (c) => c.notNull())
        .addColumn('expires_at', col.timestamp)
        .addColumn('revoked_at', col.timestamp)
        .execute();
      await db.schema
        .createTable('rollouts')
        .addColumn('id', col.autoId.type, col.autoId.modifiers)
        .addColumn('name', col.text, (c) => c.notNull())
        .addColumn('product_id', col.text, (c) => c.notNull().references('products.id'))
        .addColumn('release_id', col.bigint, (c) => c.notNull().references('releases.id'))
        .addColumn('filter', col.text, (c) => c.notNull())
        .addColumn('type', col.text, (c) => c.notNull())
        .addColumn('status', col.text, (c) => c.notNull())
        .addColumn('success_threshold', col.bigint, (c) => c.notNull())
        .addColumn('error_threshold', col.bigint, (c) => c.notNull())
        .addColumn('start_at', col.timestamp)
        .addColumn('require_approval', col.bigint, (c) => c.notNull())
        .addColumn('created_by', col.text, (c) => c.notNull())
        .addColumn('approved_by', col.text)
        .addColumn('approval_remark', col.text)
        .addColumn('pause_reason', col.text)
        .addColumn('total_devices', col.bigint, (c) => c.notNull())
        .addColumn('created_at', col.timestamp, (c) => c.notNull())
        .addColumn('updated_at', col.timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('rollout_groups')
        .addColumn('id', col.autoId.type, col.autoId.modifiers)
        .addColumn('rollout_id', col.bigint, (c) => c.notNull().references('rollouts.id'))
        .addColumn('idx', col.bigint, (c) => c.notNull())
        .addColumn('status', col.text, (c) => c.notNull())
        .addColumn('error_ack', col.bigint, (c) => c.notNull())
        .addUniqueConstraint('rollout_groups_idx', ['rollout_id', 'idx'])
        .execute();
      await db.schema
        .createTable('rollout_targets')
        .addColumn('id', col.autoId.type, col.autoId.modifiers)
        .addColumn('rollout_id', col.bigint, (c) => c.notNull().references('rollouts.id'))
        .addColumn('group_idx', col.bigint, (c) => c.notNull())
        .addColumn('controller_id', col.text, (c) => c.notNull())
        .addColumn('action_id', col.bigint)
        .addColumn('skipped', col.text)
        .addUniqueConstraint('rollout_targets_device', ['rollout_id', 'controller_id'])
        .execute();
      await db.schema
        .createIndex('rollout_targets_group')
        .on('rollout_targets')
        .columns(['rollout_id', 'group_idx'])
        .execute();
      await db.schema.createIndex('rollouts_status').on('rollouts').columns(['status']).execute();
    },
  },
]);
