/**
 * One error vocabulary for the whole platform.
 *
 * The API turns an {@link AppError} into RFC 9457 problem+json; activities throw Temporal
 * `ApplicationFailure`s whose `type` is one of the catalogue's {@link FailureType}s (./catalogue.ts), built by
 * ./failures.ts.
 */

/** One field-level problem, located by a JSON pointer into the request (body, query or params). */
export interface FieldError {
  /** JSON pointer, e.g. `/body/steps/2/next`. */
  pointer: string;
  message: string;
}

/** An error that the API reports to its caller as problem+json with the given status. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message?: string,
    readonly errors: FieldError[] = [],
    readonly type = 'about:blank',
    /** RFC 9457 extension members of the problem (e.g. `test_run_id`); they never replace a standard member. */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message ?? title);
    this.name = 'AppError';
  }

  static badRequest(detail: string, errors: FieldError[] = []): AppError {
    return new AppError(400, 'Bad Request', detail, errors);
  }

  static unprocessable(detail: string, errors: FieldError[] = []): AppError {
    return new AppError(422, 'Unprocessable Content', detail, errors);
  }

  static notFound(detail: string): AppError {
    return new AppError(404, 'Not Found', detail);
  }

  static conflict(detail: string): AppError {
    return new AppError(409, 'Conflict', detail);
  }

  static preconditionFailed(detail: string): AppError {
    return new AppError(412, 'Precondition Failed', detail);
  }
}

// The failure types, their retryability and HTTP status live in the catalogue (sandbox-safe: workflows import it).
export { FAILURES, FailureType, NON_RETRYABLE_FAILURES, failureTypeForStatus, isFailureType } from './catalogue';
export type { FailureEntry, FailureOrigin } from './catalogue';
