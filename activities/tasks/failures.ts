/** Builders for the ApplicationFailures tasks throw: every failure carries a `type` so `catch` can match it. */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, NON_RETRYABLE_FAILURES } from '../../common/errors';

/** A failure a retry cannot fix (bad config, schema violation, unknown handler, 4xx). */
export function nonRetryable(type: string, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details === undefined ? undefined : [details] });
}

/** A transient failure: Temporal retries it according to the step's retry policy. */
export function retryable(type: string, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: false, details: details === undefined ? undefined : [details] });
}

/**
 * Normalises anything a task threw: ApplicationFailures pass through; other errors keep their name as the
 * failure type (so `catch: [{ errors: ["TypeError"] }]` works) and stay retryable unless the type is in
 * NON_RETRYABLE_FAILURES.
 */
export function toFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  const type = (e as { type?: unknown }).type;
  const name = typeof type === 'string' && type ? type : e.name || 'Error';
  const failure = ApplicationFailure.create({
    type: name,
    message: e.message,
    nonRetryable: (NON_RETRYABLE_FAILURES as readonly string[]).includes(name),
    cause: e,
  });
  return failure;
}

/** The `{ type, message }` shape stored in task_instances.error and seen by `catch`. */
export function describeFailure(err: unknown): { type: string; message: string; nonRetryable: boolean } {
  const f = toFailure(err);
  return { type: f.type ?? FailureType.WorkflowFailed, message: f.message, nonRetryable: f.nonRetryable === true };
}
