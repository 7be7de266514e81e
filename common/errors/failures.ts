/**
 * The one place ApplicationFailures are built: tasks, the engine's activities and workflow code all throw what
 * {@link createFailure} makes, so every failure carries a catalogued `type` (./catalogue.ts) that `catch` can
 * match. Sandbox-safe: `@temporalio/common` is what `@temporalio/workflow` re-exports.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FAILURES, FailureType, failureTypeForStatus, isFailureType, NON_RETRYABLE_FAILURES } from './catalogue';

/** What a failure carries besides its type and message. */
export interface FailureOptions {
  /** Default: non-retryable unless the catalogue says the type is retried (unknown types are not). */
  nonRetryable?: boolean;
  /** Stored as the failure's single `details` entry (what `catch` sees as `error.details`). */
  details?: unknown;
  cause?: Error;
  nextRetryDelay?: number;
}

/** The ApplicationFailure of `type` with `message`. */
export function createFailure(type: string, message: string, opts: FailureOptions = {}): ApplicationFailure {
  const nonRetryable = opts.nonRetryable ?? !(isFailureType(type) && FAILURES[type].retryable === true);
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable,
    details: opts.details === undefined ? undefined : [opts.details],
    ...(opts.cause && { cause: opts.cause }),
    ...(opts.nextRetryDelay !== undefined && { nextRetryDelay: opts.nextRetryDelay }),
  });
}

/** A failure a retry cannot fix (bad config, schema violation, unknown handler, 4xx). */
export function nonRetryable(type: string, message: string, details?: unknown): ApplicationFailure {
  return createFailure(type, message, { nonRetryable: true, details });
}

/** A transient failure: Temporal retries it according to the step's retry policy. */
export function retryable(type: string, message: string, details?: unknown): ApplicationFailure {
  return createFailure(type, message, { nonRetryable: false, details });
}

/** The failure an activity throws for a service's API error (`status`, `message`): a 4xx is never retried. */
export function fromAppError(
  err: { status: number },
  message: string,
  type?: FailureType,
  details?: unknown,
): ApplicationFailure {
  const as = type ?? failureTypeForStatus(err.status) ?? FailureType.Error;
  return createFailure(as, message, { nonRetryable: err.status < 500, details });
}

/**
 * Normalises anything a task threw: ApplicationFailures pass through; other errors keep their `type` property or
 * name as the failure type (so `catch: [{ errors: ["TypeError"] }]` works) and stay retryable unless the type is
 * in NON_RETRYABLE_FAILURES.
 */
export function toFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  const type = (e as { type?: unknown }).type;
  const name = typeof type === 'string' && type ? type : e.name || FailureType.Error;
  const nonRetryable = (NON_RETRYABLE_FAILURES as readonly string[]).includes(name);
  return createFailure(name, e.message, { nonRetryable, cause: e });
}
