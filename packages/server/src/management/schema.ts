/** Row types of the management tables (namespace "server.management"). */
import type { Generated } from '@cairn/db';

export interface ApiTokensTable {
  id: string;
  name: string;
  role: string;
  token_hash: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface RolloutsTable {
  id: Generated<number | bigint>;
  name: string;
  product_id: string;
  release_id: number | bigint;
  filter: string;
  type: string;
  status: string;
  success_threshold: number | bigint;
  error_threshold: number | bigint;
  start_at: string | null;
  require_approval: number | bigint;
  created_by: string;
  approved_by: string | null;
  approval_remark: string | null;
  pause_reason: string | null;
  total_devices: number | bigint;
  created_at: string;
  updated_at: string;
}

export interface RolloutGroupsTable {
  id: Generated<number | bigint>;
  rollout_id: number | bigint;
  idx: number | bigint;
  status: string;
  error_ack: number | bigint;
}

export interface RolloutTargetsTable {
  id: Generated<number | bigint>;
  rollout_id: number | bigint;
  group_idx: number | bigint;
  controller_id: string;
  action_id: number | bigint | null;
  skipped: string | null;
}

export interface ManagementTables {
  api_tokens: ApiTokensTable;
  rollouts: RolloutsTable;
  rollout_groups: RolloutGroupsTable;
  rollout_targets: RolloutTargetsTable;
}
