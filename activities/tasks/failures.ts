/**
 * The failures tasks throw: every failure carries a `type` so `catch` can match it. The builders live in
 * common/errors/failures.ts (services throw them too); this module adds the shape task rows store.
 */
import { FailureType } from '../../common/errors';
import { nonRetryable, retryable, toFailure } from '../../common/errors/failures';

export { nonRetryable, retryable, toFailure };

/** The `{ type, message }` shape stored in task_instances.error and seen by `catch`. */
export function describeFailure(err: unknown): { type: string; message: string; nonRetryable: boolean } {
  const f = toFailure(err);
  return { type: f.type ?? FailureType.WorkflowFailed, message: f.message, nonRetryable: f.nonRetryable === true };
}
