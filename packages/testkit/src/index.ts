export { hasTool, inCI, requireCondition, requireTools } from './system-tools.js';
export { listVectorFiles, repoRoot, vectorPath, vectorsDir } from './vectors.js';
export { assertRejectsCode, assertThrowsCode } from './errors.js';
export { forEachDatabase, postgresAvailable, testPostgresUrl, withTestDatabase } from './db.js';
export type { TestDatabaseOptions } from './db.js';
export {
  buildTestChain,
  caProfile,
  CODE_SIGNING_PROFILE,
  EKU_CODE_SIGNING,
  EKU_SERVER_AUTH,
  FIXTURE_AT,
  FIXTURE_NOT_AFTER,
  FIXTURE_NOT_BEFORE,
  flipByte,
  generateTestKey,
  issueCertificate,
  issueCrl,
  toPem,
} from './certs.js';
export type {
  CertSpec,
  CrlSpec,
  TestCert,
  TestChain,
  TestChainOptions,
  TestExtension,
  TestKey,
  TestKeyAlg,
  TestKeyUsage,
} from './certs.js';
export { loadSuitExamples, suitEnvelopeHex, suitPublicKeyPem } from './suit-vectors.js';
export type { SuitExample } from './suit-vectors.js';
export { createSoftHsmToken, softHsmModule } from './softhsm.js';
export type { SoftHsmToken } from './softhsm.js';
export { MemorySuitPlatform, suitTestPayload } from './suit-platform.js';
export type {
  MemorySuitPlatformOptions,
  SuitInvocation,
  SuitMeasurement,
} from './suit-platform.js';
export {
  createFirmwareFixture,
  makeTestBundle,
  makeTestEnvelope,
  TEST_CLASS_ID,
  TEST_VENDOR_ID,
} from './firmware.js';
export type { FirmwareFixture, TestBundleOptions } from './firmware.js';
export { DdiTestServer } from './ddi-server.js';
export type {
  DdiRecordedFeedback,
  DdiRecordedRequest,
  DdiTestActionStatus,
  DdiTestArtifact,
  DdiTestFailures,
  DdiTestServerOptions,
} from './ddi-server.js';
export { captureIo } from './capture-io.js';
export type { CapturedIo } from './capture-io.js';
export { readTlogLeaves, writeTlogLeaves } from './tlog-tamper.js';
export type { TlogLeaf } from './tlog-tamper.js';
