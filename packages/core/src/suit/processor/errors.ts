import { BaseError } from '../../errors/base-error.js';

/** Why processing a SUIT command sequence stopped. */
export type SuitProcessErrorCode =
  | 'CONDITION_FAILED_VENDOR_ID'
  | 'CONDITION_FAILED_CLASS_ID'
  | 'CONDITION_FAILED_DEVICE_ID'
  | 'CONDITION_FAILED_IMAGE_MATCH'
  | 'CONDITION_FAILED_IMAGE_NOT_MATCH'
  | 'CONDITION_FAILED_SLOT'
  | 'CONDITION_FAILED_CONTENT'
  | 'ABORTED'
  | 'TRY_EACH_FAILED'
  | 'PARAMETER_MISSING'
  | 'COMPONENT_INDEX_INVALID'
  | 'COMPONENT_MISSING'
  | 'UNSUPPORTED_COMMAND'
  | 'UNSUPPORTED_PARAMETER'
  | 'SEQUENCE_MISSING'
  | 'SEVERED_MISSING'
  | 'PAYLOAD_NOT_FOUND'
  | 'PAYLOAD_TOO_LARGE'
  | 'PLATFORM_FAILED'
  | 'LIMIT_EXCEEDED';

/** Condition failures: soft-failure (try-each, run-sequence) may absorb these; nothing else. */
export const CONDITION_FAILURES: ReadonlySet<SuitProcessErrorCode> = new Set([
  'CONDITION_FAILED_VENDOR_ID',
  'CONDITION_FAILED_CLASS_ID',
  'CONDITION_FAILED_DEVICE_ID',
  'CONDITION_FAILED_IMAGE_MATCH',
  'CONDITION_FAILED_IMAGE_NOT_MATCH',
  'CONDITION_FAILED_SLOT',
  'CONDITION_FAILED_CONTENT',
  'ABORTED',
  'TRY_EACH_FAILED',
]);

export interface SuitProcessErrorDetails {
  /** The manifest sequence being processed ('validate', 'install', …). */
  readonly sequence: string;
  /** Where the failing command is: 'shared-sequence' or the sequence itself. */
  readonly section: string;
  /** Index of the failing command inside `section` (top level). */
  readonly commandIndex: number;
  /** Full path through nested try-each / run-sequence: [top, alternative?, index, …]. */
  readonly commandPath: readonly number[];
  readonly command: string;
  readonly componentIndex: number | undefined;
}

export class SuitProcessError extends BaseError<SuitProcessErrorCode> {
  readonly sequence: string;
  readonly section: string;
  readonly commandIndex: number;
  readonly commandPath: readonly number[];
  readonly command: string;
  readonly componentIndex: number | undefined;

  constructor(
    code: SuitProcessErrorCode,
    problem: string,
    where: SuitProcessErrorDetails,
    cause?: unknown,
  ) {
    const comp = where.componentIndex === undefined ? '' : `, component ${where.componentIndex}`;
    super(
      code,
      `${where.sequence}: ${where.section} command ${where.commandPath.join('.')} (${where.command}${comp}): ${problem}`,
      { details: { ...where }, ...(cause === undefined ? {} : { cause }) },
    );
    this.sequence = where.sequence;
    this.section = where.section;
    this.commandIndex = where.commandIndex;
    this.commandPath = Object.freeze([...where.commandPath]);
    this.command = where.command;
    this.componentIndex = where.componentIndex;
  }
}

/** A failure raised inside a command before its location is known; the interpreter adds it. */
export class CommandFailure extends Error {
  constructor(
    readonly code: SuitProcessErrorCode,
    readonly problem: string,
    readonly failureCause?: unknown,
  ) {
    super(problem);
  }
}
