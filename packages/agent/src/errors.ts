import { BaseError } from '@cairn/core';

export type AgentErrorCode =
  | 'COUNTER_CORRUPT'
  | 'COUNTER_LOWER'
  | 'COUNTER_UNAVAILABLE'
  | 'COUNTER_INVALID'
  | 'BOOT_CONTROL_FAILED'
  | 'BOOT_SLOT_UNKNOWN'
  | 'BOOT_STATE_CORRUPT'
  | 'TOOL_MISSING'
  | 'TOOL_FAILED'
  | 'POWER_CUT'
  | 'LOG_CORRUPT'
  | 'LOG_TOO_LARGE';

export class AgentError extends BaseError<AgentErrorCode> {}
