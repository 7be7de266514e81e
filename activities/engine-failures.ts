/**
 * Failure classification of the engine's own activities (definition lookup, emit, subscriptions). The
 * interpreter retries them without an attempt limit (workflows/activities.ts), which is right only for what
 * time fixes: an unavailable database or Temporal becomes a retryable `Unavailable`, and every other error
 * that is not already an ApplicationFailure fails at once, non-retryable, under its own name.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { FailureType } from '../common/errors/catalogue';
import { createFailure } from '../common/errors/failures';
import { isUnavailable } from './unavailable';

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Failure type of a database error no retry can fix (constraint, value too long, bad syntax). */
export const DATABASE_ERROR = FailureType.DatabaseError;

/** The failure an engine activity throws for `err`. */
export function engineFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure || err instanceof CancelledFailure) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  if (isUnavailable(err)) {
    return createFailure(FailureType.Unavailable, `database or Temporal unavailable: ${e.message}`, {
      nonRetryable: false,
      cause: e,
    });
  }
  // node-postgres names its errors "error"; a SQLSTATE says more (e.g. 22001: value too long for its column).
  const sqlState = (err as { code?: unknown }).code;
  if (typeof sqlState === 'string' && SQLSTATE.test(sqlState)) {
    return createFailure(DATABASE_ERROR, `${e.message} (SQLSTATE ${sqlState})`, { nonRetryable: true, cause: e });
  }
  return createFailure(e.name || FailureType.Error, e.message, { nonRetryable: true, cause: e });
}

type AsyncFns = Record<string, (...args: never[]) => Promise<unknown>>;

/** Wraps each activity of `activities` so what it throws is classified by {@link engineFailure}. */
export function withEngineFailures<T extends AsyncFns>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    // Named functions keep their activity name in stack traces; `this` is not used by any activity.
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw engineFailure(err);
      }
    };
  }
  return wrapped as T;
}
