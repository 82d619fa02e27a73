// @cairn/server public API. Explicit named exports only (no `export *`).
export { createServer } from './app.js';
export type { CairnServer, ServerServices } from './app.js';
export { assertServerConfig, SERVER_DEFAULTS } from './config.js';
export type { ServerConfig, TlsConfig } from './config.js';
export {
  ActionError,
  AuthError,
  DdiError,
  DeviceError,
  ProductError,
  ReleaseError,
  StorageError,
} from './errors.js';
export type {
  ActionErrorCode,
  AuthErrorCode,
  DdiErrorCode,
  DeviceErrorCode,
  ProductErrorCode,
  ReleaseErrorCode,
  StorageErrorCode,
} from './errors.js';
export { errorResponse, HTTP_STATUS } from './http/status.js';
export type { ErrorBody } from './http/status.js';
export { parseRange } from './http/range.js';
export { FsArtifactStorage } from './storage/fs-storage.js';
export { pipeToWriter } from './storage/storage.js';
export type {
  ArtifactStorage,
  BlobHashes,
  BlobWriter,
  ByteRange,
  PutOptions,
  Sha256Hex,
  StagedBlob,
} from './storage/storage.js';
export { SERVER_MIGRATION_NAMESPACE, SERVER_MIGRATIONS } from './db/migrations.js';
export type { ServerTables } from './db/schema.js';
export { DbAuditSink } from './db/audit-sink.js';
export { LedgerAuditTrail, loadOrCreateAuditKey } from './db/ledger-audit.js';
export type { AuditTrail, LedgerAuditOptions } from './db/ledger-audit.js';
export type { AuditEvent, AuditRecord, AuditSink } from './db/audit-sink.js';
export {
  assertProductInput,
  PRODUCT_ID,
  ProductService,
  toTrustAnchors,
} from './products/products.js';
export type { Product, ProductAnchorInput, ProductInput } from './products/products.js';
export { describeManifest } from './releases/manifest.js';
export type { ReleaseManifest } from './releases/manifest.js';
export { ARTIFACT_FILENAME, ReleaseService } from './releases/releases.js';
export type {
  Release,
  ReleaseArtifact,
  ReleaseServiceOptions,
  UploadOptions,
} from './releases/releases.js';
export { CONTROLLER_ID, DeviceService, hashToken } from './devices/devices.js';
export type {
  AttributeMode,
  Device,
  DeviceServiceOptions,
  DeviceState,
  NewDevice,
} from './devices/devices.js';
export { ActionService } from './actions/actions.js';
export type {
  ActionListener,
  ActionServiceOptions,
  CreateActionOptions,
  FeedbackOutcome,
} from './actions/actions.js';
export { statusForCancelFeedback, statusForFeedback, TERMINAL_STATUSES } from './actions/model.js';
export type {
  Action,
  ActionStatus,
  ActionStatusEntry,
  ActionType,
  Feedback,
  FeedbackExecution,
  FeedbackResult,
  MaintenanceWindow,
} from './actions/model.js';
export { DeviceAuthenticator } from './device-auth/device-auth.js';
export type {
  DeviceAuthConfig,
  DeviceAuthMethod,
  DeviceAuthResult,
  ProxyCertConfig,
} from './device-auth/device-auth.js';
export { ddiRoutes } from './ddi/routes.js';
export { fastPollHandler } from './ddi/fast-poll.js';
export type { FastPollOptions } from './ddi/fast-poll.js';
export type { DdiRoutesOptions } from './ddi/routes.js';
export { parseConfigData, parseFeedback } from './ddi/feedback-body.js';
export { formatSleep } from './ddi/representation.js';
export type {
  DdiArtifact,
  DdiCancel,
  DdiChunk,
  DdiControllerBase,
  DdiDeploymentBase,
} from './ddi/representation.js';
export { adminTokenGuard } from './auth/admin-token.js';
export type { AdminGuard } from './auth/admin-token.js';
// part 2: rollouts, management API (tokens, roles), OpenAPI
export { RolloutService } from './rollouts/rollouts.js';
export type { RolloutServiceOptions } from './rollouts/rollouts.js';
export { RolloutError } from './rollouts/errors.js';
export type { RolloutErrorCode } from './rollouts/errors.js';
export { matchesFilter, parseFilter, MAX_FILTER_LENGTH } from './rollouts/filter.js';
export type { FilterNode } from './rollouts/filter.js';
export { groupSizes } from './rollouts/model.js';
export type {
  GroupCounts,
  NewRollout,
  Rollout,
  RolloutActionType,
  RolloutGroup,
  RolloutGroupStatus,
  RolloutStatus,
  RolloutWithGroups,
} from './rollouts/model.js';
export { can, leastRoleFor, ROLE_PERMISSIONS, ROLES } from './auth/roles.js';
export type { Permission, Principal, Role } from './auth/roles.js';
export { ApiTokenService, TOKEN_PREFIX, TokenError } from './auth/tokens.js';
export type { ApiToken, NewApiToken, TokenErrorCode } from './auth/tokens.js';
export { managementAuth } from './auth/guard.js';
export type { ManagementAuth } from './auth/guard.js';
export { contractFor, ROUTE_CONTRACTS } from './management/contracts.js';
export type { RouteContract } from './management/contracts.js';
export { checkSchema, compileValidator } from './management/validator.js';
export type { JsonSchema } from './management/validator.js';
export { API_VERSION, setupManagement } from './management/management.js';
export type { Management, ManagementDeps } from './management/management.js';
export { MANAGEMENT_MIGRATION_NAMESPACE, MANAGEMENT_MIGRATIONS } from './management/migrations.js';
export type { ManagementTables } from './management/schema.js';
export { buildOpenApi } from './openapi/document.js';
export type { OpenApiDocument } from './openapi/document.js';
export { renderApiReference } from './openapi/markdown.js';
export { PROMETHEUS_TYPE, ServerMetrics } from './ops/metrics.js';
