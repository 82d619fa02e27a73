export { decodeCbor, decodeCborPrefix } from './decode.js';
export type { DecodeOptions } from './decode.js';
export { encodeCbor } from './encode.js';
export type { EncodeOptions } from './encode.js';
export { CborError, CborMap, CborSimple, CborTag } from './types.js';
export type { CborErrorCode, CborValue } from './types.js';
