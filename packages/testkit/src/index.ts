export { hasTool, inCI, requireCondition, requireTools } from './system-tools.js';
export { listVectorFiles, repoRoot, vectorPath, vectorsDir } from './vectors.js';
export { assertRejectsCode, assertThrowsCode } from './errors.js';
