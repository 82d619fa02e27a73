// @cairn/signer public API. Explicit named exports only (no `export *`).
export { DENIAL_CODES, HTTP_STATUS, SignerError } from './errors.js';
export type { SignerErrorCode } from './errors.js';
export { AUTHORIZATION, hasRole, isAllowed, ROLES } from './auth/roles.js';
export type { Action, AuthMethod, Grant, Principal, Role } from './auth/roles.js';
export { TokenStore } from './auth/tokens.js';
export type { CreateTokenInput, TokenInfo } from './auth/tokens.js';
export { CertPrincipals, normalizeSerialHex } from './auth/cert-principals.js';
export { DEFAULT_POLICY, SIGN_FORMATS, assertWorkerInput } from './workers/worker.js';
export type { Product, SignFormat, Worker, WorkerInput, WorkerPolicy } from './workers/worker.js';
export { WorkerRegistry } from './workers/registry.js';
export type { LoadedWorker } from './workers/registry.js';
export { parseRelease } from './signing/release.js';
export { TreeMirror } from './signing/tree-mirror.js';
export type { Release, ReleaseInput } from './signing/release.js';
export type {
  Approval,
  RequestStatus,
  RequestSubject,
  SigningRequest,
} from './approvals/requests.js';
export { SIGNER_MIGRATIONS } from './store/schema.js';
export type { SignerTables } from './store/schema.js';
export { SignerService } from './service.js';
export type {
  CallContext,
  SignedDigest,
  SignedRelease,
  SignerServiceOptions,
  SignDigestOutcome,
  SignOutcome,
} from './service.js';
export { createSignerService } from './http/app.js';
export type { SignerHttpOptions, SignerTlsOptions } from './http/app.js';
export { openSigner } from './bootstrap.js';
export type { OpenSignerOptions, SignerStack } from './bootstrap.js';
export { loadSignerConfig } from './config.js';
export type { SignerConfig } from './config.js';
export { serveSigner } from './serve.js';
export type { RunningSigner } from './serve.js';
export { SignerClient } from './client.js';
export type { ClientResponse, SignerClientOptions } from './client.js';
