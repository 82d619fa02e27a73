import { BaseError } from '@cairn/core';

/** Why the agent's configuration (or a file it names) could not be used. */
export type AgentConfigErrorCode =
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_UNREADABLE'
  | 'CONFIG_TOO_LARGE'
  | 'CONFIG_NOT_JSON'
  | 'BOOTED_SLOT_UNKNOWN';

export class AgentConfigError extends BaseError<AgentConfigErrorCode> {}
