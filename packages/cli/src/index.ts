export { main } from './main.js';
export { EXIT, UsageError, processIo, toJson } from './command.js';
export type { Command, CommandContext, Io, Options } from './command.js';
