/**
 * One error vocabulary for the whole platform.
 *
 * The API turns an {@link AppError} into RFC 9457 problem+json; activities throw Temporal
 * `ApplicationFailure`s whose `type` is one of {@link FailureType}.
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

/**
 * `ApplicationFailure.type` values thrown by activities. The non-retryable ones are
 * configuration or data problems that a retry cannot fix.
 */
export const FailureType = {
  /** Input or output does not match the task definition's JSON Schema. */
  SchemaViolation: 'SchemaViolation',
  /** The task type or code handler is not registered in the worker. */
  UnknownTaskType: 'UnknownTaskType',
  UnknownHandler: 'UnknownHandler',
  /** The task definition's config is unusable (bad template, bad expression). */
  BadTaskConfig: 'BadTaskConfig',
  /** An HTTP task got a status code outside its expected set. */
  UnexpectedStatus: 'UnexpectedStatus',
  /** A referenced row does not exist. */
  NotFound: 'NotFound',
  /** A `fail` step ended the workflow on purpose. */
  WorkflowFailed: 'WorkflowFailed',
  /** An expression could not be evaluated. */
  ExpressionError: 'ExpressionError',
  /** An `http` or `integration` task addressed a destination the egress policy refuses (EGRESS_ALLOW). */
  EgressDenied: 'EgressDenied',
  /** A task result, run input or output is over Temporal's payload size limit (TEMPORAL_PAYLOAD_LIMIT_BYTES). */
  PayloadTooLarge: 'PayloadTooLarge',
  /** The database or Temporal did not answer: retryable (engine activities retry it without an attempt limit). */
  Unavailable: 'Unavailable',
} as const;

export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Failure types a retry can never fix; activities mark them non-retryable. */
export const NON_RETRYABLE_FAILURES: readonly FailureType[] = [
  FailureType.SchemaViolation,
  FailureType.UnknownTaskType,
  FailureType.UnknownHandler,
  FailureType.BadTaskConfig,
  FailureType.NotFound,
  FailureType.ExpressionError,
  FailureType.EgressDenied,
  FailureType.PayloadTooLarge,
];
