/**
 * Error names as `catch` sees them. Temporal wraps failures (ActivityFailure -> ApplicationFailure,
 * ChildWorkflowFailure -> ...); definitions name the meaningful inner kind instead:
 * the ApplicationFailure `type`, or `Timeout`, `Cancelled`, `Terminated`.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  TerminatedFailure,
  TimeoutFailure,
} from '@temporalio/workflow';
import type { CatchClause, StepError } from '../common/definitions/types';
import { FailureType } from '../common/errors/catalogue';
import { createFailure } from '../common/errors/failures';

/** Error name of a step timeout, activity timeout or workflow timeout. */
export const TIMEOUT = FailureType.Timeout;
/** Error name of a cancellation (workflow cancelled, or an enclosing block cancelled/timed out). */
export const CANCELLED = FailureType.Cancelled;

function unwrap(err: unknown): unknown {
  if ((err instanceof ActivityFailure || err instanceof ChildWorkflowFailure) && err.cause) return err.cause;
  return err;
}

/** Classifies any thrown value into the `{ type, message, details }` shape catch clauses match. */
export function toStepError(err: unknown): StepError {
  const inner = unwrap(err);
  if (inner instanceof ApplicationFailure) {
    return {
      type: inner.type ?? FailureType.Error,
      message: inner.message,
      ...(inner.details?.length ? { details: inner.details.length === 1 ? inner.details[0] : inner.details } : {}),
    };
  }
  if (inner instanceof TimeoutFailure)
    return { type: TIMEOUT, message: inner.message || `timed out (${inner.timeoutType})` };
  if (inner instanceof CancelledFailure) return { type: CANCELLED, message: inner.message || 'cancelled' };
  if (inner instanceof TerminatedFailure)
    return { type: FailureType.Terminated, message: inner.message || 'terminated' };
  if (inner instanceof Error) return { type: inner.name || FailureType.Error, message: inner.message };
  return { type: FailureType.Error, message: String(inner) };
}

/** The first catch clause that handles `error`; `*` matches everything except cancellation. */
export function findCatch(clauses: CatchClause[] | undefined, error: StepError): CatchClause | undefined {
  return clauses?.find((c) => c.errors.includes(error.type) || (c.errors.includes('*') && error.type !== CANCELLED));
}

/** A non-retryable failure of the given type (what the workflow fails with, and what a parent's catch sees). */
export function failure(type: string, message: string, details?: unknown, cause?: Error): ApplicationFailure {
  return createFailure(type, message, { nonRetryable: true, details, cause });
}

/** A step timeout. */
export function timeoutFailure(what: string): ApplicationFailure {
  return failure(TIMEOUT, `${what} timed out`);
}
