export { main } from './main.js';
export { EXIT, UsageError, processIo, toJson } from './command.js';
export type { Command, CommandContext, Io, Options } from './command.js';
export { loadPlatformConfig, PLATFORM_DEFAULTS } from './platform/config.js';
export type { LoadPlatformConfigOptions, PlatformConfig } from './platform/config.js';
export { readPlatformInfo, startPlatform } from './platform/bootstrap.js';
export type { Platform, PlatformInfo, StartPlatformOptions } from './platform/bootstrap.js';
export { productUuids, uuidV5 } from './platform/uuid.js';
