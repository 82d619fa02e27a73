/** Row types of the server's tables (as stored: see @cairn/db columns for encodings). */
import type { Generated } from '@cairn/db';

export interface ProductsTable {
  id: string;
  name: string;
  vendor_id: string;
  class_id: string;
  /** JSON: ProductAnchorInput[] */
  anchors: string;
  created_at: string;
}

export interface ReleasesTable {
  id: Generated<number | bigint>;
  product_id: string;
  version: string;
  /** uint64, zero-padded text */
  sequence: string;
  envelope: Uint8Array;
  bundle_sha256: string;
  bundle_size: number | bigint;
  created_at: string;
}

export interface ReleaseArtifactsTable {
  id: Generated<number | bigint>;
  release_id: number | bigint;
  filename: string;
  kind: string;
  sha256: string;
  sha1: string;
  md5: string;
  size: number | bigint;
  created_at: string;
}

export interface DevicesTable {
  controller_id: string;
  product_id: string;
  token_hash: string | null;
  attributes: string;
  attributes_requested: number | bigint;
  installed_release_id: number | bigint | null;
  installed_action_id: number | bigint | null;
  state: string;
  last_seen: string | null;
  created_at: string;
}

export interface ActionsTable {
  id: Generated<number | bigint>;
  controller_id: string;
  release_id: number | bigint;
  type: string;
  status: string;
  active: number | bigint;
  rollout_id: string | null;
  maintenance_window: string | null;
  created_at: string;
  updated_at: string;
}

export interface ActionStatusTable {
  id: Generated<number | bigint>;
  action_id: number | bigint;
  status: string;
  fingerprint: string | null;
  messages: string;
  code: number | bigint | null;
  at: string;
}

export interface AuditTable {
  id: Generated<number | bigint>;
  at: string;
  actor: string;
  event: string;
  subject: string;
  outcome: string;
  code: string | null;
  details: string;
}

export interface ServerTables {
  products: ProductsTable;
  releases: ReleasesTable;
  release_artifacts: ReleaseArtifactsTable;
  devices: DevicesTable;
  actions: ActionsTable;
  action_status: ActionStatusTable;
  server_audit: AuditTable;
}
