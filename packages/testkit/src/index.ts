export { hasTool, inCI, requireCondition, requireTools } from './system-tools.js';
export { listVectorFiles, repoRoot, vectorPath, vectorsDir } from './vectors.js';
export { assertRejectsCode, assertThrowsCode } from './errors.js';
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
