/**
 * The root of every error Cairn throws on purpose. `code` is a string-union per
 * domain so callers can switch on it exhaustively; `message` says what was wrong and,
 * where there is one, what to do about it. HTTP status mapping happens in one table at
 * the API edge, never here.
 */
export class BaseError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: Code,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details =
      options.details === undefined ? undefined : Object.freeze({ ...options.details });
  }

  /** `CODE: message`, the one-line form the CLI prints. */
  override toString(): string {
    return `${this.code}: ${this.message}`;
  }
}

/** True when `err` is a Cairn error, optionally with one of the given codes. */
export function isCairnError<C extends string>(
  err: unknown,
  ...codes: readonly C[]
): err is BaseError<C> {
  if (!(err instanceof BaseError)) return false;

  const code: string = err.code as string;
  return codes.length === 0 || (codes as readonly string[]).includes(code);
}

/** One failed field of a validated input: where it is and what is wrong with it. */
export interface FieldIssue {
  readonly path: string;
  readonly problem: string;
}

export type ValidationErrorCode = 'INVALID_INPUT';

/** Thrown by assertion functions at a boundary; reports every bad field at once. */
export class ValidationError extends BaseError<ValidationErrorCode> {
  readonly issues: readonly FieldIssue[];
  constructor(what: string, issues: readonly FieldIssue[]) {
    super(
      'INVALID_INPUT',
      `invalid ${what}: ${issues.map((i) => `${i.path || '(root)'} ${i.problem}`).join('; ')}`,
      { details: { issues } },
    );
    this.issues = Object.freeze([...issues]);
  }
}
