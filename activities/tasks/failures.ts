/** Builders for the ApplicationFailures tasks throw: every failure carries a `type` so `catch` can match it. */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../common/errors';
import { createFailure, toFailure } from '../../common/errors/failures';

export { toFailure };

/** A failure a retry cannot fix (bad config, schema violation, unknown handler, 4xx). */
export function nonRetryable(type: string, message: string, details?: unknown): ApplicationFailure {
  return createFailure(type, message, { nonRetryable: true, details });
}

/** A transient failure: Temporal retries it according to the step's retry policy. */
export function retryable(type: string, message: string, details?: unknown): ApplicationFailure {
  return createFailure(type, message, { nonRetryable: false, details });
}

/** The `{ type, message }` shape stored in task_instances.error and seen by `catch`. */
export function describeFailure(err: unknown): { type: string; message: string; nonRetryable: boolean } {
  const f = toFailure(err);
  return { type: f.type ?? FailureType.WorkflowFailed, message: f.message, nonRetryable: f.nonRetryable === true };
}
